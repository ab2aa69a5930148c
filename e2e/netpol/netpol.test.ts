// The isolation claim, enforced for real: the operator (a real process) compiles LLMModel / LLMTenant / LLMPolicy
// into NetworkPolicies on the local control plane; kube-router's NetworkPolicy controller (iptables + ipset),
// running as the kwok node the pods are scheduled on, turns them into netfilter rules; real processes in one
// network namespace per pod (the gateway, llm-d-inference-sim as the model, clients, a DNS stand-in, a fetch
// host) try every path that matters. Each test names the NetworkPolicy that decides it.
//
// Needs root (namespaces, veths, a bridge, iptables), iptables + ipset (`net.sh deps`), br_netfilter, and the
// kube-router binary (`bash e2e/cluster/build.sh kube-router`); a missing one fails the suite naming it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assembleConfigText,
  CONFIG_INDEX_KEY,
  CONFIG_INDEX_NAME,
  CONFIG_SHARD_KEY,
  parseConfigIndex,
} from '../../api/delivery.ts';
import { tenantNetworkPolicyName } from '../../operator/compiler/tenant.ts';
import type { KubeClient } from '../../kube/client.ts';
import type { KObject } from '../../kube/object.ts';
import { R } from '../../kube/resources.ts';
import { binaryPath } from '../binaries.ts';
import { render } from '../chart/helm.ts';
import { kubeconfigPath, pauseImage, repoRoot } from '../kube.ts';
import { freePort, kube } from '../operator/harness.ts';
import {
  curl,
  FETCH_IP,
  inPod,
  iptablesSave,
  listeners,
  logDir,
  net,
  NODE_IP,
  POD_CIDR,
  probe,
  start,
  until,
  type Proc,
  type ProbeResult,
} from './harness.ts';

const sfx = Date.now().toString(36).slice(-6);
const NS = {
  llm: `e2e-np-llm-${sfx}`,
  gw: `e2e-np-gw-${sfx}`,
  team: `e2e-np-team-${sfx}`,
  other: `e2e-np-other-${sfx}`,
};
const NODE = `tollgate-netpol-${sfx}`;
const TAINT = { key: 'tollgate.dev/netpol', value: 'only', effect: 'NoSchedule' };
const TOLERATION = { key: TAINT.key, operator: 'Exists', effect: TAINT.effect };
const SERVED = `e2e-np-chat-${sfx}`;
const POLICY = `e2e-np-${sfx}`;
const DNS_POD = `e2e-np-dns-${sfx}`;
const DIGEST = `registry.k8s.io/pause@sha256:${'ee1c8f7fb0d8c81d4d5c2a8a1f0ba0bd8ff3d4f5dbb4d65a8bb4d7b58cd1b3c2'}`;
const REV = '0e9e39f249a16976918f6564b8830bc894c89659';
const RELEASE = 'tollgate';
/** The chart's gateway pod labels (the operator's policies select name + component; the chart's adds instance). */
const GATEWAY_LABELS = {
  'app.kubernetes.io/name': 'tollgate',
  'app.kubernetes.io/instance': RELEASE,
  'app.kubernetes.io/component': 'gateway',
};
const MODEL_PORT = 8000; // vLLM's port (operator/compiler/engines/vllm.ts)
const MGMT_PORT = 8001; // another port on the model pod (an engine's management API, say)
const GATEWAY_PORT = 8080;
/** How long a NetworkPolicy change may take to be enforced: operator reconcile + kube-router sync. */
const BOUND_MS = Number(process.env['TOLLGATE_NETPOL_PROPAGATION_MS'] ?? 15_000);

/** The NetworkPolicies that decide the paths below (names as the operator writes them). */
const NP = {
  modelGatewayOnly: `${NS.llm}/chat-gateway-only`,
  defaultDeny: `${NS.llm}/tollgate-default-deny`,
  tenantTeam: `${NS.gw}/${tenantNetworkPolicyName(NS.team)}`,
  tenantOther: `${NS.gw}/${tenantNetworkPolicyName(NS.other)}`,
  chartGateway: `${NS.gw}/${RELEASE}-gateway`,
};

