// The operator on a real control plane: it reconciles LLMModel / LLMTenant / LLMPolicy into Deployments
// the real scheduler places on kwok GPU nodes, NetworkPolicies, tenant keys and a gateway config that a
// gateway in in-cluster mode hot-swaps. Tenant keys work end to end (gateway -> llm-d-inference-sim) and
// stop working within seconds of suspension, revocation or budget exhaustion.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeError, type KubeClient } from '../../kube/client.ts';
import type { KObject } from '../../kube/object.ts';
import { R } from '../../kube/resources.ts';
import { kubeconfigPath } from '../kube.ts';
import {
  WRITE_VERBS,
  freePort,
  httpJson,
  kube,
  logDir,
  metricSum,
  simulator,
  tollgate,
  until,
  type Proc,
} from './harness.ts';

const sfx = Date.now().toString(36).slice(-6);
const NS = { llm: `e2e-op-llm-${sfx}`, team: `e2e-op-team-${sfx}`, gw: `e2e-op-gw-${sfx}` };
const SERVED = `e2e-chat-${sfx}`;
const POLICY = `e2e-op-${sfx}`;
const DIGEST = `registry.k8s.io/pause@sha256:${'ee1c8f7fb0d8c81d4d5c2a8a1f0ba0bd8ff3d4f5dbb4d65a8bb4d7b58cd1b3c2'.slice(0, 64)}`;
const REV = '0e9e39f249a16976918f6564b8830bc894c89659';
const QUIET_SECONDS = Number(process.env['TOLLGATE_E2E_QUIET_SECONDS'] ?? 60);

const k: KubeClient = kube();
const kc = kubeconfigPath();
const procs: Proc[] = [];
let opA: Proc;
let gateway: Proc;
let ports: { opHealth: number; opMetrics: number; gw: number; gwAdmin: number; sim: number };

type Status = {
  conditions?: { type: string; status: string; reason: string; message: string }[];
  [k: string]: unknown;
};
type WithStatus = KObject & { status?: Status; spec?: Record<string, unknown>; data?: Record<string, string> };

const get = async (r: (typeof R)[keyof typeof R], ns: string | undefined, name: string) =>
  await k.get<WithStatus>(r, ns, name);
const cond = (o: WithStatus | undefined, type: string) => o?.status?.conditions?.find((c) => c.type === type);

function model(name: string, spec: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMModel',
    metadata: { name, namespace: NS.llm },
    spec: {
      engine: 'vllm',
      image: DIGEST,
      servedName: SERVED,
      contextLength: 4096,
      model: { huggingface: { repo: 'org/model', revision: REV } },
      resources: { gpus: 1, memory: '1Gi' },
      scheduling: { nodeSelector: { 'tollgate.dev/gpu-pool': 'a100' } },
      ...spec,
    },
  };
}

function tenant(spec: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMTenant',
    metadata: { name: 'app', namespace: NS.team },
    spec: { tier: 'gold', keys: [{ name: 'main' }, { name: 'second' }], ...spec },
  };
}

async function patchSpec(
  r: typeof R.LLMTenant | typeof R.LLMModel,
  ns: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await k.request('PATCH', `/apis/tollgate.dev/v1alpha1/namespaces/${ns}/${r.plural}/${name}`, {
    body: { spec },
    contentType: 'application/merge-patch+json',
  });
}

async function tenantKey(name: string): Promise<string> {
  const s = await until(`key Secret with ${name}`, async () => {
    const sec = await get(R.Secret, NS.team, 'app-tollgate-keys');
    return sec?.data?.[name] ? sec : undefined;
  });
  return Buffer.from(s.data?.[name] ?? '', 'base64').toString('utf8');
}

