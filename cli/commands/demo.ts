// tollgate demo: the gateway on the embedded defaults (in-memory store) with the examples' config, demo
// keys, and the built-in simulator as the upstream of every model. Prints the URL, the keys and curl
// lines, and shows a budget rejection on a demo tenant with a tiny budget.
import type { V1Secret } from '@kubernetes/client-node';
import { formatProblem } from '../../api/validate.ts';
import { generateKey } from '../../api/keys.ts';
import { LLMTenant } from '../../api/v1alpha1/tenant.ts';
import { createLogger } from '../../gateway/audit.ts';
import { startGateway } from '../../gateway/server.ts';
import { startSimulator } from '../../gateway/sim/sim.ts';
import { keySecretName } from '../../operator/compiler/keys.ts';
import { parse, UsageError } from '../args.ts';
import { compileFromPaths, loadPaths } from '../load.ts';

export const summary = 'run the gateway locally on the examples with a built-in model simulator and demo keys';
export const usage =
  'tollgate demo [-f PATH...] [--host ADDR] [--port N] [--metrics-port N] [--latency-ms N] [--inter-token-ms N] [--log-level LEVEL] [--exit-after-check]';

const TINY_NS = 'team-search';
const TINY_NAME = 'demo-tiny-budget';
const TINY_BUDGET = 4000;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8080' },
    'metrics-port': { type: 'string', default: '9090' },
    'latency-ms': { type: 'string', default: '20' },
    'inter-token-ms': { type: 'string', default: '15' },
    'log-level': { type: 'string', default: 'info' },
    'exit-after-check': { type: 'boolean', default: false },
  });
  const paths = values.filename ?? ['examples'];
  const port = Number(values.port);
  const metricsPort = Number(values['metrics-port']);
  if (!Number.isInteger(port) || !Number.isInteger(metricsPort))
    throw new UsageError('--port and --metrics-port must be integers');

  // 1. The tenants the examples declare, plus one with a tiny budget, each key generated now.
  const loaded = loadPaths(paths);
  if (loaded.problems.length > 0) {
    for (const p of loaded.problems) console.error(formatProblem(p));
    return 1;
  }
  const tiny = LLMTenant.parse({
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMTenant',
    metadata: { name: TINY_NAME, namespace: TINY_NS },
    spec: {
      tier: 'bronze',
      keys: [{ name: 'demo', scopes: ['chat.completions', 'completions', 'models.list'] }],
      budget: { tokens: { limit: TINY_BUDGET, window: '1h' } },
    },
  });
  const keys: { tenant: string; name: string; key: string; scopes: string }[] = [];
  const secrets: V1Secret[] = [];
  for (const t of [...loaded.manifests.tenants, tiny]) {
    const data: Record<string, string> = {};
    for (const k of t.spec.keys) {
      if (k.secretRef) continue;
      const key = generateKey();
      data[k.name] = Buffer.from(key).toString('base64');
      keys.push({
        tenant: `${t.metadata.namespace}/${t.metadata.name}`,
        name: k.name,
        key,
        scopes: k.scopes.join(','),
      });
    }
    secrets.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: keySecretName(t), namespace: t.metadata.namespace },
      data,
    });
  }

  // 2. The simulator stands in for every model.
  const sim = await startSimulator({
    latencyMs: Number(values['latency-ms']),
    interTokenMs: Number(values['inter-token-ms']),
    outputTokens: 64,
  });
  const served = loaded.manifests.models.map((m) => m.spec.servedName);
  const upstreamOverrides = Object.fromEntries(served.map((n) => [n, sim.url]));
  const { loaded: l2, result } = compileFromPaths(paths, { upstreamOverrides }, { tenants: [tiny], secrets });
  if (!result) {
    for (const p of l2.problems) console.error(formatProblem(p));
    await sim.close();
    return 1;
  }

  // 3. The gateway, on the in-memory store.
  const log = createLogger({ level: values['log-level'] });
  let gw;
  try {
    gw = await startGateway({
      config: { kind: 'static', value: result.gatewayConfig, label: `demo:${paths.join(',')}` },
      host: values.host,
      port,
      metricsPort,
      logger: log,
      handleSignals: true,
    });
  } catch (e) {
    await sim.close();
    throw new Error(
      `cannot start the gateway on ${values.host}:${port} / ${metricsPort}: ${e instanceof Error ? e.message : String(e)} (use --port / --metrics-port)`,
      { cause: e },
    );
  }
  if (!gw.initial.ok) {
    console.error(`demo config refused: ${gw.initial.error.message}`);
    await gw.close();
    await sim.close();
    return 1;
  }
  const cfg = result.gatewayConfig;
  const base = `${gw.url}/v1`;
  const byId = new Map(cfg.tenants.map((t) => [t.id, t]));
  const lines: string[] = [];
  lines.push(
    '',
    `Tollgate gateway (demo, in-memory store) at ${base}`,
    `  metrics ${gw.metricsUrl}/metrics   readiness ${gw.metricsUrl}/readyz   config ${cfg.hash}`,
  );
  lines.push(
    `  every model (${served.join(', ')}) is served by the built-in simulator at ${sim.url}`,
    '',
    'Demo keys (generated now, valid for this run only):',
  );
  for (const k of keys) {
    const t = byId.get(k.tenant);
    lines.push(
      `  ${k.tenant.padEnd(30)} ${k.name.padEnd(14)} ${k.key}   tier=${t?.tier ?? '-'} models=${t?.models.join(',') || '-'} scopes=${k.scopes}`,
    );
  }
  const first = keys.find((k) => k.tenant === 'team-search/search' && k.name === 'backend') ?? keys[0];
  const tinyKey = keys.find((k) => k.tenant === `${TINY_NS}/${TINY_NAME}`);
  const chatModels = new Set(
    cfg.models.filter((m) => m.capabilities.includes('chat.completions')).map((m) => m.servedName),
  );
  const chatModelOf = (tenantId: string | undefined): string => {
    const ms = byId.get(tenantId ?? '')?.models ?? [];
    return (
      ms.find((m) => m.includes('8b') && chatModels.has(m)) ??
      ms.find((m) => chatModels.has(m)) ??
      [...chatModels][0] ??
      'model'
    );
  };
  const modelName = chatModelOf(first?.tenant);
  const body = (extra = ''): string =>
    `'{"model":"${modelName}","messages":[{"role":"user","content":"Say hello"}]${extra}}'`;
  lines.push('', 'Try it:');
  lines.push(
    `  curl -s ${base}/chat/completions -H "Authorization: Bearer ${first?.key}" -H 'Content-Type: application/json' -d ${body()}`,
  );
  lines.push(
    `  curl -sN ${base}/chat/completions -H "Authorization: Bearer ${first?.key}" -H 'Content-Type: application/json' -d ${body(',"stream":true')}`,
  );
  lines.push(`  curl -s ${base}/models -H "Authorization: Bearer ${first?.key}"`);
  process.stdout.write(`${lines.join('\n')}\n`);

  // 4. Show a budget rejection: the tiny tenant asks for big completions until the budget says no.
  if (tinyKey) {
    const tinyModel = chatModelOf(tinyKey.tenant);
    const out: string[] = [
      '',
      `Budget demo: ${tinyKey.tenant} has ${TINY_BUDGET} tokens per hour; each request reserves (input + max_tokens 1000) x model weights before the model runs and settles what was used:`,
    ];
    let rejected = false;
    for (let i = 1; i <= 12 && !rejected; i++) {
      const r = await fetch(`${base}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tinyKey.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: tinyModel,
          max_tokens: 1000,
          messages: [{ role: 'user', content: 'Write a 5000-word essay on cats' }],
        }),
      });
      const j = (await r.json()) as { usage?: { total_tokens: number }; error?: { code: string; message: string } };
      if (r.ok) out.push(`  request ${i}: ${r.status} ok (${j.usage?.total_tokens ?? '?'} tokens used)`);
      else {
        out.push(
          `  request ${i}: ${r.status} ${j.error?.code}: ${j.error?.message} (${r.headers.get('retry-after') ? `Retry-After: ${r.headers.get('retry-after')} s` : `budget resets at ${r.headers.get('x-tollgate-budget-reset') ?? '?'}`}) — refused before any GPU work`,
        );
        rejected = j.error?.code === 'insufficient_quota' || j.error?.code === 'budget_window_full'; // the latter when the hour is about to roll over
        if (!rejected) break;
      }
    }
    out.push(
      `  try it: curl -si ${base}/chat/completions -H "Authorization: Bearer ${tinyKey.key}" -H 'Content-Type: application/json' -d '{"model":"${tinyModel}","max_tokens":1000,"messages":[{"role":"user","content":"Write a 5000-word essay on cats"}]}'`,
    );
    out.push('', 'Press Ctrl-C to stop.');
    process.stdout.write(`${out.join('\n')}\n`);
    if (values['exit-after-check']) {
      await gw.close();
      await sim.close();
      return rejected ? 0 : 1;
    }
  }
  await new Promise<never>(() => undefined);
  return 0;
}
