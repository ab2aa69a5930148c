// The operator's view of the cluster: one informer per kind it reads, and the compiled result of all
// of it, memoized per cache version (a burst of reconciles shares one compile).
import type { V1Namespace, V1Secret } from '@kubernetes/client-node';
import { LLMModel, LLMPolicy, LLMTenant } from '../api/v1alpha1/index.ts';
import {
  compile, compileModels, compileOneTenant, compilePolicies, namespaceLabelIndex, withDefaults,
  type CompileOptions, type CompileResult, type ModelsCompiled, type PoliciesCompiled, type TenantOutcome,
} from './compiler/index.ts';
import { secretIndex, type SecretIndex } from './compiler/keys.ts';
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
  /** Bumped by every event of the kinds the compiler reads; one counter per input. */
  private readonly versions = { models: 0, tenants: 0, policies: 0, namespaces: 0, secrets: 0 };
  private memo: { key: string; at: number; value: { result: CompileResult; invalid: Map<string, string> } } | undefined;
  private modelsMemo: { v: number; value: ModelsCompiled & { invalid: Map<string, string> } } | undefined;
  private policiesMemo: { v: number; value: PoliciesCompiled } | undefined;
  private secretsMemo: { v: number; value: SecretIndex } | undefined;
  private nsMemo: { v: number; value: Map<string, Record<string, string>> } | undefined;
  /** Last version of each policy that compiled, by name. */
  readonly lastGoodPolicies = new Map<string, LLMPolicy>();
  private readonly compileOptions: CompileOptions;
  /** When the operator last published a new gateway config (publications are coalesced). */
  lastConfigPublishAt = 0;

  get options(): CompileOptions { return this.compileOptions; }

  constructor(client: KubeClient, opts: WorldOptions, compileOptions: Partial<CompileOptions>) {
    this.compileOptions = withDefaults(compileOptions);
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
    // Anything the compiler reads invalidates what was compiled from it.
    const bump = (which: keyof World['versions']): Handler => (_o, event) => { if (event !== 'resync') this.versions[which]++; };
    this.models.on(bump('models'));
    this.tenants.on(bump('tenants'));
    this.policies.on(bump('policies'));
    this.namespaces.on(bump('namespaces'));
    this.managedSecrets.on(bump('secrets'));
    this.byoSecrets.on(bump('secrets'));
  }

  start(): void { for (const i of this.all) i.start(); }
  stop(): void { for (const i of this.all) i.stop(); }
  async waitForSync(): Promise<void> { await Promise.all(this.all.map((i) => i.waitForSync())); }

  secrets(): V1Secret[] {
    return [...this.managedSecrets.list(), ...this.byoSecrets.list()] as unknown as V1Secret[];
  }

  private parse<T>(items: KObject[], schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, kind: string, invalid: Map<string, string>): T[] {
    const out: T[] = [];
    for (const item of items) {
      if (item.metadata.deletionTimestamp) continue;
      const { status: _status, ...rest } = item as KObject & { status?: unknown };
      const r = schema.safeParse(rest);
      if (r.success) out.push(r.data);
      else invalid.set(`${kind}/${item.metadata.namespace ?? ''}/${item.metadata.name}`, r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    return out;
  }

  /** Models compiled, recomputed only when an LLMModel changed. */
  compiledModels(): ModelsCompiled & { invalid: Map<string, string> } {
    if (this.modelsMemo?.v === this.versions.models) return this.modelsMemo.value;
    const invalid = new Map<string, string>();
    const value = { ...compileModels(this.parse(this.models.list(), LLMModel, 'LLMModel', invalid), this.compileOptions), invalid };
    this.modelsMemo = { v: this.versions.models, value };
    return value;
  }

  /** Policies compiled (RE2 patterns included), recomputed only when an LLMPolicy changed. */
  compiledPolicies(): PoliciesCompiled {
    if (this.policiesMemo?.v === this.versions.policies) return this.policiesMemo.value;
    const policies = this.parse(this.policies.list(), LLMPolicy, 'LLMPolicy', new Map());
    for (const p of policies) if (policyProblems(p).length === 0) this.lastGoodPolicies.set(p.metadata.name, p);
    const value = compilePolicies(policies, this.lastGoodPolicies);
    this.policiesMemo = { v: this.versions.policies, value };
    return value;
  }

  private secretIdx(): SecretIndex {
    if (this.secretsMemo?.v === this.versions.secrets) return this.secretsMemo.value;
    const value = secretIndex(this.secrets());
    this.secretsMemo = { v: this.versions.secrets, value };
    return value;
  }

  private nsLabels(): Map<string, Record<string, string>> {
    if (this.nsMemo?.v === this.versions.namespaces) return this.nsMemo.value;
    const value = namespaceLabelIndex(this.namespaces.list() as unknown as V1Namespace[]);
    this.nsMemo = { v: this.versions.namespaces, value };
    return value;
  }

  /** One tenant, compiled against the memoized models and policies. */
  tenantOutcome(namespace: string, name: string, now: Date): TenantOutcome | undefined {
    const obj = this.tenants.get(`${namespace}/${name}`);
    if (!obj) return undefined;
    const [tenant] = this.parse([obj], LLMTenant, 'LLMTenant', new Map());
    if (!tenant) return undefined;
    return compileOneTenant(tenant, this.compiledModels(), this.compiledPolicies(), this.secretIdx(), this.nsLabels(), now, this.compileOptions);
  }

  /** Everything (for the gateway config and policy status); objects that fail their schema are reported, not compiled. */
  compiled(now = new Date()): { result: CompileResult; invalid: Map<string, string> } {
    const key = JSON.stringify(this.versions);
    if (this.memo && this.memo.key === key && now.getTime() - this.memo.at < 1000) return this.memo.value;
    const invalid = new Map<string, string>(this.compiledModels().invalid);
    const result = compile({
      models: this.parse(this.models.list(), LLMModel, 'LLMModel', new Map()),
      tenants: this.parse(this.tenants.list(), LLMTenant, 'LLMTenant', invalid),
      policies: this.parse(this.policies.list(), LLMPolicy, 'LLMPolicy', invalid),
      secrets: this.secrets(),
      namespaces: this.namespaces.list() as unknown as V1Namespace[],
      lastGoodPolicies: this.lastGoodPolicies,
      now,
    }, this.compileOptions);
    this.memo = { key, at: now.getTime(), value: { result, invalid } };
    return this.memo.value;
  }
}
