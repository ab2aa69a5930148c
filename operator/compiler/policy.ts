// LLMPolicy selection and merge: several policies may select one tenant; the most restrictive value wins.
// Every function here is pure and table-tested.
import RE2 from 're2';
import type { CfgBudgetLine, CfgGuardrails, CfgJudge } from '../../api/gateway-config.ts';
import type {
  AccessWindow,
  Anomaly,
  Budget,
  JudgeSpec,
  LLMModel,
  LLMPolicy,
  LLMTenant,
  LoggingMode,
  ModelSources,
  RateLimits,
  RequestLimits,
} from '../../api/v1alpha1/index.ts';
import { matchesSelector } from './selectors.ts';

export interface TenantView {
  tenant: LLMTenant;
  namespaceLabels: Record<string, string>;
  /**
   * The tier granted to the tenant (see grantTier); a `tiers` selector matches it, never the requested tier.
   * Undefined: none granted, and a policy with a `tiers` selector does not select the tenant.
   */
  tier?: string | undefined;
}

export function selects(policy: LLMPolicy, view: TenantView): boolean {
  const sel = policy.spec.selector;
  const ns = view.tenant.metadata.namespace ?? 'default';
  if (sel.namespaces && !sel.namespaces.includes(ns)) return false;
  if (sel.tenants && !sel.tenants.includes(`${ns}/${view.tenant.metadata.name}`)) return false;
  if (!matchesSelector(sel.namespaceSelector, view.namespaceLabels)) return false;
  if (!matchesSelector(sel.tenantSelector, view.tenant.metadata.labels ?? {})) return false;
  if (sel.tiers && (view.tier === undefined || !sel.tiers.includes(view.tier))) return false;
  return true;
}

const byName = (a: LLMPolicy, b: LLMPolicy): number =>
  a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;

// ---- Tier grants -------------------------------------------------------------------------------

export interface TierGrant {
  requested: string;
  /** The tier in force; undefined: none granted (the tenant is served nothing). */
  granted?: string;
  /** The policy that decided. */
  policy?: string;
  reason: 'Approved' | 'Assigned' | 'NotGranted' | 'Conflict';
  /** e.g. "tier gold requested; granted silver by policy platform-default". */
  message: string;
}

/**
 * What tier a tenant gets. `policies` are the policies in force that select it (by what the platform controls:
 * a policy with tierGrants cannot select by tenant labels or tier). In order:
 *   1. the requested tier, when a policy approves it (`approve` lists it or "*", or `assign` names it);
 *   2. else the tier the policies `assign` (all that assign one must agree; if they do not, nothing: fail closed);
 *   3. else nothing (no policy grants tiers to this tenant: fail closed, whatever it requested).
 * The first policy by name that decides is named.
 */
export function grantTier(requested: string, policies: readonly LLMPolicy[]): TierGrant {
  const granting = policies.filter((p) => p.spec.tierGrants !== undefined).sort(byName);
  const head = `tier ${requested} requested`;
  const approver = granting.find((p) => {
    const g = p.spec.tierGrants!;
    return g.assign === requested || (g.approve ?? []).some((t) => t === '*' || t === requested);
  });
  if (approver)
    return {
      requested,
      granted: requested,
      policy: approver.metadata.name,
      reason: 'Approved',
      message: `${head}; granted ${requested} by policy ${approver.metadata.name}`,
    };
  const assigning = granting.filter((p) => p.spec.tierGrants!.assign !== undefined);
  const tiers = [...new Set(assigning.map((p) => p.spec.tierGrants!.assign as string))];
  if (tiers.length === 1) {
    const p = assigning[0]!;
    return {
      requested,
      granted: tiers[0]!,
      policy: p.metadata.name,
      reason: 'Assigned',
      message: `${head}; granted ${tiers[0]} by policy ${p.metadata.name}`,
    };
  }
  if (tiers.length > 1) {
    const who = assigning.map((p) => `${p.metadata.name} assigns ${p.spec.tierGrants!.assign}`).join(', ');
    return {
      requested,
      reason: 'Conflict',
      message: `${head}; not granted: the selecting policies assign different tiers (${who}) and none approves ${requested}`,
    };
  }
  return {
    requested,
    reason: 'NotGranted',
    message:
      granting.length === 0
        ? `${head}; not granted: no LLMPolicy selecting this tenant grants tiers (spec.tierGrants)`
        : `${head}; not granted: no selecting policy approves it or assigns a tier (${granting.map((p) => p.metadata.name).join(', ')})`,
  };
}

// ---- Platform suspension -------------------------------------------------------------------------

