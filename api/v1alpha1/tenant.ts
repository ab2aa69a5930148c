// LLMTenant: a team's request for access, in the team's own namespace.
import { z } from 'zod';
import {
  API_VERSION,
  atomicList,
  Conditions,
  describe,
  dnsLabel,
  duration,
  mapList,
  ObjectMeta,
  setList,
  withRules,
} from '../meta.ts';
import { Budget, RateLimits, RequestLimits } from './budget.ts';
import { Scope } from './model.ts';

export const TenantKey = z.strictObject({
  name: describe(dnsLabel(), 'Key name; the key is stored under this name in the tenant key Secret.'),
  scopes: describe(
    setList(z.array(Scope).min(1).max(4)).default(['chat.completions', 'completions', 'embeddings', 'models.list']),
    'Endpoints this key may call.',
  ),
  expiresAt: describe(z.iso.datetime({ offset: true }).optional(), 'RFC 3339 time after which the key is refused.'),
  revoked: describe(z.boolean().default(false), 'Revoke the key now (kept in status as Revoked).'),
  rotation: describe(
    z.int().min(0).max(1_000_000).default(0),
    'Increase to rotate: the operator issues a new key and keeps the previous one valid for the grace period.',
  ),
  secretRef: describe(
    z
      .strictObject({
        name: describe(z.string().min(1).max(253), 'Name of the Secret.'),
        key: describe(z.string().min(1).max(253), 'Key inside the Secret holding the API key.'),
      })
      .optional(),
    'Take the key from this Secret in the tenant namespace instead of letting the operator issue one (any format, 32-4096 characters; only its sha256 is used).',
  ),
  rateLimits: describe(
    RateLimits.optional(),
    'Limits of this key alone (e.g. a batch key slower than an interactive one); the tenant limits still apply to all keys together.',
  ),
  budget: describe(Budget.optional(), 'Budget of this key alone, within the tenant budget.'),
});
export type TenantKey = z.infer<typeof TenantKey>;

export const LLMTenantSpec = describe(
  withRules(
    z.strictObject({
      tier: describe(
        dnsLabel(),
        'Requested tier. A request only: the tier in force is granted by LLMPolicy tierGrants (status.tierGrant says which and why).',
      ),
      models: describe(
        setList(z.array(z.string().min(1).max(128)).max(256)).default([]),
        'Requested served model names; empty means all the tier is entitled to.',
      ),
      keys: describe(
        mapList(z.array(TenantKey).max(32), ['name']).default([]),
        'API keys of this tenant, by name (server-side apply merges them per name).',
      ),
      budget: describe(
        Budget.optional(),
        'Requested budget; the effective one is the smaller of this and the policies.',
      ),
      rateLimits: describe(
        RateLimits.optional(),
        'Requested limits; the effective ones are the smaller of these and the policies.',
      ),
      limits: describe(
        RequestLimits.optional(),
        'Requested per-request limits; the effective ones are the smaller of these and the policies.',
      ),
      suspended: describe(
        z.boolean().default(false),
        'Self-suspension: the tenant team pauses its own access. It cannot lift a platform suspension (LLMPolicy suspend).',
      ),
      keySecretName: describe(
        z.string().min(1).max(253).optional(),
        'Secret the operator issues keys into (default <tenant>-tollgate-keys).',
      ),
      rotationGracePeriod: describe(duration().default('24h'), 'How long a rotated-out key stays valid.'),
      contact: describe(z.string().max(256).optional(), 'Owner contact shown in audit and status.'),
    }),
    [
      {
        rule: 'self.keys.all(k, self.keys.exists_one(j, j.name == k.name))',
        message: 'key names must be unique',
        fieldPath: '.keys',
        check: (v) => new Set(v.keys.map((k) => k.name)).size === v.keys.length,
      },
    ],
  ),
  'What the tenant team asks for: a tier, models, limits (only ever less than its policies grant) and its API keys. The operator issues the keys into a Secret in this namespace and compiles the grant into the gateway config.',
);
export type LLMTenantSpec = z.infer<typeof LLMTenantSpec>;

export const KeyState = z.enum(['Active', 'Pending', 'Expired', 'Revoked', 'Grace', 'Invalid']);
export type KeyState = z.infer<typeof KeyState>;

export const KeyStatus = z.strictObject({
  name: describe(
    z.string(),
    'Key name (spec.keys[].name); <name>.previous for the rotated-out key during its grace period.',
  ),
  fingerprint: describe(z.string().optional(), 'sha256 of the key, first 16 hex characters; never the key itself.'),
  state: describe(
    KeyState,
    'Active: accepted; Pending: not issued yet or its secretRef not found; Invalid: its secretRef value is unusable; Grace: rotated out, valid until expiresAt; Expired; Revoked.',
  ),
  reason: describe(z.string().optional(), 'Why the key is in this state (e.g. revoked by whom, rotated out when).'),
  expiresAt: describe(
    z.string().optional(),
    'RFC 3339 time the key stops being accepted (spec expiresAt, or the end of the grace period).',
  ),
  secretName: describe(z.string().optional(), 'Secret holding the key, in the tenant namespace.'),
  rotation: describe(z.int().optional(), 'The spec rotation the issued key belongs to.'),
});
export type KeyStatus = z.infer<typeof KeyStatus>;