const k: KubeClient = kube();
const kc = kubeconfigPath();
const procs: Proc[] = [];
let kubeRouter: Proc | undefined;
let kubeRouterBin = '';
const ip: Record<'gw' | 'model' | 'team' | 'other' | 'dns', string> = {
  gw: '',
  model: '',
  team: '',
  other: '',
  dns: '',
};
let torndown = false;

type Pod = KObject & { spec?: { nodeName?: string }; status?: { phase?: string; podIP?: string } };

function pod(ns: string, name: string, labels: Record<string, string>): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      containers: [{ name: 'main', image: pauseImage }],
      nodeSelector: { 'kubernetes.io/hostname': NODE },
      tolerations: [TOLERATION],
      automountServiceAccountToken: false,
    },
  } as KObject;
}

function tenant(ns: string): KObject {
  return {
    apiVersion: 'tollgate.dev/v1alpha1',
    kind: 'LLMTenant',
    metadata: { name: 'app', namespace: ns },
    spec: { tier: 'gold', keys: [{ name: 'main' }] },
  };
}

async function runningPod(ns: string, selector: { name?: string; labelSelector?: string }): Promise<Pod> {
  return await until(
    `pod ${ns}/${selector.name ?? selector.labelSelector} Running with an IP on ${NODE}`,
    async () => {
      const p = selector.name
        ? await k.get<Pod>(R.Pod, ns, selector.name)
        : (await k.list<Pod>(R.Pod, { namespace: ns, labelSelector: selector.labelSelector ?? '' })).items[0];
      return p?.status?.phase === 'Running' && p.status.podIP && p.spec?.nodeName === NODE ? p : undefined;
    },
    120_000,
  );
}

/** Copies the gateway config the operator published (index Secret + shards) to the file the gateway watches. */
async function syncGatewayConfig(file: string): Promise<string> {
  type Sec = KObject & { data?: Record<string, string> };
  const idx = await k.get<Sec>(R.Secret, NS.gw, CONFIG_INDEX_NAME);
  const text = idx?.data?.[CONFIG_INDEX_KEY];
  if (!text) throw new Error('no gateway config published yet');
  const index = parseConfigIndex(Buffer.from(text, 'base64').toString('utf8'));
  const shards = new Map<string, string>();
  for (const s of index.shards) {
    const sec = await k.get<Sec>(R.Secret, NS.gw, s.name);
    shards.set(s.name, Buffer.from(sec?.data?.[CONFIG_SHARD_KEY] ?? '', 'base64').toString('utf8'));
  }
  writeFileSync(file, assembleConfigText(index, shards));
  return index.hash;
}

async function tenantKey(ns: string): Promise<string> {
  type Sec = KObject & { data?: Record<string, string> };
  const s = await until(`key Secret in ${ns}`, async () =>
    (await k.get<Sec>(R.Secret, ns, 'app-tollgate-keys'))?.data?.['main']
      ? await k.get<Sec>(R.Secret, ns, 'app-tollgate-keys')
      : undefined,
  );
  return Buffer.from(s?.data?.['main'] ?? '', 'base64').toString('utf8');
}

async function chat(from: string, key: string): Promise<{ status: number; body: string; exit: number }> {
  return await curl(from, `http://${ip.gw}:${GATEWAY_PORT}/v1/chat/completions`, {
    headers: ['content-type: application/json', `authorization: Bearer ${key}`],
    body: JSON.stringify({ model: SERVED, messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 }),
  });
}

const allowed = (r: ProbeResult, what: string) =>
  assert.ok(r.ok, `${what}: expected the connection to be accepted, got ${JSON.stringify(r)}`);
/** kube-router REJECTs (icmp-port-unreachable): the client sees ECONNREFUSED at once. */
const refused = (r: ProbeResult, what: string) =>
  assert.deepEqual(r, { ok: false, error: 'ECONNREFUSED' }, `${what}: expected a refusal by the enforcer`);

