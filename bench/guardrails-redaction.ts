// Redaction cost per KB of output with the full ruleset, per kind of text (prints figures; not a test).
//   node bench/guardrails-redaction.ts [--answers N]
// Realistic chat answers of 1-8 KB in four kinds — prose, code, JSON, logs — about one in ten carrying a credential
// or a look-alike from the dev corpus; p50 / p99 CPU ms per KB over answers, whole response and streamed in
// 5-character deltas. Per answer the least process CPU time of 5 runs (p50 / p99 over answers: the answer's own work), and the
// mean process CPU per KB over all runs (everything: GC and JIT threads included).
import { parseArgs } from 'node:util';
import { compileGuard, STRICT_GUARDRAILS } from '../guardrails/guard.ts';
import { secretCorpus } from '../guardrails/eval/secrets-corpus.ts';

export const REDACTION_GUARD = () =>
  compileGuard({
    ...STRICT_GUARDRAILS,
    redaction: {
      detectors: ['secrets', 'pii'],
      customPatterns: [
        { name: 'customer-id', pattern: 'CUST-[0-9]{8}' },
        { name: 'ticket', pattern: 'TCK-[A-Z]+-\\d+' },
      ],
    },
    canaries: ['tg-canary-7f3a9c1e'],
    exfiltration: { mode: 'off', allowedHosts: [] },
  });

const PROSE = [
  'Kubernetes schedules pods onto nodes that satisfy their resource requests. The scheduler scores each feasible node, and the pod lands on the best one; if none fits, it stays pending until capacity frees up.',
  'To rotate the API key, create a new key in the console, update the secret your deployment reads, and revoke the old key once traffic has moved over. Tokens issued with the old key stay valid until they expire.',
  'Authentication happens in two steps: the client sends its credentials to the token endpoint and receives an access token, which it then presents in the Authorization header of every request until it expires.',
  'The password policy requires twelve characters. Store secrets in a vault, never in the repository; the CI pipeline reads them at build time through a short-lived token scoped to one job.',
  'Requests are what the scheduler reserves, limits are what the kubelet enforces. Setting both keeps noisy neighbours in check, and the key point is that a limit below the request is rejected.',
];
const CODE = [
  '```python\ndef get_client(settings):\n    token = settings.get("api_token")\n    if not token:\n        raise RuntimeError("missing api token")\n    session = requests.Session()\n    session.headers["Authorization"] = f"Bearer {token}"\n    return session\n```',
  '```typescript\nexport async function fetchUser(id: string, key: string): Promise<User> {\n  const res = await fetch(`${BASE_URL}/users/${id}`, { headers: { "x-api-key": key } });\n  if (!res.ok) throw new Error(`status ${res.status}`);\n  return (await res.json()) as User;\n}\n```',
  '```go\nfunc (s *Server) auth(next http.Handler) http.Handler {\n\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {\n\t\ttoken := r.Header.Get("Authorization")\n\t\tif !s.keys.Valid(strings.TrimPrefix(token, "Bearer ")) {\n\t\t\thttp.Error(w, "unauthorized", 401)\n\t\t\treturn\n\t\t}\n\t\tnext.ServeHTTP(w, r)\n\t})\n}\n```',
  '```bash\nkubectl create secret generic db-credentials --from-literal=username=app --from-env-file=.env\nkubectl rollout restart deployment/api\ncurl -sS https://api.example.com/healthz\n```',
];
const JSON_ = [
  '{"id":"3f2c9a1e-8b7d-4c6e-9f0a-1b2c3d4e5f60","status":"active","plan":"pro","created_at":"2024-11-02T10:15:00Z","owner":{"name":"Jane Doe","team":"billing"},"limits":{"requests_per_minute":600,"tokens_per_day":2000000},"secret_ref":"vault://kv/billing/api","key_id":"k-20241102-01"}',
  '{\n  "apiVersion": "v1",\n  "kind": "ConfigMap",\n  "metadata": {"name": "api-config", "namespace": "prod"},\n  "data": {"LOG_LEVEL": "info", "TOKEN_TTL_SECONDS": "3600", "AUTH_ISSUER": "https://auth.example.com/", "CACHE_KEY_PREFIX": "api:v2:"}\n}',
  '[{"sha":"9fceb02d0ae598e95dc970b74767f19372d61af8","message":"fix: retry on 503","author":"jdoe"},{"sha":"1a410efbd13591db07496601ebc7a059dd55cfe9","message":"feat: token refresh","author":"asmith"}]',
];
const LOGS = [
  '2024-11-02T10:15:03.221Z INFO  api.auth request_id=7c9e6679-7425-40de-944b-e07fc1f90ae7 user=jdoe method=POST path=/v1/token status=200 latency_ms=12',
  '2024-11-02T10:15:03.498Z WARN  worker.queue job=reindex attempt=3 error="upstream timeout after 30s" retry_in=8s key=orders:shard-4',
  'Nov 02 10:15:04 node-7 kubelet[1123]: I1102 10:15:04.118 pod_workers.go:190] "SyncPod" pod="prod/api-6d9f7c8b5-x2k4q" secret="db-credentials" mounted',
  '10.0.3.17 - - [02/Nov/2024:10:15:05 +0000] "GET /api/v1/items?page=2&auth=session HTTP/1.1" 200 5123 "-" "Mozilla/5.0 (X11; Linux x86_64)"',
];

