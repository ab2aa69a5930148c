// The gateway's command line (gateway/command.ts): flags -> start options as a table, usage errors, and the
// container entry `node gateway/main.ts` (no CLI: `-f` is refused with a pointer to `tollgate gateway -f`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createLogger } from './audit.ts';
import { gatewayOptions, GatewayUsageError, parseGatewayFlags, type ManifestLoader } from './command.ts';
import type { StartOptions } from './server.ts';

const log = createLogger({ level: 'silent' });
const loader: ManifestLoader = () => async () => ({});
const options = (argv: string[], env: Record<string, string> = {}, manifests?: ManifestLoader): StartOptions =>
  gatewayOptions(parseGatewayFlags(argv), env, log, manifests);

describe('gateway flags -> start options', () => {
  type Row = [name: string, argv: string[], env: Record<string, string>, expect: Partial<StartOptions>];
  const ROWS: Row[] = [
    [
      'defaults with a config file',
      ['--config', 'c.json'],
      {},
      {
        config: { kind: 'file', path: 'c.json' },
        host: '127.0.0.1',
        port: 8080,
        metricsHost: '127.0.0.1',
        metricsPort: 9090,
        rateLimitFailureMode: 'closed',
        watchIntervalMs: 1000,
        handleSignals: true,
        app: { enforcement: true, timeouts: {} },
      },
    ],
    [
      'the cluster, namespace from the pod',
      ['--from-cluster'],
      { POD_NAMESPACE: 'gw' },
      { config: { kind: 'cluster', namespace: 'gw' } },
    ],
    [
      'the cluster, namespace and kubeconfig given',
      ['--from-cluster', '--namespace', 'x', '--kubeconfig', 'k'],
      { POD_NAMESPACE: 'gw' },
      { config: { kind: 'cluster', namespace: 'x', kubeconfig: 'k' } },
    ],
    [
      'the cluster, default namespace',
      ['--from-cluster'],
      {},
      { config: { kind: 'cluster', namespace: 'tollgate-system' } },
    ],
    [
      'listeners',
      ['--config', 'c', '--host', '0.0.0.0', '--port', '1', '--metrics-host', '127.0.0.1', '--metrics-port', '2'],
      {},
      { host: '0.0.0.0', port: 1, metricsHost: '127.0.0.1', metricsPort: 2 },
    ],
    [
      'TLS pair, local failure mode, credentials dir',
      [
        '--config',
        'c',
        '--tls-cert',
        'a.pem',
        '--tls-key',
        'b.pem',
        '--rate-limit-failure-mode',
        'local',
        '--upstream-credentials-dir',
        '/creds',
      ],
      {},
      { tls: { certFile: 'a.pem', keyFile: 'b.pem' }, rateLimitFailureMode: 'local', credentialsDir: '/creds' },
    ],
    [
      'Redis URL from the environment',
      ['--config', 'c'],
      { TOLLGATE_REDIS_URL: 'redis://r:6379' },
      { redisUrl: 'redis://r:6379' },
    ],
    [
      'upstreams, timeouts, trusted proxies, enforcement off',
      [
        '--config',
        'c',
        '--upstream',
        'm=http://127.0.0.1:8000/v1',
        '--idle-timeout-ms',
        '5',
        '--total-timeout-ms',
        '0',
        '--request-timeout-ms',
        '60000',
        '--trust-proxy',
        '10.0.0.0/8, 127.0.0.1',
        '--no-enforcement',
      ],
      {},
      {
        upstreamOverrides: new Map([['m', 'http://127.0.0.1:8000/v1']]),
        app: {
          enforcement: false,
          timeouts: { idleMs: 5, totalMs: 0 },
          trustProxy: ['10.0.0.0/8', '127.0.0.1'],
          requestTimeoutMs: 60_000,
        },
      },
    ],
    [
      'trust-proxy true',
      ['--config', 'c', '--trust-proxy', 'true'],
      {},
      { app: { enforcement: true, timeouts: {}, trustProxy: true } },
    ],
  ];
  for (const [name, argv, env, expect] of ROWS) {
    it(name, () => {
      const o = options(argv, env);
      for (const [k, v] of Object.entries(expect)) assert.deepEqual(o[k as keyof StartOptions], v, k);
    });
  }

  it('-f compiles through the loader it is given, labelled with the paths', () => {
    const o = options(['-f', 'a', '-f', 'b', '-R'], {}, loader);
    assert.equal(o.config.kind, 'loader');
    assert.deepEqual(o.config.kind === 'loader' && [o.config.paths, o.config.label], [['a', 'b'], 'manifests:a,b']);
  });

  const USAGE: [name: string, argv: string[], env: Record<string, string>, message: RegExp][] = [
    ['no config source', [], {}, /exactly one of --config FILE, -f PATH... or --from-cluster/],
    ['two config sources', ['--config', 'c', '--from-cluster'], {}, /exactly one/],
    ['-f without the compiler (the container entry)', ['-f', 'examples'], {}, /run `tollgate gateway -f`/],
    ['an unknown flag', ['--config', 'c', '--frobnicate'], {}, /Unknown option '--frobnicate'/],
    ['a flag without its value', ['--config'], {}, /argument missing/],
    ['--upstream without NAME=', ['--config', 'c', '--upstream', 'http://x'], {}, /--upstream wants NAME=URL/],
    ['--upstream with a non-URL', ['--config', 'c', '--upstream', 'm=not a url'], {}, /is not a URL/],
    ['a negative port', ['--config', 'c', '--port=-1'], {}, /--port must be a non-negative integer/],
    ['a fractional timeout', ['--config', 'c', '--idle-timeout-ms', '1.5'], {}, /--idle-timeout-ms must be/],
    [
      'no arrival deadline',
      ['--config', 'c', '--request-timeout-ms', '0'],
      {},
      /--request-timeout-ms must be at least/,
    ],
    [
      'a TLS certificate without its key',
      ['--config', 'c', '--tls-cert', 'a.pem'],
      {},
      /--tls-cert and --tls-key together/,
    ],
    ['an unknown failure mode', ['--config', 'c', '--rate-limit-failure-mode', 'open'], {}, /closed or local/],
    [
      'the Redis URL two ways',
      ['--config', 'c', '--redis-url', 'redis://a'],
      { TOLLGATE_REDIS_URL: 'redis://b' },
      /one way only/,
    ],
  ];
  for (const [name, argv, env, message] of USAGE) {
    it(`usage error: ${name}`, () => {
      assert.throws(
        () => options(argv, env),
        (e: unknown) => e instanceof GatewayUsageError && message.test(e.message),
      );
    });
  }
});

describe('node gateway/main.ts (the container entry)', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['gateway/main.ts', ...args], {
      encoding: 'utf8',
      env: { ...process.env, TOLLGATE_NO_REEXEC: '1' },
      timeout: 30_000,
    });

  it('--help prints the usage and exits 0', () => {
    const r = run('--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: tollgate gateway/);
  });

  it('a usage error exits 2 with the usage; -f points at the CLI', () => {
    const r = run('-f', 'examples');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^tollgate gateway: -f needs the manifest compiler/);
    assert.match(r.stderr, /Usage: tollgate gateway/);
  });

  it('a config that does not load exits 1', () => {
    const r = run('--config', '/nonexistent/config.json', '--port', '0', '--metrics-port', '0', '--log-level', 'fatal');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /tollgate gateway: no valid config/);
  });
});