export const RevokedKey = z.strictObject({
  fingerprint: describe(z.string(), 'sha256 of the revoked key material, first 16 hex characters.'),
  key: describe(z.string().optional(), 'The key (spec.keys[].name) the material belonged to when revoked.'),
  reason: describe(z.string(), 'Why it was revoked.'),
  at: describe(z.string(), 'RFC 3339 time of the revocation.'),
  by: describe(
    z.string(),
    'gateway (anomaly detection, through its replicas), annotation (tollgate.dev/revoke.<fingerprint>), or who ran the CLI.',
  ),
});
export type RevokedKey = z.infer<typeof RevokedKey>;

export const EffectiveBudgetLine = z.strictObject({
  unit: describe(z.enum(['tokens', 'gpuSeconds']), 'Budget unit: weighted tokens or GPU-seconds.'),
  limit: describe(z.number(), 'Budget units per window.'),
  window: describe(z.string(), 'The window as written (e.g. 1m, 24h).'),
  windowSeconds: describe(z.int(), 'The window in seconds.'),
});

export const EffectiveLimits = z.strictObject({
  budgets: describe(
    atomicList(z.array(EffectiveBudgetLine)).optional(),
    'Every budget line the gateway enforces (the smallest limit per unit and window over the tenant and its policies); a request must fit in all of them.',
  ),
  rateLimits: describe(RateLimits.optional(), 'Rate limits the gateway enforces (the smallest of each).'),
  limits: describe(RequestLimits.optional(), 'Per-request limits the gateway enforces (the smallest of each).'),
});

export const TierGrantStatus = z.strictObject({
  requested: describe(z.string(), 'The tier in spec.tier.'),
  granted: describe(z.string().optional(), 'Absent when no tier is granted.'),
  policy: describe(z.string().optional(), 'The LLMPolicy that granted it.'),
  message: describe(z.string(), 'e.g. "tier gold requested; granted silver by policy platform-default".'),
});

export const LLMTenantStatus = describe(
  z.strictObject({
    observedGeneration: describe(z.int().optional(), 'metadata.generation this status was computed from.'),
    conditions: Conditions.optional(),
    tier: describe(z.string().optional(), 'The granted tier (absent when none is granted).'),
    tierGrant: describe(TierGrantStatus.optional(), 'Requested versus granted tier, and which policy decided.'),
    suspendedBy: describe(
      atomicList(
        z.array(
          z.strictObject({
            policy: describe(z.string(), 'The LLMPolicy that suspends.'),
            reason: describe(z.string(), 'Its suspend.reason.'),
          }),
        ),
      ).optional(),
      'Platform suspensions (LLMPolicy suspend) in force.',
    ),
    grantedModels: describe(
      atomicList(z.array(z.string())).optional(),
      'Served model names this tenant may call (requested, entitled by the granted tier, and served).',
    ),
    grantedModelCount: describe(
      z.int().optional(),
      'Number of granted models (the Models column of kubectl get -o wide).',
    ),
    deniedModels: describe(
      atomicList(
        z.array(
          z.strictObject({
            name: describe(z.string(), 'Requested served model name.'),
            reason: describe(z.string(), 'Why it is not granted (not entitled, not served, tier not admitted).'),
          }),
        ),
      ).optional(),
      'Requested models that are not granted, and why.',
    ),
    policies: describe(atomicList(z.array(z.string())).optional(), 'LLMPolicies selecting this tenant.'),
    effective: describe(
      EffectiveLimits.optional(),
      'The limits in force: the tenant request combined with every selecting policy and tier.',
    ),
    keys: describe(atomicList(z.array(KeyStatus)).optional(), 'State of each API key (never the key itself).'),
    revokedKeys: describe(
      atomicList(z.array(RevokedKey).max(256)).optional(),
      'Revoked key material (sticky: kept here and compiled into the gateway config, so a revocation survives the shared store losing its data). Lift: tollgate keys unrevoke, then annotate tollgate.dev/unrevoke.<fingerprint>=<RFC 3339 time>.',
    ),
    endpoint: describe(z.string().optional(), 'Gateway URL to call.'),
  }),
  'Observed state, written by the operator: the grant in force, effective limits and key states.',
);
export type LLMTenantStatus = z.infer<typeof LLMTenantStatus>;

export const LLMTenant = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('LLMTenant'),
  metadata: ObjectMeta,
  spec: LLMTenantSpec,
  status: LLMTenantStatus.optional(),
});
export type LLMTenant = z.infer<typeof LLMTenant>;