/** Suspensions in force for a tenant: selecting policies with `suspend`, by name. */
export function platformSuspensions(selecting: readonly LLMPolicy[]): { policy: string; reason: string }[] {
  return selecting
    .filter((p) => p.spec.suspend !== undefined)
    .sort(byName)
    .map((p) => ({ policy: p.metadata.name, reason: p.spec.suspend!.reason }));
}

// ---- Approved model sources ------------------------------------------------------------------------

/**
 * One allowlist entry against one value: "x/*" admits everything below x/; otherwise the exact value, or the
 * value with a ":tag" (an image repository admits its tags, an Ollama name its tags). The admission policy in the
 * chart (templates/admission/model-sources-policy.yaml) evaluates the same expression in CEL.
 */
export function sourceMatches(pattern: string, value: string): boolean {
  if (pattern.endsWith('/*')) return value.startsWith(pattern.slice(0, -1));
  return value === pattern || value.startsWith(`${pattern}:`);
}

interface SourceRef {
  list: keyof ModelSources;
  what: string;
  value: string;
  caseInsensitive?: boolean;
}

/** The values of a model that an allowlist constrains. */
export function modelSourceRefs(model: LLMModel): SourceRef[] {
  const s = model.spec;
  const repo = (ref: string) => ref.split('@')[0] ?? ref;
  const refs: SourceRef[] = [{ list: 'images', what: 'image repository', value: repo(s.image) }];
  if (s.model.huggingface)
    refs.push({
      list: 'huggingface',
      what: 'Hugging Face repo',
      value: s.model.huggingface.repo,
      caseInsensitive: true,
    });
  if (s.model.ollama) refs.push({ list: 'ollama', what: 'Ollama model', value: s.model.ollama.name });
  if (s.model.oci) refs.push({ list: 'oci', what: 'OCI repository', value: repo(s.model.oci.reference) });
  return refs;
}

export interface SourceCheck {
  approved: boolean;
  /** The rule that refused it: `LLMPolicy <name> spec.modelSources.<list>`. */
  rule?: string;
  message: string;
}

/** A model's sources against every policy (in force) that defines modelSources: each must approve each value. */
export function checkModelSources(model: LLMModel, policies: readonly LLMPolicy[]): SourceCheck {
  const constraining = policies.filter((p) => p.spec.modelSources !== undefined).sort(byName);
  if (constraining.length === 0) return { approved: true, message: 'no LLMPolicy restricts model sources' };
  for (const ref of modelSourceRefs(model)) {
    for (const p of constraining) {
      const list = p.spec.modelSources![ref.list];
      if (list === undefined) continue;
      const ok = ref.caseInsensitive
        ? list.some((pattern) => sourceMatches(pattern.toLowerCase(), ref.value.toLowerCase()))
        : list.some((pattern) => sourceMatches(pattern, ref.value));
      if (!ok) {
        return {
          approved: false,
          rule: `LLMPolicy ${p.metadata.name} spec.modelSources.${ref.list}`,
          message: sourceRefusal(ref.what, ref.value, p.metadata.name, ref.list),
        };
      }
    }
  }
  return {
    approved: true,
    message: `approved by ${constraining.map((p) => `LLMPolicy ${p.metadata.name}`).join(', ')}`,
  };
}

/** The message both the admission policy and the operator give (keep in step with the chart's CEL). */
export function sourceRefusal(what: string, value: string, policy: string, list: string): string {
  return `${what} "${value}" is not an approved model source: rule LLMPolicy ${policy} spec.modelSources.${list}`;
}

/** Compile-time problems in a policy (things admission cannot know, e.g. RE2 pattern syntax). */
export function policyProblems(policy: LLMPolicy): string[] {
  const problems: string[] = [];
  for (const p of policy.spec.guardrails?.redaction?.customPatterns ?? []) {
    try {
      new RE2(p.pattern, 'u');
    } catch (err) {
      problems.push(
        `guardrails.redaction.customPatterns[${p.name}]: pattern does not compile as RE2 (${(err as Error).message})`,
      );
    }
  }
  for (const w of policy.spec.accessWindows ?? []) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: w.timeZone });
    } catch {
      problems.push(`accessWindows: unknown time zone "${w.timeZone}"`);
    }
  }
  return problems;
}

const minDefined = (...xs: (number | undefined)[]): number | undefined => {
  const d = xs.filter((x): x is number => x !== undefined);
  return d.length === 0 ? undefined : Math.min(...d);
};

