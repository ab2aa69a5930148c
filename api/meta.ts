// Shared Kubernetes building blocks and the helper that makes one rule drive both
// admission (CEL `x-kubernetes-validations` in the generated CRD) and offline validation (zod).
import { z } from 'zod';

export const GROUP = 'tollgate.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A rule checked by the API server (CEL) and by `tollgate validate` (the `check` function). */
export interface Rule<T> {
  /** CEL expression over `self` (the value the rule is attached to). */
  rule: string;
  /** Message shown by both the API server and the offline validator. */
  message: string;
  /** Optional JSONPath-like field the error is reported on, relative to self (e.g. `.maxOutputTokens`). */
  fieldPath?: string;
  /** Same check, in TypeScript, for offline validation. */
  check: (value: T) => boolean;
}

type Meta = Record<string, unknown>;

/** Attach rules to a schema: a zod refinement and the CRD's `x-kubernetes-validations`. */
export function withRules<S extends z.ZodType>(schema: S, rules: Rule<z.output<S>>[]): S {
  const refined = schema.superRefine((value, ctx) => {
    for (const r of rules) {
      if (!r.check(value as z.output<S>)) {
        const path = r.fieldPath ? r.fieldPath.replace(/^\./, '').split('.') : [];
        ctx.addIssue({ code: 'custom', message: r.message, path });
      }
    }
  });
  const previous = (refined.meta() ?? {}) as Meta;
  const existing = Array.isArray(previous['x-kubernetes-validations']) ? previous['x-kubernetes-validations'] : [];
  return refined.meta({
    ...previous,
    'x-kubernetes-validations': [
      ...existing,
      ...rules.map((r) =>
        r.fieldPath
          ? { rule: r.rule, message: r.message, fieldPath: r.fieldPath }
          : { rule: r.rule, message: r.message },
      ),
    ],
  }) as S;
}

/** Add (merge) metadata such as a description or x-kubernetes-* markers. */
export function describe<S extends z.ZodType>(schema: S, description: string, extra: Meta = {}): S {
  return schema.meta({ ...((schema.meta() ?? {}) as Meta), description, ...extra }) as S;
}

// ---- Server-side apply list semantics ----------------------------------------------------------
// Every list in a CRD says how server-side apply merges it (the generator refuses a list without).
// Atomic lists are owned whole by one field manager: a second manager applying the same manifest
// conflicts as soon as the API server has defaulted a field inside an item. So lists of named things
// are maps (merged per item), lists of distinct scalars are sets, and only ordered or unkeyed lists stay
// atomic. The API server rejects duplicate keys/values in maps and sets; the zod check makes
// `tollgate validate` say the same.

export type ListType = 'atomic' | 'set' | 'map';
export const LIST_TYPE = 'x-kubernetes-list-type';
export const LIST_MAP_KEYS = 'x-kubernetes-list-map-keys';

type AnyArray = z.ZodArray<z.ZodType>;

/** Index of the first item whose identity (from `identity`) was seen before, or -1. */
export function firstDuplicate<T>(items: readonly T[], identity: (item: T) => string): number {
  const seen = new Set<string>();
  for (let i = 0; i < items.length; i++) {
    const id = identity(items[i]!);
    if (seen.has(id)) return i;
    seen.add(id);
  }
  return -1;
}

function withListMeta<S extends AnyArray>(schema: S, extra: Meta): S {
  return schema.meta({ ...((schema.meta() ?? {}) as Meta), ...extra }) as S;
}

/** A list of objects merged per item by server-side apply, identified by `keys` (required or defaulted fields). */
export function mapList<S extends AnyArray>(schema: S, keys: readonly [string, ...string[]]): S {
  const refined = schema.superRefine((items, ctx) => {
    const list = items as readonly Record<string, unknown>[];
    const at = firstDuplicate(list, (item) => JSON.stringify(keys.map((k) => item[k] ?? null)));
    if (at >= 0) ctx.addIssue({ code: 'custom', message: `duplicate ${keys.join('/')} in list`, path: [at, keys[0]] });
  });
  return withListMeta(refined, { [LIST_TYPE]: 'map', [LIST_MAP_KEYS]: [...keys] });
}

/** A list of distinct scalars; server-side apply merges it per value. */
export function setList<S extends AnyArray>(schema: S): S {
  const refined = schema.superRefine((items, ctx) => {
    const at = firstDuplicate(items as readonly unknown[], (v) => JSON.stringify(v));
    if (at >= 0) ctx.addIssue({ code: 'custom', message: 'duplicate value in list', path: [at] });
  });
  return withListMeta(refined, { [LIST_TYPE]: 'set' });
}

