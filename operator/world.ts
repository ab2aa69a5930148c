// The operator's view of the cluster: one informer per kind it reads (each keeping only what
// reconciliation reads, see kube/transforms.ts), and what is compiled from them, incrementally:
// models and policies are recompiled when one of them changes; each tenant is recompiled only when one
// of its own inputs changed (its spec or labels, its namespace's labels, its key Secrets, the models or
// the policies) or a key state changed with the clock. The gateway config is assembled from the cached
// per-tenant pieces; its text is kept as chunks, and only the chunks of tenants that changed are built again.
import { GATEWAY_CONFIG_SCHEMA_VERSION, canonicalJson, type CfgTenant } from '../api/gateway-config.ts';
import { LLMModel, LLMPolicy, LLMPolicySpec, LLMTenant, type RevokedKey } from '../api/v1alpha1/index.ts';
import { revocationSignature, tenantInformerTransform } from './status/revocations.ts';
import {
  cfgModels,
  compileModels,
  compileOneTenant,
  compilePolicies,
  withDefaults,
  type CompileOptions,
  type ModelsCompiled,
  type PoliciesCompiled,
  type TenantOutcome,
} from './compiler/index.ts';
import { canonicalMembers, tenantJson, type ConfigPieces } from './compiler/delivery.ts';
import { ChunkCache, publishOrder, tenantBytes } from './compiler/chunks.ts';
import type { SecretDigest, SecretIndex } from './compiler/keys.ts';
import { policyProblems } from './compiler/policy.ts';
import { LABEL_TENANT_NS } from './compiler/labels.ts';
import type { KubeClient } from '../kube/client.ts';
import type { KObject } from '../kube/object.ts';
import { R, type Resource } from '../kube/resources.ts';
import {
  STATUS_DIGEST,
  digestsOf,
  specDigestTransform,
  nodeTransform,
  podTransform,
  secretTransform,
} from './transforms.ts';
import { metadataTransform, objectTransform, type Transform } from '../kube/transforms.ts';
import { InFlightApplies } from './reconcile/inflight.ts';
import { EnforcementLedger, type PublishedTenant } from './status/enforcement.ts';
import { Limiter } from './runtime/limiter.ts';
import { fingerprint } from '../api/keys.ts';
import { Informer, NamespacedInformers, type Cache, type Handler } from '../kube/informer.ts';
import { GATEWAY_REPLICA_LABEL } from '../api/delivery.ts';

/** New Services created at once (each takes a cluster IP from the API server's allocator). */
export const SERVICE_CREATES = 4;

export const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=tollgate';
/** Label bring-your-own key Secrets carry so Tollgate sees them (it reads no other Secrets). */
export const KEY_MATERIAL_LABEL = 'tollgate.dev/key-material';

