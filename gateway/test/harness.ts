// Test harness: a real gateway (startGateway) in front of the real built-in simulator, with every log
// line captured, and a scan that fails the file if any log line or response body holds a fragment (8+
// characters) of any key the tests generated.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import type pino from 'pino';
import type { GatewayConfig } from '../../api/gateway-config.ts';
import { createLogger } from '../audit.ts';
import { startGateway, type RunningGateway, type StartOptions } from '../server.ts';
import { startSimulator, type SimOptions, type Simulator } from '../sim/sim.ts';
import { ALL_KEYS } from './fixtures.ts';

/** Everything the gateways of this process logged, and every response body tests read. */
export const CAPTURED: string[] = [];

export function captureLogger(): pino.Logger {
  return createLogger({ level: 'debug', destination: { write: (s: string) => void CAPTURED.push(s) } });
}

export interface Stack {
  gw: RunningGateway;
  sim: Simulator;
  url: string;
  close(): Promise<void>;
}

export async function startStack(
  makeConfig: (simUrl: string) => GatewayConfig,
  opts: Partial<StartOptions> & { sim?: SimOptions } = {},
): Promise<Stack> {
  const sim = await startSimulator(opts.sim ?? {});
  const gw = await startGateway({
    config: { kind: 'static', value: makeConfig(sim.url) },
    host: '127.0.0.1',
    port: 0,
    metricsPort: 0,
    logger: captureLogger(),
    ...opts,
  });
  assert.ok(gw.initial.ok, gw.initial.ok ? '' : gw.initial.error.message);
  return {
    gw,
    sim,
    url: gw.url,
    close: async () => {
      await gw.close();
      await sim.close();
    },
  };
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: { error?: { message: string; type: string; param: string | null; code: string } } & Record<string, unknown>;
}

export async function call(
  url: string,
  path: string,
  opts: { key?: string; body?: unknown; raw?: string; method?: string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
  const hasBody = opts.body !== undefined || opts.raw !== undefined;
  if (hasBody && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url + path, {
    method: opts.method ?? (hasBody ? 'POST' : 'GET'),
    headers,
    ...(hasBody ? { body: opts.raw ?? JSON.stringify(opts.body) } : {}),
  });
  const text = await r.text();
  CAPTURED.push(text);
  let json: Res['json'] = {};
  try {
    json = JSON.parse(text) as Res['json'];
  } catch {
    // SSE or text
  }
  return { status: r.status, headers: r.headers, text, json };
}

export const chat = (model: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model,
  messages: [{ role: 'user', content: 'Say hello.' }],
  ...extra,
});

/** Fails when any captured text holds 8+ consecutive characters of a generated key. */
export function assertNoKeyFragments(texts: readonly string[], keys: readonly string[]): void {
  const windows = new Set<string>();
  for (const k of keys) for (let i = 0; i + 8 <= k.length; i++) windows.add(k.slice(i, i + 8));
  for (const t of texts) {
    for (let i = 0; i + 8 <= t.length; i++) {
      const w = t.slice(i, i + 8);
      if (windows.has(w))
        assert.fail(
          `a key fragment "${w.slice(0, 2)}…" appears in captured output: ${t.slice(Math.max(0, i - 40), i).replace(/tgk_\w*/g, '…')}`,
        );
    }
  }
}

/** Register the leak scan for this test file (runs after every test in it). */
export function installLeakScan(): void {
  after(() => {
    assert.ok(CAPTURED.length > 0, 'no log lines were captured: the scan would prove nothing');
    assertNoKeyFragments(CAPTURED, ALL_KEYS);
  });
}

/** Poll a gateway's /readyz (tenant or admin URL) until it answers 200, for up to 20 s. */
export async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway at ${url} not ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