/** A list replaced as a whole (order matters, or items have no identity). */
export function atomicList<S extends AnyArray>(schema: S): S {
  return withListMeta(schema, { [LIST_TYPE]: 'atomic' });
}

// ---- Patterns shared by schemas, CEL rules and the compiler -------------------------------------

export const DIGEST_IMAGE_RE = /^[^@\s]+@sha256:[a-f0-9]{64}$/;
export const DIGEST_IMAGE_CEL = String.raw`^[^@\\s]+@sha256:[a-f0-9]{64}$`; // CEL string literal: \\ is one backslash
export const SHA256_DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
export const SHA256_DIGEST_CEL = '^sha256:[a-f0-9]{64}$';
export const GIT_SHA_RE = /^[a-f0-9]{40}$/;
export const GIT_SHA_CEL = '^[a-f0-9]{40}$';
export const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DURATION_RE = /^[1-9][0-9]*(s|m|h|d)$/;
export const QUANTITY_RE = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/;
export const HHMM_RE = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

export const dnsLabel = () =>
  z.string().min(1).max(63).regex(DNS_LABEL_RE, { message: 'must be a lowercase DNS label (a-z, 0-9, "-")' });

export const duration = () =>
  describe(
    z.string().regex(DURATION_RE, { message: 'must be a duration like 30s, 15m, 24h or 30d' }),
    'Duration: a positive integer followed by s, m, h or d.',
  );

export const quantity = () =>
  describe(
    z.string().regex(QUANTITY_RE, { message: 'must be a Kubernetes quantity such as 500m, 16Gi or 2' }),
    'Kubernetes resource quantity (e.g. 500m, 16Gi).',
  );

export const stringMap = () => z.record(z.string(), z.string());

export const LocalObjectReference = z.strictObject({
  name: describe(dnsLabel(), 'Name of the object in the same namespace.'),
});

export const SecretKeySelector = describe(
  z.strictObject({
    name: describe(z.string().min(1).max(253), 'Name of the Secret.'),
    key: describe(z.string().min(1).max(253), 'Key inside the Secret whose value is used.'),
  }),
  'A key in a Secret in the same namespace as the object.',
);

export const LabelSelectorRequirement = z.strictObject({
  key: describe(z.string().min(1), 'Label key the requirement applies to.'),
  operator: describe(
    z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    "How the label's value relates to values (as in a Kubernetes label selector).",
  ),
  values: describe(
    atomicList(z.array(z.string())).optional(),
    'Values for In and NotIn; must be empty for Exists and DoesNotExist.',
  ),
});

export const LabelSelector = z.strictObject({
  matchLabels: describe(stringMap().optional(), 'Labels that must all be present with these values.'),
  matchExpressions: describe(
    atomicList(z.array(LabelSelectorRequirement)).optional(),
    'Requirements that must all hold (ANDed with matchLabels).',
  ),
});
export type LabelSelector = z.infer<typeof LabelSelector>;

export const Toleration = z.strictObject({
  key: describe(z.string().optional(), 'Taint key tolerated; empty with operator Exists tolerates every taint.'),
  operator: describe(z.enum(['Exists', 'Equal']).optional(), 'Equal (the Kubernetes default) or Exists.'),
  value: describe(z.string().optional(), 'Taint value matched when operator is Equal.'),
  effect: describe(
    z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    'Taint effect tolerated; empty tolerates every effect.',
  ),
  tolerationSeconds: describe(
    z.int().optional(),
    'For NoExecute: seconds the pod stays bound after the taint appears; absent: forever.',
  ),
});
export type Toleration = z.infer<typeof Toleration>;

/** metav1.Condition */
export const Condition = z.strictObject({
  type: describe(z.string().min(1).max(316), 'Condition type, e.g. Ready.'),
  status: describe(z.enum(['True', 'False', 'Unknown']), 'Whether the condition holds.'),
  observedGeneration: describe(
    z.int().min(0).optional(),
    'metadata.generation of the object the condition was computed from.',
  ),
  lastTransitionTime: describe(z.string(), 'RFC 3339 time the status last changed.'),
  reason: describe(z.string().min(1).max(1024), 'Machine-readable CamelCase reason for the last transition.'),
  message: describe(z.string().max(32768), 'Human-readable details.'),
});
export type Condition = z.infer<typeof Condition>;

export const Conditions = describe(z.array(Condition), 'Conditions keyed by type.', {
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});

export const OwnerReference = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

/** The subset of ObjectMeta Tollgate reads; unknown metadata fields pass through. */
export const ObjectMeta = z.looseObject({
  name: z.string().min(1).max(253),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.union([z.string(), z.date()]).optional(),
  deletionTimestamp: z.union([z.string(), z.date()]).optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
  ownerReferences: z.array(OwnerReference).optional(),
  finalizers: z.array(z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;