export interface WorldOptions {
  gatewayNamespace: string;
  resyncMs: number;
  /** Read Secrets only in these namespaces (plus the gateway's); default: every namespace. */
  secretNamespaces?: readonly string[];
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

/** What is kept per tenant between compilations: its gateway config entry as canonical JSON, and little else. */
interface TenantPiece {
  /** The inputs it was compiled from (see World.signature). */
  sig: string;
  /** Its canonical JSON's members; members many tenants share are one interned string. */
  members: readonly string[];
  changesAt: number;
  /** Policies (current versions, in force or not) whose selector matches the tenant. */
  selectedBy: readonly string[];
  /** Bumped when its members change (the published text's chunks are cached by it: compiler/chunks.ts). */
  version: number;
  /** UTF-8 bytes of its text. */
  bytes: number;
  /** Fingerprints of the keys its entry holds, not revoked (status/enforcement.ts), sorted, comma-joined. */
  keys: string;
}

/** Members of a tenant's config entry that many tenants share (interned: one string in memory). */
const SHARED_MEMBERS = new Set([
  'accessWindows',
  'anomaly',
  'guardrails',
  'ipAllowlists',
  'limits',
  'logging',
  'models',
  'suspended',
  'tier',
]);

export interface WorldStats {
  /** Tenants compiled since start (the work the config reconciler does is proportional to this). */
  tenantCompiles: number;
  /** Times the config hash was computed from the pieces. */
  configHashes: number;
  /** Refreshes that looked at every tenant (models or policies changed, or a key changed state with the clock). */
  fullRefreshes: number;
}

type PolicyStatusLastGood = { status?: { lastGood?: { spec?: string } } };

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
  readonly stats: WorldStats = { tenantCompiles: 0, configHashes: 0, fullRefreshes: 0 };
  /** Bumped by every event of the kinds whose change recompiles everything of that kind. */
  private readonly versions = { models: 0, policies: 0 };
  private modelsMemo: { v: string; value: ModelsCompiled & { invalid: Map<string, string>; json: string } } | undefined;
  private policiesMemo: { v: number; value: PoliciesCompiled } | undefined;
  private readonly pieces = new Map<string, TenantPiece>();
  /** Tenants whose inputs had an event since the last refresh. */
  private readonly dirty = new Set<string>();
  private readonly tenantsByNs = new Map<string, Set<string>>();
  private refreshedAt = { global: '', nextChangeAt: Infinity };
  /** The tenant ids in publishing order (compiler/chunks.ts publishOrder: oldest first). */
  private sortedIds: string[] = [];
  private sortedIdsVersion = -1;
  /** Bumped when a piece is added or removed (the sorted id list is rebuilt then). */
  private idsVersion = 0;
  /** Bumped when a piece changes or goes: the assembled config and the policy selections are memoized on it. */
  private piecesVersion = 0;
  private pieceSeq = 0;
  private readonly chunks = new ChunkCache();
  private assembled: { key: string; ids: string[]; hash: string; parts: string[] } | undefined;
  private selections: { key: string; value: Map<string, string[]> } | undefined;
  /** Last version of each policy that compiled, by name (also read back from LLMPolicy status after a restart). */
  readonly lastGoodPolicies = new Map<string, LLMPolicy>();
  /** Identical applies in flight at once become one (the tenant NetworkPolicy of a namespace). */
  readonly inflightApplies = new InFlightApplies();
  /** New Services (a cluster IP each) created at most this many at a time (reconcile/model.ts). */
  readonly serviceCreates = new Limiter(SERVICE_CREATES);
  /** Which tenants' keys the gateway replicas enforce (status/enforcement.ts). */
  readonly enforcement = new EnforcementLedger();
  private readonly compileOptions: CompileOptions;
  /** When the operator last published a new gateway config (publications are coalesced). */
  lastConfigPublishAt = 0;
  /** Size of the config last published (large configs are published less often while they churn). */
  lastConfigBytes = 0;
  /** Tenant entries changed since the last publication (a handful: publish at once; many: churn). */
  changedSincePublish = 0;
  /**
   * When an input of a tenant's entry last changed (ms since epoch; 0: none yet): an event of a tenant other
   * than a status write, of a Secret or a Namespace. A churn that has gone quiet is published at once.
   */
  lastChangeAt = 0;
  /** Shards named by the index the operator last published, and by the one before (undefined: not known yet). */
  publishedShards: { current: Set<string>; previous: Set<string> } | undefined;
  /** Shards deleted whose deletion the cache may not show yet. */
  readonly sweptShards = new Set<string>();

  get options(): CompileOptions {
    return this.compileOptions;
  }

  /** --secret-namespaces: the namespaces (besides the gateway's) whose Secrets are watched; undefined: all. */
  readonly secretNamespaces: readonly string[] | undefined;