export type Kind = 'prose' | 'code' | 'json' | 'logs';
export const KINDS: Kind[] = ['prose', 'code', 'json', 'logs'];
const UNITS: Record<Kind, string[]> = { prose: PROSE, code: CODE, json: JSON_, logs: LOGS };

/** `n` answers of one kind, 1-8 KB each, one part in ten a credential or a look-alike (seeded). */
export function answers(kind: Kind, n: number, seed = 7): string[] {
  const dev = secretCorpus('dev', 1);
  let a = seed;
  const r = () => (a = (a * 16807) % 2147483647) / 2147483647;
  const out: string[] = [];
  const units = UNITS[kind];
  for (let k = 0; k < n; k++) {
    const parts: string[] = [];
    let len = 0;
    const target = 1024 * (1 + Math.floor(r() * 8));
    while (len < target) {
      const x = r();
      const p =
        x < 0.9
          ? (units[Math.floor(r() * units.length)] as string)
          : x < 0.95
            ? (dev.lookalikes[Math.floor(r() * dev.lookalikes.length)] as { text: string }).text
            : (dev.positives[Math.floor(r() * dev.positives.length)] as { text: string }).text;
      parts.push(p);
      len += p.length + 1;
    }
    out.push(parts.join('\n'));
  }
  return out;
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
}

/**
 * Steady state: every rule's lazily compiled parts (the RE2 with match indices, the prefix closure) and RE2's DFA
 * caches are built by the first texts that need them; a server pays that once, so the figures exclude it: warmed on
 * other answers of every kind (another seed), whole and streamed.
 */
export function warmUp(guard: ReturnType<typeof REDACTION_GUARD>, delta = 5): void {
  for (const kind of KINDS) {
    for (const t of answers(kind, 40, 99)) {
      guard.scanOutput(t);
      const s = guard.streamOutput();
      for (let i = 0; i < t.length; i += delta) s.push(t.slice(i, i + delta));
      s.end();
    }
  }
}

export interface Cost {
  /** Per answer, ms per KB: the least CPU time over `reps` runs (the answer's own work, without the background GC
   *  and JIT work that happens to land on one run). */
  whole: number[];
  streamed: number[];
  /** Everything: process CPU (all threads, GC and JIT included) over all runs, per KB. */
  wholeMean: number;
  streamedMean: number;
}

/** Process CPU time of f(), ms (process.threadCpuUsage has tick granularity on Linux: useless below a few ms). */
function cpuMs(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

export function measure(guard: ReturnType<typeof REDACTION_GUARD>, texts: string[], delta = 5, reps = 5): Cost {
  const whole: number[] = [];
  const streamed: number[] = [];
  const stream = (t: string) => {
    const s = guard.streamOutput();
    for (let i = 0; i < t.length; i += delta) s.push(t.slice(i, i + delta));
    s.end();
  };
  let kbs = 0;
  let wp = 0;
  let sp = 0;
  for (const t of texts) {
    const kb = t.length / 1024;
    kbs += kb * reps;
    let w = Infinity;
    let st = Infinity;
    for (let r = 0; r < reps; r++) {
      const p0 = process.cpuUsage();
      w = Math.min(
        w,
        cpuMs(() => guard.scanOutput(t)),
      );
      const p1 = process.cpuUsage(p0);
      st = Math.min(
        st,
        cpuMs(() => stream(t)),
      );
      const p2 = process.cpuUsage(p0);
      wp += (p1.user + p1.system) / 1000;
      sp += (p2.user + p2.system - p1.user - p1.system) / 1000;
    }
    whole.push(w / kb);
    streamed.push(st / kb);
  }
  return { whole, streamed, wholeMean: wp / kbs, streamedMean: sp / kbs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { answers: { type: 'string', default: '200' } } });
  const n = Number(values.answers);
  const guard = REDACTION_GUARD(); // the secret rulesets are compiled when guardrails/detectors.ts is loaded
  const rss = process.memoryUsage().rss / 1048576;
  warmUp(guard);
  console.log(`RSS after the rulesets are compiled: ${rss.toFixed(0)} MB (before any text is scanned)`);
  console.log(
    `redaction cost (CPU ms per KB), ${guard.outputRules.length} output rules, ${n} answers of 1-8 KB per kind, Node ${process.version}`,
  );
  console.log(
    'per answer: least CPU time of 5 runs (p50 / p99 over answers); mean: process CPU over all runs, GC and JIT threads included',
  );
  const f = (xs: number[], q: number) => quantile(xs, q).toFixed(3);
  console.log(
    `${'kind'.padEnd(8)}${'whole p50 / p99 / mean'.padStart(26)}${'5-char deltas p50 / p99 / mean'.padStart(34)}`,
  );
  for (const kind of KINDS) {
    const m = measure(guard, answers(kind, n));
    console.log(
      `${kind.padEnd(8)}${`${f(m.whole, 0.5)} / ${f(m.whole, 0.99)} / ${m.wholeMean.toFixed(3)}`.padStart(26)}${`${f(m.streamed, 0.5)} / ${f(m.streamed, 0.99)} / ${m.streamedMean.toFixed(3)}`.padStart(34)}`,
    );
  }
}