export function windowSeconds(window: string): number {
  const n = Number.parseInt(window, 10);
  const unit = window.slice(-1);
  const mult = unit === 's' ? 1 : unit === 'm' ? 60 : unit === 'h' ? 3600 : 86400;
  return n * mult;
}

/** All budget lines from all sources; per (unit, window) the smallest limit. */
export function mergeBudgets(budgets: (Budget | undefined)[]): CfgBudgetLine[] {
  const lines = new Map<string, CfgBudgetLine>();
  for (const b of budgets) {
    if (!b) continue;
    for (const unit of ['tokens', 'gpuSeconds'] as const) {
      const line = b[unit];
      if (!line) continue;
      const w = windowSeconds(line.window);
      const key = `${unit}/${w}`;
      const prev = lines.get(key);
      if (!prev || line.limit < prev.limit) lines.set(key, { unit, limit: line.limit, windowSeconds: w });
    }
  }
  return [...lines.values()].sort((a, b) =>
    a.unit === b.unit ? a.windowSeconds - b.windowSeconds : a.unit < b.unit ? -1 : 1,
  );
}

export function mergeRateLimits(all: (RateLimits | undefined)[]): RateLimits {
  return {
    requestsPerMinute: minDefined(...all.map((r) => r?.requestsPerMinute)),
    tokensPerMinute: minDefined(...all.map((r) => r?.tokensPerMinute)),
    concurrency: minDefined(...all.map((r) => r?.concurrency)),
  };
}

export function mergeRequestLimits(all: (RequestLimits | undefined)[]): RequestLimits {
  return {
    maxInputTokens: minDefined(...all.map((r) => r?.maxInputTokens)),
    maxOutputTokens: minDefined(...all.map((r) => r?.maxOutputTokens)),
    maxN: minDefined(...all.map((r) => r?.maxN)),
    maxRequestBytes: minDefined(...all.map((r) => r?.maxRequestBytes)),
  };
}

const rank = <T extends string>(order: readonly T[], value: T): number => order.indexOf(value);
const strictest = <T extends string>(order: readonly T[], values: T[], fallback: T): T =>
  values.reduce((acc, v) => (rank(order, v) > rank(order, acc) ? v : acc), fallback);

function intersect(lists: string[][]): string[] | undefined {
  if (lists.length === 0) return undefined;
  const [first, ...rest] = lists as [string[], ...string[][]];
  return first.filter((x) => rest.every((l) => l.includes(x))).sort();
}

const uniqSorted = (xs: string[]): string[] => [...new Set(xs)].sort();

/** A policy's judge as the gateway contract has it (defaults applied by the CRD schema). */
function cfgJudge(j: JudgeSpec): CfgJudge {
  return {
    model: j.model,
    protocol: j.protocol,
    timeoutMs: j.timeoutMs,
    failMode: j.failMode,
    benignClass: j.benignClass,
    maxChars: j.maxChars,
    ...(j.benignLabels ? { benignLabels: [...j.benignLabels] } : {}),
  };
}

/** Guardrails: detectors and canaries add up; modes take the strictest; allowlists intersect. */
export function mergeGuardrails(policies: LLMPolicy[]): CfgGuardrails {
  const g = policies.map((p) => p.spec.guardrails).filter((x) => x !== undefined);
  const patterns = new Map<string, { name: string; pattern: string }>();
  for (const x of g) for (const p of x.redaction?.customPatterns ?? []) patterns.set(`${p.name}\u0000${p.pattern}`, p);
  const pi = g.map((x) => x.promptInjection).filter((x) => x !== undefined);
  const ex = g.map((x) => x.exfiltration).filter((x) => x !== undefined);
  const tools = g.map((x) => x.tools?.allowed).filter((x) => x !== undefined);
  const judge = pi.find((x) => x.judge !== undefined)?.judge;
  const docThresholds = pi.filter((x) => x.mode !== 'off').map((x) => x.documentThreshold ?? x.threshold);
  const oc = g.map((x) => x.outputCheck).filter((x): x is NonNullable<typeof x> => x !== undefined && x.mode !== 'off');
  const ocJudge = oc[0];
  return {
    redaction: {
      detectors: uniqSorted(g.flatMap((x) => x.redaction?.detectors ?? [])) as CfgGuardrails['redaction']['detectors'],
      customPatterns: [...patterns.values()].sort((a, b) =>
        a.name === b.name ? (a.pattern < b.pattern ? -1 : 1) : a.name < b.name ? -1 : 1,
      ),
    },
    promptInjection: {
      mode: strictest(
        ['off', 'flag', 'block'] as const,
        pi.map((x) => x.mode),
        'off',
      ),
      threshold: minDefined(...pi.filter((x) => x.mode !== 'off').map((x) => x.threshold)) ?? 0.7,
      ...(docThresholds.length > 0 ? { documentThreshold: minDefined(...docThresholds) as number } : {}),
      ...(judge ? { judge: cfgJudge(judge) } : {}),
    },
    // output check: strictest mode, lowest threshold, the smallest window (0 = whole output) wins; the judge of the
    // first policy (by name) that asks for one
    ...(ocJudge
      ? {
          outputCheck: {
            mode: strictest(
              ['off', 'flag', 'block'] as const,
              oc.map((x) => x.mode),
              'off',
            ),
            threshold: minDefined(...oc.map((x) => x.threshold)) as number,
            judge: cfgJudge(ocJudge.judge),
            windowChars: oc.some((x) => x.windowChars === 0) ? 0 : Math.min(...oc.map((x) => x.windowChars)),
          },
        }
      : {}),
    exfiltration: {
      mode: strictest(
        ['off', 'flag', 'neutralize', 'block'] as const,
        ex.map((x) => x.mode),
        'off',
      ),
      allowedHosts: intersect(ex.map((x) => x.allowedHosts)) ?? [],
    },
    canaries: uniqSorted(g.flatMap((x) => x.canaries ?? [])),
    ...(tools.length > 0 ? { allowedTools: intersect(tools) ?? [] } : {}),
    structuredOutput: { enforce: g.some((x) => x.structuredOutput?.enforce === true) },
  };
}