/**
 * Waits (up to BOUND_MS) for a path to reach the wanted state, then checks it still holds a second later:
 * kube-router rewrites its chains and ipsets during a sync, and a probe in that window proves nothing.
 */
async function settles(
  from: string,
  to: string,
  port: number,
  want: 'allowed' | 'refused',
): Promise<{ ms: number; result: ProbeResult }> {
  const t0 = Date.now();
  const matches = (p: ProbeResult) => (want === 'allowed' ? p.ok : !p.ok);
  for (;;) {
    const first = await until(
      `${from} -> ${to}:${port} ${want}`,
      async () => {
        const p = await probe(from, 'tcp', to, port, 1000);
        return matches(p) ? p : undefined;
      },
      Math.max(BOUND_MS - (Date.now() - t0), 1),
      100,
    );
    const ms = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const again = await probe(from, 'tcp', to, port, 1000);
    if (matches(again)) return { ms, result: again };
    if (Date.now() - t0 > BOUND_MS)
      assert.fail(
        `${from} -> ${to}:${port} was ${want} (${JSON.stringify(first)}) but not a second later (${JSON.stringify(again)})`,
      );
  }
}

/** The same listener answers from inside its own pod (traffic that never crosses the host's netfilter). */
async function listenerUp(pod: keyof typeof ip, proto: 'tcp' | 'udp', port: number): Promise<void> {
  allowed(await probe(pod, proto, ip[pod], port), `${pod} ${proto}/${port} from inside ${pod}`);
}

/** Every path the suite judges, as [from, proto, to address, port]. */
function paths(): [string, 'tcp' | 'udp', string, number][] {
  return [
    ['team', 'tcp', ip.gw, GATEWAY_PORT],
    ['team', 'tcp', ip.model, MODEL_PORT],
    ['team', 'tcp', ip.model, MGMT_PORT],
    ['other', 'tcp', ip.gw, GATEWAY_PORT],
    ['other', 'tcp', ip.model, MODEL_PORT],
    ['gw', 'tcp', ip.model, MODEL_PORT],
    ['gw', 'tcp', ip.model, MGMT_PORT],
    ['model', 'udp', ip.dns, 53],
    ['model', 'tcp', ip.dns, 53],
    ['model', 'tcp', FETCH_IP, 443],
    ['model', 'tcp', FETCH_IP, 80],
    ['model', 'tcp', ip.team, 443],
    ['model', 'tcp', ip.gw, GATEWAY_PORT],
  ];
}

async function teardown(): Promise<string> {
  torndown = true;
  for (const p of [...procs].reverse()) await p.stop();
  return await net('down');
}

