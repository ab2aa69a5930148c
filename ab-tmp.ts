// A/B: the before tree and this tree in one process, per answer interleaved (load drift hits both alike)
const A = await import('/tmp/before/bench/guardrails-redaction.ts');
const B = await import('/work/wt/secrets/bench/guardrails-redaction.ts');
const ga = A.REDACTION_GUARD(), gb = B.REDACTION_GUARD();
A.warmUp(ga); B.warmUp(gb);
const cpu = (f: () => void) => { const t = process.cpuUsage(); f(); const d = process.cpuUsage(t); return (d.user + d.system) / 1000; };
const stream = (g: any, t: string) => { const s = g.streamOutput(); for (let i = 0; i < t.length; i += 5) s.push(t.slice(i, i + 5)); s.end(); };
const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(3); };
const n = Number(process.argv[2] ?? 100);
console.log(`rules before ${ga.outputRules.length}, after ${gb.outputRules.length}; ${n} answers per kind; ms/KB p50 / p99 (least CPU of 5, interleaved)`);
for (const kind of A.KINDS) {
  const r = { aw: [] as number[], bw: [] as number[], as: [] as number[], bs: [] as number[] };
  for (const t of A.answers(kind, n)) {
    const kb = t.length / 1024; let aw = 1e9, bw = 1e9, as = 1e9, bs = 1e9;
    for (let k = 0; k < 5; k++) {
      aw = Math.min(aw, cpu(() => ga.scanOutput(t))); bw = Math.min(bw, cpu(() => gb.scanOutput(t)));
      as = Math.min(as, cpu(() => stream(ga, t))); bs = Math.min(bs, cpu(() => stream(gb, t)));
    }
    r.aw.push(aw / kb); r.bw.push(bw / kb); r.as.push(as / kb); r.bs.push(bs / kb);
  }
  console.log(`${kind.padEnd(6)} whole: before ${q(r.aw, 0.5)} / ${q(r.aw, 0.99)}  after ${q(r.bw, 0.5)} / ${q(r.bw, 0.99)} | 5-char deltas: before ${q(r.as, 0.5)} / ${q(r.as, 0.99)}  after ${q(r.bs, 0.5)} / ${q(r.bs, 0.99)}`);
}