/** Logging: the mode that records least prompt data wins. */
export function mergeLogging(policies: LLMPolicy[]): LoggingMode {
  const modes = policies.map((p) => p.spec.logging?.mode).filter((m): m is LoggingMode => m !== undefined);
  if (modes.length === 0) return 'metadata';
  const order: LoggingMode[] = ['redactedPrompts', 'metadata', 'none'];
  return strictest(order, modes, 'redactedPrompts');
}

export function mergeAnomaly(policies: LLMPolicy[]): Anomaly | undefined {
  const all = policies.map((p) => p.spec.anomaly).filter((a) => a !== undefined);
  if (all.length === 0) return undefined;
  return {
    enabled: all.some((a) => a.enabled),
    burstFactor: Math.min(...all.map((a) => a.burstFactor)),
    capHitRatio: Math.min(...all.map((a) => a.capHitRatio)),
    failedAuthPerMinute: Math.min(...all.map((a) => a.failedAuthPerMinute)),
    threshold: Math.min(...all.map((a) => a.threshold)),
    action: strictest(
      ['flag', 'revoke'] as const,
      all.map((a) => a.action),
      'flag',
    ),
  };
}

export function mergeAccessWindows(policies: LLMPolicy[]): AccessWindow[][] {
  return policies.map((p) => p.spec.accessWindows).filter((w): w is AccessWindow[] => w !== undefined && w.length > 0);
}

export function mergeIpAllowlists(policies: LLMPolicy[]): string[][] {
  return policies
    .map((p) => p.spec.ipAllowlist)
    .filter((l): l is string[] => l !== undefined)
    .map((l) => [...l].sort());
}

export interface Entitlement {
  /** Served names (or '*') the tier may use, after intersecting every policy that defines tiers. */
  models: string[] | '*';
  /** Why nothing is entitled, when that is the case. */
  denied?: string;
}

/** Tier entitlements: policies that define `tiers` constrain; the tenant gets the intersection. */
export function entitlement(policies: LLMPolicy[], tier: string): Entitlement {
  const defining = policies.filter((p) => p.spec.tiers !== undefined);
  if (defining.length === 0) return { models: [], denied: 'no selecting LLMPolicy defines tier entitlements' };
  let acc: string[] | '*' = '*';
  for (const p of defining) {
    const t = p.spec.tiers?.find((x) => x.name === tier);
    if (!t) return { models: [], denied: `tier "${tier}" is not offered by LLMPolicy ${p.metadata.name}` };
    const m = t.models.includes('*') ? '*' : t.models;
    acc = acc === '*' ? m : m === '*' ? acc : acc.filter((x) => m.includes(x));
  }
  return { models: acc === '*' ? '*' : [...acc].sort() };
}

export function tierSettings(policies: LLMPolicy[], tier: string) {
  const tiers = policies.map((p) => p.spec.tiers?.find((t) => t.name === tier)).filter((t) => t !== undefined);
  return {
    budgets: tiers.map((t) => t.budget),
    rateLimits: tiers.map((t) => t.rateLimits),
    limits: tiers.map((t) => t.limits),
  };
}
