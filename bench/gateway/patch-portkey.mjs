// Makes Portkey's streaming work on Node's built-in fetch (run by setup-peers.sh on the cached install only,
// never on project dependencies). Idempotent; fails loudly when the code it fixes is not found.
//
// Why: Portkey 1.15.2 answers every OpenAI-compatible streaming request with HTTP 500
// ("tryTargetsRecursively error: immutable TypeError: immutable" in its log). Its stream handler wraps the
// upstream response as `new Response(transformedStream, upstreamFetchResponse)` and then appends its
// x-portkey-* headers. `Response` there is @hono/node-server's lightweight Response (it replaces the global
// one), which keeps the *same* Headers object as a foreign `init` (a fetch() Response, whose headers carry the
// immutable guard) instead of copying it, so the append throws. Fixed upstream in honojs/node-server
// "fix(response): copy headers when init is a foreign Response" (PR #382), which no 1.x release carries
// (1.19.19 is the newest; Portkey requires ^1.3.3). This applies the same fix: copy a foreign Response's
// headers. Non-streaming requests never take that path, so their figures are unaffected.
// Usage: node patch-portkey.mjs <portkey install prefix>
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const prefix = process.argv[2];
if (!prefix) {
  process.stderr.write('usage: patch-portkey.mjs <prefix>\n');
  process.exit(2);
}
const dist = join(prefix, 'node_modules/@hono/node-server/dist');
const MARK = "/* tollgate-bench: copy a foreign Response's headers (honojs/node-server#382) */";
const BUGGY = /( +)\} else \{\n +this\.#init = init;\n +\}/;
let patched = 0;
let already = 0;
for (const f of readdirSync(dist)) {
  if (!/\.m?js$/.test(f)) continue;
  const p = join(dist, f);
  const src = readFileSync(p, 'utf8');
  if (!src.includes('init instanceof _Response')) continue;
  if (src.includes(MARK)) {
    already++;
    continue;
  }
  const m = BUGGY.exec(src);
  if (!m) {
    process.stderr.write(
      `patch-portkey: ${p} has the lightweight Response but not the expected constructor; not patched\n`,
    );
    process.exit(1);
  }
  const i = m[1];
  const fixed = `${i}} else if (init instanceof GlobalResponse) { ${MARK}\n${i}  headers = new Headers(init.headers);\n${i}  this.#init = { status: init.status, statusText: init.statusText, headers };\n${i}} else {\n${i}  this.#init = init;\n${i}}`;
  writeFileSync(p, src.replace(BUGGY, fixed));
  patched++;
}
if (patched + already === 0) {
  process.stderr.write(`patch-portkey: no lightweight Response found under ${dist}\n`);
  process.exit(1);
}
process.stderr.write(`patch-portkey: ${patched} file(s) patched, ${already} already patched\n`);