  constructor(client: KubeClient, opts: WorldOptions, compileOptions: Partial<CompileOptions>) {
    this.compileOptions = withDefaults(compileOptions);
    this.secretNamespaces = opts.secretNamespaces;
    // Every informer says what it keeps (kube/transforms.ts); by default metadata, spec and status.
    const mk = (
      r: Resource,
      extra: { labelSelector?: string; namespace?: string; transform?: Transform; quietUnchanged?: boolean } = {},
    ) => new Informer(client, r, { resyncMs: opts.resyncMs, log: opts.log, transform: objectTransform, ...extra });
    this.models = mk(R.LLMModel);
    // A tenant's status is kept as its conditions and a digest (the rest is large and only ever compared).
    // conditions, a digest, and the sticky key revocations of the status (issue #13/#15: compiled into the config)
    this.tenants = mk(R.LLMTenant, { transform: tenantInformerTransform });
    this.policies = mk(R.LLMPolicy);
    // Only the labels of a Namespace are read.
    this.namespaces = mk(R.Namespace, { transform: metadataTransform, quietUnchanged: true });
    // Secrets: per-key digests only (operator/transforms.ts); key material is never cached.
    const secrets = (labelSelector: string): Cache =>
      opts.secretNamespaces && opts.secretNamespaces.length > 0
        ? new NamespacedInformers(client, R.Secret, [opts.gatewayNamespace, ...opts.secretNamespaces], {
            resyncMs: opts.resyncMs,
            log: opts.log,
            labelSelector,
            transform: secretTransform,
          })
        : mk(R.Secret, { labelSelector, transform: secretTransform });
    this.managedSecrets = secrets(MANAGED_SELECTOR);
    this.byoSecrets = secrets(`${KEY_MATERIAL_LABEL}=true`);
    this.deployments = mk(R.Deployment, { labelSelector: MANAGED_SELECTOR });
    this.services = mk(R.Service, { labelSelector: MANAGED_SELECTOR });
    this.networkPolicies = mk(R.NetworkPolicy, {
      labelSelector: MANAGED_SELECTOR,
      transform: specDigestTransform((o) => o.metadata.labels?.[LABEL_TENANT_NS] !== undefined),
    });
    this.pods = mk(R.Pod, {
      labelSelector: `${MANAGED_SELECTOR},app.kubernetes.io/component=inference`,
      transform: podTransform,
      quietUnchanged: true,
    });
    this.nodes = mk(R.Node, { transform: nodeTransform, quietUnchanged: true });
    this.gatewayLeases = mk(R.Lease, {
      namespace: opts.gatewayNamespace,
      labelSelector: GATEWAY_REPLICA_LABEL,
      transform: objectTransform,
    });
    this.all = [
      this.models,
      this.tenants,
      this.policies,
      this.namespaces,
      this.managedSecrets,
      this.byoSecrets,
      this.deployments,
      this.services,
      this.networkPolicies,
      this.pods,
      this.nodes,
      this.gatewayLeases,
    ];
    const bump =
      (which: keyof World['versions']): Handler =>
      (_o, event) => {
        if (event !== 'resync') this.versions[which]++;
      };
    this.models.on(bump('models'));
    this.policies.on(bump('policies'));
    // A deleted tenant's piece goes with it.
    // What may have changed a tenant's piece: its own events, and events of the Secrets and the Namespace
    // it reads (marked by namespace: a bring-your-own Secret may feed any tenant there).
    this.tenants.on((o, event, old) => {
      if (event === 'resync') return;
      // a status write (same generation) is not a change of the tenant's entry
      if (event !== 'update' || o.metadata.generation !== old?.metadata.generation) this.lastChangeAt = Date.now();
      const ns = o.metadata.namespace ?? 'default';
      const id = `${ns}/${o.metadata.name}`;
      let inNs = this.tenantsByNs.get(ns);
      if (event === 'delete') {
        inNs?.delete(id);
        if (inNs?.size === 0) this.tenantsByNs.delete(ns);
        if (this.pieces.delete(id)) {
          this.piecesVersion++;
          this.idsVersion++;
        }
        this.dirty.delete(id);
        return;
      }
      if (!inNs) this.tenantsByNs.set(ns, (inNs = new Set()));
      inNs.add(id);
      this.dirty.add(id);
    });
    const nsDirty: Handler = (o, event) => {
      if (event === 'resync') return;
      this.lastChangeAt = Date.now();
      const ns = o.kind === 'Namespace' ? o.metadata.name : (o.metadata.namespace ?? 'default');
      for (const id of this.tenantsByNs.get(ns) ?? []) this.dirty.add(id);
    };
    this.namespaces.on(nsDirty);
    this.managedSecrets.on(nsDirty);
    this.byoSecrets.on(nsDirty);
  }

