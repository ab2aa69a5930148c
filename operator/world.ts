// The operator's view of the cluster: one informer per kind it reads, and the compiled result of all
// of it, memoized per cache version (a burst of reconciles shares one compile).
import type { V1Namespace, V1Secret } from '@kubernetes/client-node';
import { LLMModel, LLMPolicy, LLMTenant } from '../api/v1alpha1/index.ts';
import { compile, type CompileOptions, type CompileResult } from './compiler/index.ts';
import { policyProblems } from './compiler/policy.ts';
import type { KubeClient } from './kube/client.ts';
import type { KObject } from './kube/object.ts';
import { R, type Resource } from './kube/resources.ts';
import { Informer, NamespacedInformers, type Cache, type Handler } from './runtime/informer.ts';

export const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=tollgate';
/** Label bring-your-own key Secrets carry so Tollgate sees them (it reads no other Secrets). */
export const KEY_MATERIAL_LABEL = 'tollgate.dev/key-material';
export const GATEWAY_REPLICA_LABEL = 'tollgate.dev/gateway-replica';

export interface WorldOptions {
  gatewayNamespace: string;
  resyncMs: number;
  /** Read Secrets only in these namespaces (plus the gateway's); default: every namespace. */
  secretNamespaces?: readonly string[];
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export class World {
  readonly models: Informer;
  readonly tenants: Informer;
  readonly policies: Informer;
  readonly namespaces: Informer;
  readonly managedSecrets: Cache;
  readonly byoSecrets: Cache;
  readonly deployments: Informer;
  readonly services: Informer;
  readonly networkPolicies: Informer;
  readonly pods: Informer;
  readonly nodes: Informer;
  readonly gatewayLeases: Informer;
  readonly all: Cache[];
  private version = 0;
  private memo: { version: number; at: number; result: CompileResult; invalid: Map<string, string> } | undefined;
  /** Last version of each policy that compiled, by name. */
  readonly lastGoodPolicies = new Map<string, LLMPolicy>();
  private readonly compileOptions: Partial<CompileOptions>;

  constructor(client: KubeClient, opts: WorldOptions, compileOptions: Partial<CompileOptions>) {
    this.compileOptions = compileOptions;
    const mk = (r: Resource, extra: { labelSelector?: string; namespace?: string } = {}) => new Informer(client, r, { resyncMs: opts.resyncMs, log: opts.log, ...extra });
    this.models = mk(R.LLMModel);
    this.tenants = mk(R.LLMTenant);
    this.policies = mk(R.LLMPolicy);
    this.namespaces = mk(R.Namespace);
    const secrets = (labelSelector: string): Cache => opts.secretNamespaces && opts.secretNamespaces.length > 0
      ? new NamespacedInformers(client, R.Secret, [opts.gatewayNamespace, ...opts.secretNamespaces], { resyncMs: opts.resyncMs, log: opts.log, labelSelector })
      : mk(R.Secret, { labelSelector });
    this.managedSecrets = secrets(MANAGED_SELECTOR);
    this.byoSecrets = secrets(`${KEY_MATERIAL_LABEL}=true`);
    this.deployments = mk(R.Deployment, { labelSelector: MANAGED_SELECTOR });
    this.services = mk(R.Service, { labelSelector: MANAGED_SELECTOR });
    this.networkPolicies = mk(R.NetworkPolicy, { labelSelector: MANAGED_SELECTOR });
    this.pods = mk(R.Pod, { labelSelector: `${MANAGED_SELECTOR},app.kubernetes.io/component=inference` });
    this.nodes = mk(R.Node);
    this.gatewayLeases = mk(R.Lease, { namespace: opts.gatewayNamespace, labelSelector: GATEWAY_REPLICA_LABEL });
    this.all = [this.models, this.tenants, this.policies, this.namespaces, this.managedSecrets, this.byoSecrets, this.deployments, this.services, this.networkPolicies, this.pods, this.nodes, this.gatewayLeases];
    // Anything the compiler reads invalidates the memo.
    const bump: Handler = (_o, event) => { if (event !== 'resync') this.version++; };
    for (const i of [this.models, this.tenants, this.policies, this.namespaces, this.managedSecrets, this.byoSecrets]) i.on(bump);
  }

  start(): void { for (const i of this.all) i.start(); }
  stop(): void { for (const i of this.all) i.stop(); }
  async waitForSync(): Promise<void> { await Promise.all(this.all.map((i) => i.waitForSync())); }

  secrets(): V1Secret[] {
    return [...this.managedSecrets.list(), ...this.byoSecrets.list()] as unknown as V1Secret[];
  }

  /** Compile everything; objects that fail their schema are reported, not compiled. */
  compiled(now = new Date()): { result: CompileResult; invalid: Map<string, string> } {
    if (this.memo && this.memo.version === this.version && now.getTime() - this.memo.at < 1000) return this.memo;
    const invalid = new Map<string, string>();
    const parse = <T>(items: KObject[], schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, kind: string): T[] => {
      const out: T[] = [];
      for (const item of items) {
        if (item.metadata.deletionTimestamp) continue;
        const { status: _status, ...rest } = item as KObject & { status?: unknown };
        const r = schema.safeParse(rest);
        if (r.success) out.push(r.data);
        else invalid.set(`${kind}/${item.metadata.namespace ?? ''}/${item.metadata.name}`, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      }
      return out;
    };
    const policies = parse(this.policies.list(), LLMPolicy, 'LLMPolicy');
    for (const p of policies) if (policyProblems(p).length === 0) this.lastGoodPolicies.set(p.metadata.name, p);
    const result = compile({
      models: parse(this.models.list(), LLMModel, 'LLMModel'),
      tenants: parse(this.tenants.list(), LLMTenant, 'LLMTenant'),
      policies,
      secrets: this.secrets(),
      namespaces: this.namespaces.list() as unknown as V1Namespace[],
      lastGoodPolicies: this.lastGoodPolicies,
      now,
    }, this.compileOptions);
    this.memo = { version: this.version, at: now.getTime(), result, invalid };
    return this.memo;
  }
}
