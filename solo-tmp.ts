import { answers, KINDS } from './bench/guardrails-redaction.ts';
import { StreamScanner, scanText } from './guardrails/scanner.ts';
import { secretRuleset } from './guardrails/secrets/ruleset.ts';
const rs = secretRuleset();
const texts = KINDS.flatMap((k) => answers(k, 30));
const kb = texts.reduce((a, t) => a + t.length, 0) / 1024;
const cpu = (f: () => void) => { const t = process.cpuUsage(); f(); const d = process.cpuUsage(t); return (d.user + d.system) / 1000; };
const ids = ['generic-api-key', 'secret-in-context', 'password-assignment'];
const kfIds = rs.report.filter((r) => r.source === 'kingfisher').map((r) => r.id);
const sets: Record<string, any[]> = Object.fromEntries(ids.map((id) => [id, [rs.rules.get(id)]]));
sets['all kingfisher'] = kfIds.map((id) => rs.rules.get(id));
for (let rep = 0; rep < 3; rep++) for (const [n, rules] of Object.entries(sets)) {
  let w = 0, s = 0;
  for (const t of texts) {
    w += cpu(() => scanText(rules, t));
    s += cpu(() => { const sc = new StreamScanner(rules); for (let i = 0; i < t.length; i += 5) sc.push(t.slice(i, i + 5)); sc.end(); });
  }
  if (rep > 0) console.log(n.padEnd(24), 'whole', (w / kb).toFixed(3), 'stream', (s / kb).toFixed(3), 'ms/KB');
}
const kwHit = (id: string) => (rs.rules.get(id) as any).keywords?.list as string[];
const noisy = kfIds.filter((id) => kwHit(id)?.some((k) => ['secret_', 'figma', 'access_key', 'github', 'sk_', 'secret_key', 'discord.com', 'azure', 'mongodb'].includes(k)));
console.log('noisy', noisy.join(' '));
const sets2: Record<string, any[]> = { 'tollgate-key only': [rs.rules.get('tollgate-key')], 'kf without noisy': kfIds.filter((id) => !noisy.includes(id)).map((id) => rs.rules.get(id)), 'kf noisy only': noisy.map((id) => rs.rules.get(id)) };
for (let rep = 0; rep < 3; rep++) for (const [n, rules] of Object.entries(sets2)) {
  let w = 0, s = 0;
  for (const t of texts) {
    w += cpu(() => scanText(rules, t));
    s += cpu(() => { const sc = new StreamScanner(rules); for (let i = 0; i < t.length; i += 5) sc.push(t.slice(i, i + 5)); sc.end(); });
  }
  if (rep > 0) console.log(n.padEnd(24), 'whole', (w / kb).toFixed(3), 'stream', (s / kb).toFixed(3), 'ms/KB');
}