  start(): void {
    for (const i of this.all) i.start();
  }
  stop(): void {
    for (const i of this.all) i.stop();
  }
  async waitForSync(): Promise<void> {
    await Promise.all(this.all.map((i) => i.waitForSync()));
  }

  /** Whether any LLMTenant of `namespace` is cached (tenant NetworkPolicies are one per such namespace). */
  hasTenantsIn(namespace: string): boolean {
    return (this.tenantsByNs.get(namespace)?.size ?? 0) > 0;
  }

  /** One tenant of `namespace` (namespace/name), any, or undefined. */
  firstTenantIn(namespace: string): string | undefined {
    for (const id of this.tenantsByNs.get(namespace) ?? []) return id;
    return undefined;
  }

  /** Cached Secrets as the compiler reads them (annotations and digests). */
  readonly secretIndex: SecretIndex = {
    get: (key: string): SecretDigest | undefined => {
      const o = this.managedSecrets.get(key) ?? this.byoSecrets.get(key);
      if (!o) return undefined;
      return { annotations: o.metadata.annotations ?? {}, material: digestsOf(o) ?? {} };
    },
  };

  private parseOne<T>(
    item: KObject,
    schema: {
      safeParse(
        v: unknown,
      ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
    },
  ): { ok: true; value: T } | { ok: false; why: string } {
    const { status: _status, [STATUS_DIGEST]: _digest, ...rest } = item as KObject & { status?: unknown };
    const r = schema.safeParse(rest);
    return r.success
      ? { ok: true, value: r.data }
      : { ok: false, why: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }

  private parseAll<T>(
    items: Iterable<KObject>,
    schema: Parameters<World['parseOne']>[1],
    kind: string,
    invalid?: Map<string, string>,
  ): T[] {
    const out: T[] = [];
    for (const item of items) {
      if (item.metadata.deletionTimestamp) continue;
      const r = this.parseOne<T>(item, schema as never);
      if (r.ok) out.push(r.value);
      else invalid?.set(`${kind}/${item.metadata.namespace ?? ''}/${item.metadata.name}`, r.why);
    }
    return out;
  }

  /** Models compiled, recomputed only when an LLMModel or an LLMPolicy (approved model sources) changed. */
  compiledModels(): ModelsCompiled & { invalid: Map<string, string>; json: string } {
    const v = `${this.versions.models}|${this.versions.policies}`;
    if (this.modelsMemo?.v === v) return this.modelsMemo.value;
    const invalid = new Map<string, string>();
    const compiled = compileModels(
      this.parseAll<LLMModel>(this.models.values(), LLMModel, 'LLMModel', invalid),
      this.compileOptions,
      this.compiledPolicies().inForce,
    );
    const value = { ...compiled, invalid, json: canonicalJson(cfgModels(compiled.models)) };
    this.modelsMemo = { v, value };
    return value;
  }

  /** Policies compiled (RE2 patterns included), recomputed only when an LLMPolicy changed. */
  compiledPolicies(): PoliciesCompiled {
    if (this.policiesMemo?.v === this.versions.policies) return this.policiesMemo.value;
    const objs = [...this.policies.values()];
    const policies = this.parseAll<LLMPolicy>(objs, LLMPolicy, 'LLMPolicy');
    for (const p of policies) {
      if (policyProblems(p).length === 0) {
        this.lastGoodPolicies.set(p.metadata.name, p);
        continue;
      }
      if (this.lastGoodPolicies.has(p.metadata.name)) continue;
      // After a restart or failover: the last good version the previous leader recorded in status.
      const persisted = persistedLastGood(
        objs.find((o) => o.metadata.name === p.metadata.name),
        p,
      );
      if (persisted) this.lastGoodPolicies.set(p.metadata.name, persisted);
    }
    const value = compilePolicies(policies, this.lastGoodPolicies);
    this.policiesMemo = { v: this.versions.policies, value };
    return value;
  }

  /** Everything a tenant's compilation reads, as one string: equal signatures, equal outcomes (until changesAt). */
  private signature(obj: KObject, keySecretNames: readonly string[]): string {
    const ns = obj.metadata.namespace ?? 'default';
    const nsObj = this.namespaces.get(ns);
    const secretVersions = keySecretNames
      .map(
        (n) =>
          (this.managedSecrets.get(`${ns}/${n}`) ?? this.byoSecrets.get(`${ns}/${n}`))?.metadata.resourceVersion ?? '-',
      )
      .join(',');
    // generation moves with spec (status writes do not move it); labels feed policy selectors.
    return `${obj.metadata.uid ?? ''}|${obj.metadata.generation ?? obj.metadata.resourceVersion}|${JSON.stringify(obj.metadata.labels ?? {})}|m${this.versions.models}|p${this.versions.policies}|n${nsObj?.metadata.resourceVersion ?? '-'}|s${secretVersions}|r${revocationSignature(obj)}`;
  }

  private compileTenant(obj: KObject, now: Date): { outcome: TenantOutcome; piece: TenantPiece } | undefined {
    if (obj.metadata.deletionTimestamp) return undefined;
    const parsed = this.parseOne<LLMTenant>(obj, LLMTenant as never);
    if (!parsed.ok) return undefined;
    const revokedKeys = (obj as { status?: { revokedKeys?: RevokedKey[] } }).status?.revokedKeys;
    const t: LLMTenant = revokedKeys ? { ...parsed.value, status: { revokedKeys } } : parsed.value;
    const ns = t.metadata.namespace ?? 'default';
    const nsLabels = this.namespaces.get(ns)?.metadata.labels ?? {};
    const labels = new Map([[ns, nsLabels]]);
    const policies = this.compiledPolicies();
    const outcome = compileOneTenant(
      t,
      this.compiledModels(),
      policies,
      this.secretIndex,
      labels,
      now,
      this.compileOptions,
    );
    this.stats.tenantCompiles++;
    const selectedBy = outcome.selectedBy;
    const sig = this.signature(obj, keySecretNamesOf(t));
    const members = canonicalMembers(outcome.config as unknown as Record<string, unknown>, (m, k) =>
      SHARED_MEMBERS.has(k) ? this.intern(m) : m,
    );
    return {
      outcome,
      piece: {
        sig,
        members,
        changesAt: outcome.changesAt,
        selectedBy,
        version: 0,
        bytes: tenantBytes(members),
        keys: keyFingerprints(outcome.config.keys),
      },
    };
  }

  /** Interned member strings (models granted, limits, guardrails... are the same for many tenants). */
  private readonly interned = new Map<string, string>();
  private internedLive = 0;
  private intern(m: string): string {
    const have = this.interned.get(m);
    if (have !== undefined) return have;
    // Values no tenant uses any more are dropped once the table has grown well past what is live.
    if (this.interned.size > 4 * this.internedLive + 1024) this.sweepInterned();
    this.interned.set(m, m);
    return m;
  }

  private sweepInterned(): void {
    const live = new Set<string>();
    for (const p of this.pieces.values()) for (const m of p.members) live.add(m);
    for (const k of this.interned.keys()) if (!live.has(k)) this.interned.delete(k);
    this.internedLive = this.interned.size;
  }

  private store(id: string, piece: TenantPiece): void {
    const old = this.pieces.get(id);
    if (!old) this.idsVersion++;
    const textChanged = !old || old.members.join(',') !== piece.members.join(',');
    piece.version = textChanged ? ++this.pieceSeq : old.version;
    if (textChanged || old.selectedBy.join(',') !== piece.selectedBy.join(',')) {
      this.piecesVersion++;
      this.changedSincePublish++;
    }
    this.pieces.set(id, piece);
  }

  /** The cached piece of a tenant, recompiled when its inputs changed (undefined: not compilable). */
  private piece(obj: KObject, now: Date): TenantPiece | undefined {
    const id = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const cached = this.pieces.get(id);
    if (cached && cached.changesAt > now.getTime()) {
      const names = keySecretNamesFromObject(obj);
      if (cached.sig === this.signature(obj, names)) return cached;
    }
    const r = this.compileTenant(obj, now);
    if (!r) {
      if (this.pieces.delete(id)) {
        this.piecesVersion++;
        this.idsVersion++;
      }
      return undefined;
    }
    this.store(id, r.piece);
    return r.piece;
  }

  /** One tenant in full (for its status), compiled now; its config piece is refreshed on the way. */
  tenantOutcome(namespace: string, name: string, now: Date): TenantOutcome | undefined {
    const obj = this.tenants.get(`${namespace}/${name}`);
    if (!obj) return undefined;
    const r = this.compileTenant(obj, now);
    if (!r) return undefined;
    this.store(`${namespace}/${name}`, r.piece);
    return r.outcome;
  }

  /** Why an object failed its schema (for its status). */
  invalidReason(obj: KObject, kind: 'LLMTenant' | 'LLMModel' | 'LLMPolicy'): string | undefined {
    const schema = kind === 'LLMTenant' ? LLMTenant : kind === 'LLMModel' ? LLMModel : LLMPolicy;
    const r = this.parseOne(obj, schema as never);
    return r.ok ? undefined : r.why;
  }

  /** Refresh every tenant's piece (cheap when nothing changed: one signature per tenant). */
  /**
   * Bring the pieces up to date. Only tenants marked dirty by an event are looked at, unless models or
   * policies changed, or a key changes state with the clock (then every tenant's signature is checked).
   */
  private refresh(now: Date): { ids: string[]; key: string } {
    const global = `${this.versions.models}|${this.versions.policies}`;
    if (global !== this.refreshedAt.global || now.getTime() >= this.refreshedAt.nextChangeAt) {
      let next = Infinity;
      for (const obj of this.tenants.values()) {
        const p = this.piece(obj, now);
        if (p && p.changesAt < next) next = p.changesAt;
      }
      this.refreshedAt = { global, nextChangeAt: next };
      this.stats.fullRefreshes++;
    } else {
      for (const id of this.dirty) {
        const obj = this.tenants.get(id);
        if (!obj) continue;
        const p = this.piece(obj, now);
        if (p && p.changesAt < this.refreshedAt.nextChangeAt) this.refreshedAt.nextChangeAt = p.changesAt;
      }
    }
    this.dirty.clear();
    const key = `${this.piecesVersion}|${this.versions.models}|${this.versions.policies}`;
    if (this.assembled?.key === key) return { ids: this.assembled.ids, key };
    if (this.pieces.size !== this.sortedIds.length || this.sortedIdsVersion !== this.idsVersion) {
      this.sortedIds = publishOrder(this.pieces.keys(), (id) => this.tenants.get(id)?.metadata);
      this.sortedIdsVersion = this.idsVersion;
    }
    return { ids: this.sortedIds, key };
  }

  /**
   * The gateway config's hash and its text as the parts to publish, assembled from cached chunks
   * (compiler/chunks.ts: a change to one tenant builds one chunk's text again, not the config's); and its pieces.
   */
  gatewayConfig(now: Date): {
    hash: string;
    tenants: number;
    models: number;
    parts: () => string[];
    pieces: () => ConfigPieces;
  } {
    const { ids, key } = this.refresh(now);
    const models = this.compiledModels();
    const tenants = () => ids.map((id) => ({ id, ...(this.pieces.get(id) ?? { members: [], version: -1, bytes: 2 }) }));
    const pieces = (): ConfigPieces => ({
      schemaVersion: GATEWAY_CONFIG_SCHEMA_VERSION,
      modelsJson: models.json,
      tenants: tenants().map(({ id, members }) => ({ id, members })),
    });
    if (this.assembled?.key !== key) {
      this.stats.configHashes++;
      const a = this.chunks.assemble({
        schemaVersion: GATEWAY_CONFIG_SCHEMA_VERSION,
        modelsJson: models.json,
        tenants: tenants(),
      });
      this.assembled = { key, ids, hash: a.hash, parts: a.parts };
    }
    const { hash, parts } = this.assembled;
    return {
      hash,
      tenants: ids.length,
      models: models.models.filter((m) => m.serving).length,
      parts: () => parts,
      pieces,
    };
  }

  /** Policy name -> the tenants (namespace/name, sorted) its current version selects. */
  policySelections(now: Date): Map<string, string[]> {
    const { key } = this.refresh(now);
    if (this.selections?.key === key) return this.selections.value;
    const value = new Map<string, string[]>();
    for (const id of [...this.pieces.keys()].sort()) {
      for (const p of this.pieces.get(id)?.selectedBy ?? []) {
        const list = value.get(p) ?? [];
        list.push(id);
        value.set(p, list);
      }
    }
    this.selections = { key, value };
    return value;
  }

  /**
   * [tenant id, key fingerprints] of every tenant in the config gatewayConfig() last returned: taken before any
   * await, so that what is recorded as published is what the published text holds (status/enforcement.ts).
   */
  publishedKeys(): PublishedTenant[] {
    return (this.assembled?.ids ?? []).map((id) => {
      const p = this.pieces.get(id);
      return [id, p?.keys ?? '', p?.version ?? -1];
    });
  }

  /** The version of a tenant's compiled entry (bumped when its text changes; -1: not in the config). */
  pieceVersion(id: string): number {
    return this.pieces.get(id)?.version ?? -1;
  }

  /** The config entry of one tenant, as the gateway sees it (tests, debugging). */
  tenantConfig(id: string): CfgTenant | undefined {
    const p = this.pieces.get(id);
    return p ? (JSON.parse(tenantJson({ id, members: p.members })) as CfgTenant) : undefined;
  }
}

/** The fingerprints (status/enforcement.ts) of the keys a config entry holds, not revoked. */
function keyFingerprints(keys: readonly { sha256: string; revoked: boolean }[]): string {
  return keys
    .filter((k) => !k.revoked)
    .map((k) => fingerprint(k.sha256))
    .sort()
    .join(',');
}

function keySecretNamesOf(t: LLMTenant): string[] {
  const names = new Set<string>([t.spec.keySecretName ?? `${t.metadata.name}-tollgate-keys`]);
  for (const k of t.spec.keys) if (k.secretRef) names.add(k.secretRef.name);
  return [...names];
}

/** The same names from the raw object (no schema parse on the fast path). */
function keySecretNamesFromObject(o: KObject): string[] {
  const spec = o['spec'] as { keySecretName?: unknown; keys?: { secretRef?: { name?: unknown } }[] } | undefined;
  const names = new Set<string>([
    typeof spec?.keySecretName === 'string' ? spec.keySecretName : `${o.metadata.name}-tollgate-keys`,
  ]);
  for (const k of Array.isArray(spec?.keys) ? spec.keys : [])
    if (typeof k?.secretRef?.name === 'string') names.add(k.secretRef.name);
  return [...names];
}

/** The last good spec a leader recorded in the policy's status, if it still compiles. */
export function persistedLastGood(obj: KObject | undefined, current: LLMPolicy): LLMPolicy | undefined {
  const text = (obj as (KObject & PolicyStatusLastGood) | undefined)?.status?.lastGood?.spec;
  if (typeof text !== 'string') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const spec = LLMPolicySpec.safeParse(raw);
  if (!spec.success) return undefined;
  const p: LLMPolicy = { ...current, spec: spec.data };
  return policyProblems(p).length === 0 ? p : undefined;
}