describe('NetworkPolicies enforced by kube-router on a kwok node with a real pod network', { timeout: 900_000 }, () => {
  before(async () => {
    await net('deps'); // iptables, ipset, iproute2 (apt-get, when missing)
    await net('check'); // names the missing command or kernel feature
    kubeRouterBin = binaryPath('kube-router');
    // a crashed earlier run may have left its network: ours by name (tgnp*), so remove it
    try {
      await net('leftovers');
    } catch {
      await net('down');
    }

    for (const ns of Object.values(NS))
      await k.create(R.Namespace, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { 'tollgate.dev/e2e': 'true' } },
      });
    // The enforced node: its pod CIDR is the bridge's subnet (kwok hands pod IPs out of it), its InternalIP is
    // the bridge's address (kube-router enforces for pods whose hostIP is its node's IP); tainted so that
    // only this suite's pods land on it.
    await k.create(R.Node, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: NODE,
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: {
          type: 'kwok',
          'kubernetes.io/hostname': NODE,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
        },
      },
      spec: { podCIDR: POD_CIDR, podCIDRs: [POD_CIDR], taints: [TAINT] },
    } as KObject);
    const capacity = { cpu: '16', memory: '64Gi', pods: '110', 'nvidia.com/gpu': '1' };
    const status = {
      capacity,
      allocatable: capacity,
      addresses: [
        { type: 'InternalIP', address: NODE_IP },
        { type: 'Hostname', address: NODE },
      ],
    };
    // kwok's node-initialize stage fills in an InternalIP of its own when it gets there first: (re)write ours
    // until the node is Ready with it (a merge patch replaces the whole address list)
    await until(
      `node ${NODE} Ready with InternalIP ${NODE_IP}`,
      async () => {
        const n = await k.get<
          KObject & {
            status?: {
              conditions?: { type: string; status: string }[];
              addresses?: { type: string; address: string }[];
            };
          }
        >(R.Node, undefined, NODE);
        const ours =
          n?.status?.addresses?.some((a) => a.type === 'InternalIP' && a.address === NODE_IP) &&
          n.status.addresses.length === 2;
        if (!ours)
          await k.request('PATCH', `/api/v1/nodes/${NODE}/status`, {
            body: { status },
            contentType: 'application/merge-patch+json',
          });
        return ours && n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      },
      60_000,
      500,
    );

    // The operator, exactly as in production (a real process watching the API), and the custom resources.
    const health = await freePort();
    const metrics = await freePort();
    const operator = start('operator', process.execPath, [
      join(repoRoot, 'bin', 'tollgate.ts'),
      'operator',
      '--kubeconfig',
      kc,
      '--namespace',
      NS.gw,
      '--health-port',
      String(health),
      '--metrics-port',
      String(metrics),
      '--bind-address',
      '127.0.0.1',
      '--gateway-url',
      `http://gateway.${NS.gw}.svc:${GATEWAY_PORT}/v1`,
    ]);
    procs.push(operator);
    await k.create(R.LLMPolicy, {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'LLMPolicy',
      metadata: { name: POLICY },
      spec: {
        selector: { namespaces: [NS.team, NS.other] },
        tierGrants: { approve: ['gold'] },
        tiers: [{ name: 'gold', models: ['*'] }],
        limits: { maxOutputTokens: 64 },
      },
    });
    await k.create(R.LLMModel, {
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'LLMModel',
      metadata: { name: 'chat', namespace: NS.llm },
      spec: {
        engine: 'vllm',
        image: DIGEST,
        servedName: SERVED,
        contextLength: 4096,
        model: { huggingface: { repo: 'org/model', revision: REV } },
        resources: { gpus: 1, memory: '1Gi' },
        scheduling: { nodeSelector: { 'kubernetes.io/hostname': NODE }, tolerations: [TOLERATION] },
      },
    });
    await k.create(R.LLMTenant, tenant(NS.team));
    // The chart's own NetworkPolicy for the gateway pods (helm template of charts/tollgate, defaults), as installed.
    const chartNp = (await render({}, { release: RELEASE, namespace: NS.gw })).find(
      (o) =>
        o.kind === 'NetworkPolicy' &&
        (o['spec'] as { podSelector?: { matchLabels?: Record<string, string> } }).podSelector?.matchLabels?.[
          'app.kubernetes.io/component'
        ] === 'gateway',
    );
    assert.ok(chartNp, 'the chart renders a NetworkPolicy for the gateway pods');
    assert.equal(`${NS.gw}/${chartNp.metadata.name}`, NP.chartGateway);
    await k.create(R.NetworkPolicy, { ...chartNp, metadata: { ...chartNp.metadata, namespace: NS.gw } } as KObject);

    // Pods the operator does not make: the gateway (the chart's, in production), clients, a DNS stand-in.
    await k.create(R.Pod, pod(NS.gw, 'gateway', GATEWAY_LABELS));
    await k.create(R.Pod, pod(NS.team, 'client', { app: 'client' }));
    await k.create(R.Pod, pod(NS.other, 'client', { app: 'client' }));
    await k.create(R.Pod, pod('kube-system', DNS_POD, { 'k8s-app': 'kube-dns' }));
    ip.gw = (await runningPod(NS.gw, { name: 'gateway' })).status?.podIP ?? '';
    ip.team = (await runningPod(NS.team, { name: 'client' })).status?.podIP ?? '';
    ip.other = (await runningPod(NS.other, { name: 'client' })).status?.podIP ?? '';
    ip.dns = (await runningPod('kube-system', { name: DNS_POD })).status?.podIP ?? '';
    ip.model = (await runningPod(NS.llm, { labelSelector: 'tollgate.dev/model=chat' })).status?.podIP ?? '';
    console.log(`pod IPs: ${JSON.stringify(ip)}`);

    // The network: one namespace per pod on the bridge, with the IP the cluster assigned.
    await net('up', POD_CIDR, NODE_IP);
    // /32 plus an on-link route for the pod CIDR: kwok may hand out the CIDR's first address (.0), which as
    // ADDR/24 the kernel would also treat as the subnet's broadcast address
    for (const [name, addr] of Object.entries(ip)) await net('pod', name, `${addr}/32`, POD_CIDR, `${FETCH_IP}/32`);
    await net('pod', 'fetch', `${FETCH_IP}/32`, POD_CIDR);

    // Real processes on the pods' IPs.
    procs.push(await listeners('model', ip.model, [`tcp:${MGMT_PORT}`]));
    procs.push(await listeners('team', ip.team, ['tcp:443', `tcp:${GATEWAY_PORT}`]));
    procs.push(await listeners('other', ip.other, ['tcp:443']));
    procs.push(await listeners('dns', ip.dns, ['udp:53', 'tcp:53']));
    procs.push(await listeners('fetch', FETCH_IP, ['tcp:443', 'tcp:80']));
    const sim = inPod(
      'model',
      'llm-d-inference-sim',
      binaryPath('llm-d-inference-sim'),
      [
        '--port',
        String(MODEL_PORT),
        '--model',
        SERVED,
        '--served-model-name',
        SERVED,
        '--mode',
        'random',
        '--force-dummy-tokenizer',
        '--max-model-len',
        '4096',
        '--time-to-first-token',
        '5ms',
        '--inter-token-latency',
        '1ms',
      ],
      { LLM_D_SIM_BIND_ADDRESS: ip.model },
    );
    procs.push(sim);
    await until(
      'llm-d-inference-sim on the model pod',
      async () => (await probe('model', 'tcp', ip.model, MODEL_PORT, 1000)).error !== 'ECONNREFUSED',
      30_000,
      200,
    );

    // The gateway enforces the config the operator published (copied from its Secrets: the API server listens
    // on the host's loopback, which a pod's namespace cannot reach).
    const configFile = join(logDir, 'gateway-config.json');
    await until(
      'the operator to publish a gateway config naming the tenant',
      async () => (await syncGatewayConfig(configFile)) && (await tenantKey(NS.team)) !== '',
      60_000,
      500,
    );
    const gw = inPod('gw', 'gateway', process.execPath, [
      join(repoRoot, 'bin', 'tollgate.ts'),
      'gateway',
      '--config',
      configFile,
      '--host',
      ip.gw,
      '--port',
      String(GATEWAY_PORT),
      '--metrics-host',
      '127.0.0.1',
      '--metrics-port',
      '9090',
      '--upstream',
      `${SERVED}=http://${ip.model}:${MODEL_PORT}/v1`,
    ]);
    procs.push(gw);
    await until(
      'the gateway to be ready',
      async () => (await curl('gw', `http://${ip.gw}:${GATEWAY_PORT}/readyz`, { timeoutS: 2 })).status === 200,
      60_000,
      250,
    );
    // the operator's NetworkPolicies exist before the enforcer starts
    for (const id of [NP.modelGatewayOnly, NP.defaultDeny, NP.tenantTeam]) {
      const [ns, name] = id.split('/') as [string, string];
      await until(`NetworkPolicy ${id}`, async () => await k.get(R.NetworkPolicy, ns, name), 60_000, 250);
    }
  });

  after(async () => {
    if (!torndown) {
      try {
        await teardown();
      } catch (err) {
        console.error(String(err));
      }
    }
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
    try {
      await k.delete(R.Pod, 'kube-system', DNS_POD);
    } catch {
      /* gone */
    }
    // gone before the next suite starts: an operator there would otherwise see this suite's objects go away
    try {
      await until(
        "the suite's namespaces to be deleted",
        async () => {
          for (const ns of Object.values(NS)) if (await k.get(R.Namespace, undefined, ns)) return false;
          return true;
        },
        90_000,
        500,
      );
    } catch (err) {
      console.error(String(err));
    }
    try {
      await k.delete(R.Node, undefined, NODE);
    } catch {
      /* gone */
    }
    console.log(`netpol e2e logs: ${logDir}`);
  });

  it('without an enforcer every path below is open (so each refusal later is the policy, not a dead listener)', async () => {
    for (const [from, proto, to, port] of paths())
      allowed(await probe(from, proto, to, port), `${from} -> ${to}:${port}/${proto} (no enforcer yet)`);
    // start the enforcer: kube-router's NetworkPolicy controller only, as the node the pods run on
    const t0 = Date.now();
    kubeRouter = start('kube-router', kubeRouterBin, [
      '--run-firewall=true',
      '--run-router=false',
      '--run-service-proxy=false',
      '--run-loadbalancer=false',
      `--hostname-override=${NODE}`,
      `--kubeconfig=${kc}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--health-port=0',
      '--metrics-port=0',
      '--enable-ipv6=false',
      '--v=1',
    ]);
    procs.push(kubeRouter);
    await until(
      'kube-router to write firewall chains for the gateway and model pods',
      async () => {
        if (kubeRouter?.child.exitCode !== null)
          throw new Error(`kube-router exited ${kubeRouter?.child.exitCode}: ${kubeRouter?.output().slice(-2000)}`);
        const rules = await iptablesSave();
        return rules.includes(`name:gateway namespace: ${NS.gw}`) && rules.includes(`namespace: ${NS.llm}`);
      },
      60_000,
      250,
    );
    console.log(`kube-router enforcing after ${Date.now() - t0} ms`);
  });

  it(`tenant namespace -> gateway: allowed, end to end to the model (${NP.tenantTeam}; ${NP.modelGatewayOnly})`, async () => {
    allowed(await probe('team', 'tcp', ip.gw, GATEWAY_PORT), 'team -> gateway');
    const r = await chat('team', await tenantKey(NS.team));
    assert.equal(r.status, 200, `chat through the gateway: ${r.body.slice(0, 300)}`);
    assert.ok((JSON.parse(r.body) as { choices?: unknown[] }).choices?.length, 'a completion');
  });

  it(`tenant namespace -> model pod directly: denied (${NP.defaultDeny}, ${NP.modelGatewayOnly} admit gateway pods only)`, async () => {
    refused(await probe('team', 'tcp', ip.model, MODEL_PORT), 'team -> model:8000');
    refused(await probe('team', 'tcp', ip.model, MGMT_PORT), 'team -> model:8001');
    await listenerUp('model', 'tcp', MGMT_PORT);
  });

  it(`unrelated namespace -> gateway and -> model pod: denied (no LLMTenant: only ${NP.tenantTeam} selects the gateway pods; ${NP.modelGatewayOnly})`, async () => {
    refused(await probe('other', 'tcp', ip.gw, GATEWAY_PORT), 'other -> gateway');
    const r = await curl('other', `http://${ip.gw}:${GATEWAY_PORT}/healthz`, { timeoutS: 3 });
    assert.equal(r.status, 0, 'no HTTP answer from the gateway');
    refused(await probe('other', 'tcp', ip.model, MODEL_PORT), 'other -> model');
  });

  it(`gateway -> model pod: allowed on the model port, denied on any other (${NP.modelGatewayOnly}: ingress TCP ${MODEL_PORT} from gateway pods)`, async () => {
    allowed(await probe('gw', 'tcp', ip.model, MODEL_PORT), 'gateway -> model:8000');
    refused(await probe('gw', 'tcp', ip.model, MGMT_PORT), 'gateway -> model:8001');
    await listenerUp('model', 'tcp', MGMT_PORT);
  });

  it(`model pod -> DNS and its fetch egress only (${NP.modelGatewayOnly} egress; ${NP.defaultDeny})`, async () => {
    allowed(await probe('model', 'udp', ip.dns, 53), 'model -> kube-dns udp/53');
    allowed(await probe('model', 'tcp', ip.dns, 53), 'model -> kube-dns tcp/53');
    allowed(await probe('model', 'tcp', FETCH_IP, 443), `model -> ${FETCH_IP}:443 (weights fetch egress)`);
    refused(await probe('model', 'tcp', FETCH_IP, 80), `model -> ${FETCH_IP}:80`);
    refused(
      await probe('model', 'tcp', ip.team, 443),
      'model -> a tenant pod on 443 (private range: excepted from the fetch egress)',
    );
    refused(await probe('model', 'tcp', ip.gw, GATEWAY_PORT), 'model -> gateway');
    refused(await probe('model', 'tcp', ip.dns, 80), 'model -> kube-dns on a non-DNS port');
    await listenerUp('team', 'tcp', 443);
  });

  it(`an LLMTenant opens its namespace's path to the gateway within ${BOUND_MS} ms (${NP.tenantOther}), never to the model`, async () => {
    await k.create(R.LLMTenant, tenant(NS.other));
    const { ms } = await settles('other', ip.gw, GATEWAY_PORT, 'allowed');
    console.log(`LLMTenant created -> namespace reaches the gateway after ${ms} ms`);
    refused(await probe('other', 'tcp', ip.model, MODEL_PORT), 'other -> model');
  });

  it(`deleting the LLMTenant closes its namespace's access within ${BOUND_MS} ms (${NP.tenantTeam} deleted)`, async () => {
    allowed(await probe('team', 'tcp', ip.gw, GATEWAY_PORT), 'team -> gateway before');
    await k.delete(R.LLMTenant, NS.team, 'app');
    const { ms, result } = await settles('team', ip.gw, GATEWAY_PORT, 'refused');
    console.log(`LLMTenant deleted -> namespace cut off from the gateway after ${ms} ms`);
    refused(result, 'team -> gateway after');
    const [ns, name] = NP.tenantTeam.split('/') as [string, string];
    assert.equal(await k.get(R.NetworkPolicy, ns, name), undefined, `${NP.tenantTeam} deleted`);
    allowed(await probe('other', 'tcp', ip.gw, GATEWAY_PORT), 'other (still a tenant) -> gateway');
  });

  it(`deleting the last LLMTenant leaves the gateway closed to everyone (${NP.chartGateway} still selects the gateway pods)`, async () => {
    await k.delete(R.LLMTenant, NS.other, 'app');
    // the operator deletes the tenant's NetworkPolicy; wait for that, then give kube-router a sync to act on it
    const [gns, tname] = NP.tenantOther.split('/') as [string, string];
    await until(
      `${NP.tenantOther} deleted`,
      async () => (await k.get(R.NetworkPolicy, gns, tname)) === undefined,
      BOUND_MS,
      100,
    );
    await until(
      `kube-router to drop ${NP.tenantOther}'s rules`,
      async () =>
        !(await iptablesSave()).includes(`policy name ${tname} `) &&
        !(await iptablesSave()).includes(`policy name: ${tname} `),
      BOUND_MS,
      100,
    );
    const { result } = await settles('other', ip.gw, GATEWAY_PORT, 'refused');
    refused(result, 'other -> gateway after its LLMTenant is gone');
    refused(await probe('team', 'tcp', ip.gw, GATEWAY_PORT), 'team -> gateway');
  });

  it('tears the network down leaving no namespace, link, iptables rule or ipset behind', async () => {
    const out = await teardown();
    assert.match(out, /nothing left behind/);
    const rules = await iptablesSave();
    assert.doesNotMatch(rules, /KUBE-|tgnp/, 'no kube-router chain or rule in the filter table');
  });
});
