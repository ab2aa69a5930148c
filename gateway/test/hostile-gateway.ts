// One gateway in front of a hostile upstream (hostile-upstream.ts), as the egress and upstream-failure tests run
// it: model `m` served by the upstream, its credential `credential` (an output canary of every tenant) under
// `m-key`, the tenants given, logs captured for the leak scan (harness.ts).
import assert from 'node:assert/strict';
import type { CfgGuardrails, CfgTenant } from '../../api/gateway-config.ts';
import { startGateway, type RunningGateway, type StartOptions } from '../server.ts';
import { config, model, tenant } from './fixtures.ts';
import { captureLogger } from './harness.ts';
import { startHostileUpstream, type HostileUpstream } from './hostile-upstream.ts';

/**
 * The output guardrails the egress tests start from: secret redaction, exfiltration neutralised (one allowed host),
 * no injection scoring, no canary, structured output not enforced; `over` replaces any of them.
 */
export function outputGuardrails(over: Partial<CfgGuardrails> = {}): CfgGuardrails {
  return {
    redaction: { detectors: ['secrets'], customPatterns: [] },
    promptInjection: { mode: 'off', threshold: 0.7 },
    exfiltration: { mode: 'neutralize', allowedHosts: ['docs.example.com'] },
    canaries: [],
    structuredOutput: { enforce: false },
    ...over,
  };
}

/** A tenant of model `m` with one key `k`, output capped at 2,048 tokens, under the guardrails given. */
export function guardedTenant(name: string, key: string, guardrails: CfgGuardrails): CfgTenant {
  return tenant({
    name,
    models: ['m'],
    keys: [{ name: 'k', key }],
    limits: { maxOutputTokens: 2048 },
    over: { guardrails },
  });
}

export async function startHostileGateway(
  tenants: CfgTenant[],
  credential: string,
  app?: StartOptions['app'],
): Promise<{ up: HostileUpstream; gw: RunningGateway }> {
  const up = await startHostileUpstream();
  try {
    const gw = await startGateway({
      config: { kind: 'static', value: config([model('m', up.url, { credentialKey: 'm-key' })], tenants) },
      host: '127.0.0.1',
      port: 0,
      metricsPort: 0,
      logger: captureLogger(),
      credentials: new Map([['m-key', credential]]),
      ...(app ? { app } : {}),
    });
    assert.ok(gw.initial.ok);
    return { up, gw };
  } catch (e) {
    await up.close();
    throw e;
  }
}

/** Closes what startHostileGateway started (either may be unset when `before` failed). */
export async function closeHostileGateway(
  gw: RunningGateway | undefined,
  up: HostileUpstream | undefined,
): Promise<void> {
  await gw?.close();
  await up?.close();
}