async function chat(key: string): Promise<{ status: number; code?: string; body: unknown }> {
  const r = await httpJson(`http://127.0.0.1:${ports.gw}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: SERVED, messages: [{ role: 'user', content: 'hello' }], max_tokens: 16 }),
  });
  const code = (r.body as { error?: { code?: string } })?.error?.code;
  return { status: r.status, ...(code ? { code } : {}), body: r.body };
}

async function gatewayHash(): Promise<string | undefined> {
  const r = await httpJson(`http://127.0.0.1:${ports.gwAdmin}/readyz`);
  return (r.body as { config?: { hash?: string } })?.config?.hash ?? (r.body as { hash?: string })?.hash;
}

async function publishedHash(): Promise<string | undefined> {
  return (await get(R.Secret, NS.gw, 'tollgate-gateway-config'))?.metadata.annotations?.['tollgate.dev/config-hash'];
}

/** The gateway enforces what the operator last published (and, given `previous`, something newer than it). */
async function propagated(previous?: string): Promise<void> {
  await until(
    'gateway to enforce the published config',
    async () => {
      const p = await publishedHash();
      return p !== undefined && p !== previous && p === (await gatewayHash());
    },
    30_000,
    100,
  );
}

/** Writes the operator makes, leader-election Lease renewals aside (those are its heartbeat). */
const operatorWrites = (metricsPort: number) =>
  metricSum(
    `http://127.0.0.1:${metricsPort}/metrics`,
    'tollgate_operator_api_requests_total',
    (l) => WRITE_VERBS.test(l) && !l.includes('resource="leases"'),
  );

function startOperator(name: string, health: number, metrics: number): Proc {
  const p = tollgate(name, [
    'operator',
    '--kubeconfig',
    kc,
    '--namespace',
    NS.gw,
    '--leader-elect',
    '--identity',
    name,
    '--health-port',
    String(health),
    '--metrics-port',
    String(metrics),
    '--bind-address',
    '127.0.0.1',
    '--gateway-url',
    `http://127.0.0.1:${ports.gw}/v1`,
  ]);
  procs.push(p);
  return p;
}

describe('operator on the local control plane', { timeout: 900_000 }, () => {
  before(async () => {
    ports = {
      opHealth: await freePort(),
      opMetrics: await freePort(),
      gw: await freePort(),
      gwAdmin: await freePort(),
      sim: await freePort(),
    };
    for (const ns of Object.values(NS))
      await k.create(R.Namespace, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { 'tollgate.dev/e2e': 'true' } },
      });
    const sim = simulator(ports.sim, SERVED);
    procs.push(sim);
    opA = startOperator('operator-a', ports.opHealth, ports.opMetrics);
    gateway = tollgate('gateway', [
      'gateway',
      '--from-cluster',
      '--namespace',
      NS.gw,
      '--kubeconfig',
      kc,
      '--port',
      String(ports.gw),
      '--metrics-port',
      String(ports.gwAdmin),
      '--upstream',
      `${SERVED}=http://127.0.0.1:${ports.sim}/v1`,
    ]);
    procs.push(gateway);
    await until(
      'operator healthy',
      async () => (await httpJson(`http://127.0.0.1:${ports.opHealth}/healthz`)).status === 200,
      60_000,
    );
    await until(
      'simulator up',
      async () => (await httpJson(`http://127.0.0.1:${ports.sim}/v1/models`)).status === 200,
      30_000,
    );
    await k.create(R.LLMPolicy, {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'LLMPolicy',
      metadata: { name: POLICY },
      spec: {
        selector: { namespaces: [NS.team] },
        tierGrants: { approve: ['gold'] },
        tiers: [{ name: 'gold', models: ['*'] }],
        limits: { maxOutputTokens: 64 },
      },
    });
    await k.create(R.LLMModel, model('chat'));
    await k.create(
      R.LLMModel,
      model('huge', { servedName: `e2e-huge-${sfx}`, resources: { gpus: 16, memory: '1Gi' } }),
    );
    await k.create(R.LLMTenant, tenant());
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    try {
      await k.delete(R.LLMPolicy, undefined, POLICY);
    } catch {
      /* gone */
    }
    for (const ns of Object.values(NS)) {
      try {
        await k.delete(R.Namespace, undefined, ns);
      } catch {
        /* gone */
      }
    }
    console.log(`operator e2e logs: ${logDir}`);
  });

  it('converges the model: GPU pod scheduled by the real scheduler and Running under kwok', async () => {
    const m = await until(
      'model Ready',
      async () => {
        const o = await get(R.LLMModel, NS.llm, 'chat');
        return cond(o, 'Ready')?.status === 'True' ? o : undefined;
      },
      120_000,
    );
    assert.equal(m.status?.['availableReplicas'], 1);
    assert.equal(m.status?.['image'], DIGEST);
    const pods = await k.list<WithStatus>(R.Pod, { namespace: NS.llm, labelSelector: 'tollgate.dev/model=chat' });
    assert.equal(pods.items.length, 1);
    const pod = pods.items[0] as WithStatus & {
      spec: { nodeName?: string; containers: { resources: { limits: Record<string, string> } }[] };
    };
    assert.match(pod.spec.nodeName ?? '', /^gpu-a100-/);
    assert.equal(pod.spec.containers[0]?.resources.limits['nvidia.com/gpu'], '1');
    assert.equal((pod.status as { phase?: string } | undefined)?.phase, 'Running');
  });

  it("reports a model that needs more GPUs than any node has, with the scheduler's reason", async () => {
    const m = await until(
      'huge model Unschedulable',
      async () => {
        const o = await get(R.LLMModel, NS.llm, 'huge');
        return cond(o, 'Ready')?.reason === 'Unschedulable' ? o : undefined;
      },
      60_000,
    );
    const msg = cond(m, 'Scheduled')?.message ?? '';
    assert.match(msg, /needs 16 nvidia\.com\/gpu, largest node has 8/);
    assert.match(msg, /Insufficient nvidia\.com\/gpu/);
  });

  it('creates the Service and NetworkPolicies as designed', async () => {
    const svc = await get(R.Service, NS.llm, 'chat-llm');
    assert.ok(svc, 'service');
    const np = (await get(R.NetworkPolicy, NS.llm, 'chat-gateway-only')) as WithStatus & {
      spec: { ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> } }[] }[] };
    };
    assert.deepEqual(np.spec.ingress[0]?.from[0]?.namespaceSelector.matchLabels, {
      'kubernetes.io/metadata.name': NS.gw,
    });
    assert.ok(await get(R.NetworkPolicy, NS.llm, 'tollgate-default-deny'), 'default deny');
    const tenantNps = await k.list(R.NetworkPolicy, {
      namespace: NS.gw,
      labelSelector: `tollgate.dev/tenant-namespace=${NS.team}`,
    });
    assert.equal(tenantNps.items.length, 1);
  });

  it('serves an operator-issued key end to end through the gateway in in-cluster mode', async () => {
    const key = await tenantKey('main');
    assert.match(key, /^tgk_[0-9A-Za-z]{46}$/);
    const t = await until('tenant Ready', async () => {
      const o = await get(R.LLMTenant, NS.team, 'app');
      return cond(o, 'Ready')?.status === 'True' ? o : undefined;
    });
    const keys = t.status?.['keys'] as { name: string; state: string; fingerprint: string }[];
    assert.deepEqual(
      keys.map((x) => [x.name, x.state]),
      [
        ['main', 'Active'],
        ['second', 'Active'],
      ],
    );
    assert.ok(!JSON.stringify(t.status).includes(key.slice(4, 20)), 'status never carries key material');
    await propagated();
    const r = await until(
      'a completion',
      async () => {
        const c = await chat(key);
        return c.status === 200 ? c : undefined;
      },
      30_000,
    );
    assert.ok((r.body as { choices?: unknown[] }).choices?.length);
  });

  it('a new tenant is Ready only once the gateway accepts its key: the first call after Ready is served', async () => {
    const name = 'fresh';
    await k.create(R.LLMTenant, {
      ...tenant({ keys: [{ name: 'main' }] }),
      metadata: { name, namespace: NS.team },
    });
    try {
      const t0 = Date.now();
      await until(
        'the new tenant Ready',
        async () => (cond(await get(R.LLMTenant, NS.team, name), 'Ready')?.status === 'True' ? true : undefined),
        30_000,
        25,
      );
      console.log(`new tenant Ready after ${Date.now() - t0} ms`);
      const sec = await get(R.Secret, NS.team, `${name}-tollgate-keys`);
      const r = await chat(Buffer.from(sec?.data?.['main'] ?? '', 'base64').toString('utf8'));
      assert.equal(r.status, 200, `the first call after Ready: ${r.status} ${r.code ?? ''}`);
    } finally {
      await k.delete(R.LLMTenant, NS.team, name); // the later tests count the tenants of this namespace
    }
  });

  it('stops a key within seconds of suspension, and serves again when lifted', async () => {
    const key = await tenantKey('main');
    const t0 = Date.now();
    await patchSpec(R.LLMTenant, NS.team, 'app', { suspended: true });
    await until('suspension enforced', async () => (await chat(key)).code === 'tenant_suspended', 10_000, 100);
    console.log(`suspension enforced after ${Date.now() - t0} ms`);
    await patchSpec(R.LLMTenant, NS.team, 'app', { suspended: false });
    await until('served again', async () => (await chat(key)).status === 200, 10_000, 100);
  });

  it('stops a revoked key within seconds; the other key keeps working', async () => {
    const main = await tenantKey('main');
    const second = await tenantKey('second');
    const t0 = Date.now();
    await patchSpec(R.LLMTenant, NS.team, 'app', { keys: [{ name: 'main', revoked: true }, { name: 'second' }] });
    await until('revocation enforced', async () => (await chat(main)).code === 'revoked_api_key', 10_000, 100);
    console.log(`revocation enforced after ${Date.now() - t0} ms`);
    assert.equal((await chat(second)).status, 200);
    const t = await until('status shows Revoked', async () => {
      const o = await get(R.LLMTenant, NS.team, 'app');
      return (o?.status?.['keys'] as { name: string; state: string }[] | undefined)?.find((x) => x.name === 'main')
        ?.state === 'Revoked'
        ? o
        : undefined;
    });
    assert.ok(t);
  });

  it('revocation lifecycle by key material (issue #13): annotation revoke -> 401, sticky in status, KeyRevoked Event; rotate -> new key works, old material stays revoked; unrevoke -> works again', async () => {
    type KeyRow = { name: string; state: string; fingerprint?: string; reason?: string };
    const keysOf = async () =>
      ((await get(R.LLMTenant, NS.team, 'app'))?.status?.['keys'] as KeyRow[] | undefined) ?? [];
    const fpOf = async (name: string) =>
      until(
        `fingerprint of ${name}`,
        async () => (await keysOf()).find((x) => x.name === name && x.fingerprint)?.fingerprint,
      );
    const annotate = (ann: Record<string, string | null>) =>
      k.request('PATCH', `/apis/tollgate.dev/v1alpha1/namespaces/${NS.team}/llmtenants/app`, {
        body: { metadata: { annotations: ann } },
        contentType: 'application/merge-patch+json',
      });
    await patchSpec(R.LLMTenant, NS.team, 'app', {
      keys: [{ name: 'main', revoked: true }, { name: 'second' }, { name: 'third' }],
    });
    const third = await tenantKey('third');
    await until('third key served', async () => (await chat(third)).status === 200, 30_000, 100);
    const fp3 = await fpOf('third');
    const t0 = Date.now();
    await annotate({ [`tollgate.dev/revoke.${fp3}`]: 'leaked in a ticket' });
    await until(
      'annotation revocation enforced',
      async () => (await chat(third)).code === 'revoked_api_key',
      15_000,
      100,
    );
    console.log(`annotation revocation enforced after ${Date.now() - t0} ms`);
    const st = await until('sticky record in status', async () => {
      const o = await get(R.LLMTenant, NS.team, 'app');
      const rk = o?.status?.['revokedKeys'] as { fingerprint: string; by: string; key?: string }[] | undefined;
      return rk?.find((r) => r.fingerprint === fp3) ? o : undefined;
    });
    assert.equal((st.status?.['keys'] as KeyRow[]).find((x) => x.name === 'third')?.state, 'Revoked');
    const events = await until(
      'KeyRevoked Event',
      async () => {
        const list = await k.list<KObject & { reason?: string; note?: string }>(R.Event, { namespace: NS.team });
        const e = list.items.filter((x) => x.reason === 'KeyRevoked' && x.note?.includes(fp3));
        return e.length > 0 ? e : undefined;
      },
      15_000,
    );
    assert.match(events[0]!.note ?? '', /leaked in a ticket/);
    // rotation: new material works at once; the revoked old material (third.previous, in its grace period) does not
    await patchSpec(R.LLMTenant, NS.team, 'app', {
      keys: [{ name: 'main', revoked: true }, { name: 'second' }, { name: 'third', rotation: 1 }],
    });
    const third2 = await until(
      'rotated key',
      async () => {
        const v = await tenantKey('third');
        return v !== third ? v : undefined;
      },
      30_000,
    );
    await until('the rotated key is served', async () => (await chat(third2)).status === 200, 30_000, 100);
    assert.equal((await chat(third)).code, 'revoked_api_key');
    // unrevoke: revoke `second` by annotation, then lift it: served again
    const fp2 = await fpOf('second');
    const second = await tenantKey('second');
    await annotate({ [`tollgate.dev/revoke.${fp2}`]: 'test', [`tollgate.dev/revoke.${fp3}`]: null });
    await until('second revoked', async () => (await chat(second)).code === 'revoked_api_key', 15_000, 100);
    await annotate({
      [`tollgate.dev/revoke.${fp2}`]: null,
      [`tollgate.dev/unrevoke.${fp2}`]: new Date(Date.now() + 5_000).toISOString(),
    });
    await until('second served again', async () => (await chat(second)).status === 200, 15_000, 100);
    assert.equal(
      (await chat(third)).code,
      'revoked_api_key',
      'the sticky record of the old third material stays (no unrevoke for it)',
    );
  });

  it('refuses a tenant whose budget is exhausted, before calling the model', async () => {
    const second = await tenantKey('second');
    const before = await publishedHash();
    await patchSpec(R.LLMTenant, NS.team, 'app', { budget: { tokens: { limit: 400, window: '1h' } } });
    await propagated(before);
    let refused: { status: number; code?: string } | undefined;
    for (let i = 0; i < 40 && !refused; i++) {
      const r = await chat(second);
      if (r.status !== 200) refused = r;
    }
    // budget windows are aligned to the clock: in the last minute of an hour the refusal is budget_window_full
    // (429 with Retry-After: the window resets within a retry), else OpenAI's exhausted-quota 429
    assert.ok(
      refused?.code === 'insufficient_quota' ||
        (refused?.code === 'budget_window_full' && new Date().getUTCMinutes() >= 58),
      JSON.stringify(refused),
    );
    assert.equal(refused?.status, 429);
    await patchSpec(R.LLMTenant, NS.team, 'app', { budget: null });
  });

  it('reverts hand edits to owned objects (drift)', async () => {
    await k.request('PATCH', `/apis/apps/v1/namespaces/${NS.llm}/deployments/chat-engine`, {
      query: { fieldManager: 'someone-by-hand' },
      body: { spec: { replicas: 3 } },
      contentType: 'application/merge-patch+json',
    });
    await until(
      'replicas reverted',
      async () => (await get(R.Deployment, NS.llm, 'chat-engine'))?.spec?.['replicas'] === 1,
      30_000,
      200,
    );
  });

  it('reports a served-name clash on both models and keeps the older one serving', async () => {
    await k.create(R.LLMModel, model('chat-copy'));
    const copy = await until('clash on the newer', async () => {
      const o = await get(R.LLMModel, NS.llm, 'chat-copy');
      return cond(o, 'ServedNameConflict')?.status === 'True' ? o : undefined;
    });
    assert.equal(cond(copy, 'Ready')?.reason, 'ServedNameConflict');
    const orig = await until('clash on the older', async () => {
      const o = await get(R.LLMModel, NS.llm, 'chat');
      return cond(o, 'ServedNameConflict')?.status === 'True' ? o : undefined;
    });
    assert.equal(cond(orig, 'Ready')?.status, 'True');
    await k.delete(R.LLMModel, NS.llm, 'chat-copy');
  });

  it(`makes zero writes for ${QUIET_SECONDS} s once converged`, async () => {
    await until(
      'the clash to clear',
      async () => cond(await get(R.LLMModel, NS.llm, 'chat'), 'ServedNameConflict')?.status === 'False',
      30_000,
    );
    await propagated();
    // settle: let in-flight reconciles (and the informer round trip of the last writes) finish
    let last = await operatorWrites(ports.opMetrics);
    await until(
      'writes to settle',
      async () => {
        await new Promise((r) => setTimeout(r, 3000));
        const now = await operatorWrites(ports.opMetrics);
        const same = now === last;
        last = now;
        return same;
      },
      60_000,
      0,
    );
    const before = await operatorWrites(ports.opMetrics);
    await new Promise((r) => setTimeout(r, QUIET_SECONDS * 1000));
    const afterWrites = await operatorWrites(ports.opMetrics);
    const breakdown = (await (await fetch(`http://127.0.0.1:${ports.opMetrics}/metrics`)).text())
      .split('\n')
      .filter((l) => l.startsWith('tollgate_operator_api_requests_total') && WRITE_VERBS.test(l))
      .join('\n');
    assert.equal(
      afterWrites - before,
      0,
      `operator wrote ${afterWrites - before} times while nothing changed (see ${opA.log}):\n${breakdown}`,
    );
  });

  it('keeps a second replica passive until the Lease moves', async () => {
    const bHealth = await freePort();
    const bMetrics = await freePort();
    const opB = startOperator('operator-b', bHealth, bMetrics);
    await until(
      'operator-b up',
      async () => (await httpJson(`http://127.0.0.1:${bHealth}/healthz`)).status === 200,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await metricSum(`http://127.0.0.1:${bMetrics}/metrics`, 'tollgate_operator_leader'), 0);
    assert.equal(await operatorWrites(bMetrics), 0, 'a standby makes no writes');
    // The leader stops gracefully and releases the Lease: the standby takes over at once.
    const t0 = Date.now();
    await opA.stop('SIGTERM');
    await until(
      'operator-b leads',
      async () => (await metricSum(`http://127.0.0.1:${bMetrics}/metrics`, 'tollgate_operator_leader')) === 1,
      30_000,
      200,
    );
    console.log(`lease moved in ${Date.now() - t0} ms`);
    // The new leader serves changes.
    await patchSpec(R.LLMTenant, NS.team, 'app', { suspended: true });
    await until(
      'suspension via the new leader',
      async () => cond(await get(R.LLMTenant, NS.team, 'app'), 'Ready')?.reason === 'Suspended',
      30_000,
    );
    await patchSpec(R.LLMTenant, NS.team, 'app', { suspended: false });
    opA = opB;
    ports.opMetrics = bMetrics;
  });

  it('converges with no duplicates after being killed mid-reconcile', async () => {
    const keysBefore = (await get(R.Secret, NS.team, 'app-tollgate-keys'))?.data;
    for (let i = 0; i < 10; i++)
      await k.create(R.LLMTenant, { ...tenant(), metadata: { name: `burst-${i}`, namespace: NS.team } });
    await new Promise((r) => setTimeout(r, 300));
    await opA.stop('SIGKILL');
    const restarted = startOperator('operator-c', await freePort(), await freePort());
    opA = restarted;
    await until(
      'burst tenants Ready',
      async () => {
        const list = await k.list<WithStatus>(R.LLMTenant, { namespace: NS.team });
        return (
          list.items
            .filter((t) => t.metadata.name.startsWith('burst-'))
            .every((t) => cond(t, 'Ready')?.status === 'True') && list.items.length === 11
        );
      },
      120_000,
      500,
    );
    const secrets = await k.list(R.Secret, {
      namespace: NS.team,
      labelSelector: 'app.kubernetes.io/managed-by=tollgate',
    });
    assert.equal(secrets.items.length, 11, 'one key Secret per tenant');
    const nps = await k.list(R.NetworkPolicy, {
      namespace: NS.gw,
      labelSelector: `tollgate.dev/tenant-namespace=${NS.team}`,
    });
    assert.equal(nps.items.length, 1, 'one NetworkPolicy per tenant namespace, not per tenant');
    assert.deepEqual(
      (await get(R.Secret, NS.team, 'app-tollgate-keys'))?.data,
      keysBefore,
      'issued keys survive a restart unchanged',
    );
  });

  it('removes what a CR owned when it is deleted (garbage collector and sweep)', async () => {
    await k.delete(R.LLMModel, NS.llm, 'huge');
    await until(
      'huge Deployment gone',
      async () => (await get(R.Deployment, NS.llm, 'huge-engine')) === undefined,
      60_000,
      500,
    );
    await until('huge Service gone', async () => (await get(R.Service, NS.llm, 'huge-llm')) === undefined, 60_000, 500);
    await k.delete(R.LLMTenant, NS.team, 'burst-0');
    await until(
      'key Secret gone',
      async () => (await get(R.Secret, NS.team, 'burst-0-tollgate-keys')) === undefined,
      60_000,
      500,
    );
    // the namespace's NetworkPolicy stays while other tenants live there (it goes with the last one: e2e/netpol)
    await propagated();
    const nps = await k.list(R.NetworkPolicy, {
      namespace: NS.gw,
      labelSelector: `tollgate.dev/tenant-namespace=${NS.team}`,
    });
    assert.equal(nps.items.length, 1);
  });

  it('surfaces whether gateway replicas run the latest config', async () => {
    await propagated();
    const idx = await until(
      'replica summary',
      async () => {
        const s = await get(R.Secret, NS.gw, 'tollgate-gateway-config');
        const v = s?.metadata.annotations?.['tollgate.dev/gateway-replicas'];
        return v?.startsWith('1/1') ? v : undefined;
      },
      30_000,
      500,
    );
    assert.match(idx, /^1\/1 replicas on [a-f0-9]{12}$/);
  });

  it('collects the Lease of a gateway replica that is gone', async () => {
    const renewed = new Date(Date.now() - 3600_000).toISOString().replace(/Z$/, '000Z');
    await k.create(R.Lease, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'tollgate-gateway-gone-pod',
        namespace: NS.gw,
        labels: { 'tollgate.dev/gateway-replica': 'true' },
      },
      spec: { holderIdentity: 'gone-pod', leaseDurationSeconds: 30, renewTime: renewed },
    });
    await until(
      'stale replica Lease deleted',
      async () => (await get(R.Lease, NS.gw, 'tollgate-gateway-gone-pod')) === undefined,
      30_000,
      500,
    );
    assert.ok(
      (await k.list(R.Lease, { namespace: NS.gw, labelSelector: 'tollgate.dev/gateway-replica' })).items.length >= 1,
      'the live replica keeps its Lease',
    );
  });

  it("keeps a broken policy's last good version in force after a failover (recorded in its status)", async () => {
    const good = await until('last good version recorded', async () => {
      const o = await get(R.LLMPolicy, undefined, POLICY);
      return (o?.status?.['lastGood'] as { spec?: string } | undefined)?.spec ? o : undefined;
    });
    assert.deepEqual(JSON.parse((good.status?.['lastGood'] as { spec: string }).spec).limits, { maxOutputTokens: 64 });
    await k.request('PATCH', `/apis/tollgate.dev/v1alpha1/llmpolicies/${POLICY}`, {
      body: {
        spec: {
          limits: { maxOutputTokens: 32 },
          guardrails: { redaction: { customPatterns: [{ name: 'broken', pattern: '(' }] } },
        },
      },
      contentType: 'application/merge-patch+json',
    });
    await until(
      'policy reports its last good version in force',
      async () => cond(await get(R.LLMPolicy, undefined, POLICY), 'Ready')?.reason === 'LastGoodInForce',
      30_000,
      200,
    );
    // A new leader that never saw the good version.
    await opA.stop('SIGKILL');
    opA = startOperator('operator-d', (ports.opHealth = await freePort()), (ports.opMetrics = await freePort()));
    await until(
      'operator-d leads',
      async () =>
        (await metricSum(`http://127.0.0.1:${ports.opMetrics}/metrics`, 'tollgate_operator_leader').catch(() => 0)) ===
        1,
      60_000,
      500,
    );
    // poke the tenant so the new leader recompiles it now
    await patchSpec(R.LLMTenant, NS.team, 'app', { contact: 'failover' });
    await until(
      'tenant reconciled by the new leader',
      async () => {
        const o = await get(R.LLMTenant, NS.team, 'app');
        return o?.status?.['observedGeneration'] === o?.metadata.generation;
      },
      30_000,
      200,
    );
    const t = await get(R.LLMTenant, NS.team, 'app');
    assert.equal(cond(t, 'Ready')?.status, 'True', `still served: ${cond(t, 'Ready')?.message}`);
    assert.equal(cond(await get(R.LLMPolicy, undefined, POLICY), 'Ready')?.reason, 'LastGoodInForce');
    await propagated();
    const key = await tenantKey('second');
    const r = await chat(key);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await k.request('PATCH', `/apis/tollgate.dev/v1alpha1/llmpolicies/${POLICY}`, {
      body: { spec: { limits: { maxOutputTokens: 64 }, guardrails: null } },
      contentType: 'application/merge-patch+json',
    });
  });
});

export { KubeError };
