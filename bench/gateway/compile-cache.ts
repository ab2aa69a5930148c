// Node's compile cache for the gateway's modules, warmed the way an image build would: every module a gateway
// can load (its static graph, the modules it loads on demand, the entry point itself) is stripped once by a
// throw-away process, which writes the cache on exit. A gateway started with NODE_COMPILE_CACHE pointing there
// then never loads the TypeScript stripper (gateway/README.md, "Memory").
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ON_DEMAND = [
  'gateway/server.ts',
  'gateway/store/redis.ts',
  'guardrails/guard.ts',
  'guardrails/request.ts',
  'guardrails/gateway-adapter.ts',
];

/**
 * Fill CACHE with the stripped modules of the gateway under ROOT; returns the env a gateway needs to use it.
 * The cache is kept per set of V8 flags: pass the flags the gateway will run with.
 */
export function warmCompileCache(root: string, cache: string, v8Flags: readonly string[]): Record<string, string> {
  const env = { ...process.env, NODE_COMPILE_CACHE: cache, TOLLGATE_NO_REEXEC: '1' };
  const imports = ON_DEMAND.map((m) => `await import(${JSON.stringify(join(root, m))});`).join(' ');
  execFileSync(process.execPath, [...v8Flags, '--input-type=module', '-e', imports], { env, stdio: 'ignore' });
  execFileSync(process.execPath, [...v8Flags, join(root, 'gateway/main.ts'), '--help'], { env, stdio: 'ignore' });
  return { NODE_COMPILE_CACHE: cache };
}
