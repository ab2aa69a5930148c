import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
type N = { description?: string; properties?: Record<string, N>; items?: N };
let total = 0, none = 0;
const walk = (n: N) => {
  for (const sub of Object.values(n.properties ?? {})) { total++; if (!sub.description) none++; walk(sub); if (sub.items) walk(sub.items); }
};
for (const f of process.argv.slice(2)) {
  const crd = parse(readFileSync(f, 'utf8'));
  const root = crd.spec.versions[0].schema.openAPIV3Schema.properties;
  total = 0; none = 0;
  for (const k of ['spec', 'status']) { total++; if (!root[k].description) none++; walk(root[k]); }
  console.log(f, total, none);
}
