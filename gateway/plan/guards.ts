// Per-tenant guards compiled once per config snapshot, not per request. A guard that does not compile (a
// custom pattern RE2 refuses, in a hand-written config the policy compiler never saw) marks its tenants at
// load — logged once — and their requests are refused before anything is reserved. Tenants whose guardrails
// are inert get a guard that needs no guardrails module (plan/guard-modules.ts).
import type { CfgGuardrails } from '../../api/gateway-config.ts';
import type { RtTenant, Snapshot } from '../config/snapshot.ts';
import { guardrailsInert, guardrailsModules, loadGuardrails, type GuardrailsModules } from './guard-modules.ts';

/** What a request uses of its tenant's guard: redaction of the prompt for a `redactedPrompts` audit line. */
export interface LogRedactor {
  redact(text: string): { readonly text: string };
}

export type CompiledGuard =
  { readonly ok: true; readonly guard: LogRedactor } | { readonly ok: false; readonly reason: string };

/** The guard of inert guardrails: no redaction rules, so the text comes back as it is. */
const INERT: CompiledGuard = { ok: true, guard: { redact: (text) => ({ text }) } };

/** Tenants share guardrails objects (the snapshot interns them): one entry per distinct policy. */
const bySnapshot = new WeakMap<Snapshot, Map<CfgGuardrails, CompiledGuard>>();

export function compileOne(cfg: CfgGuardrails, mods: GuardrailsModules): CompiledGuard {
  try {
    return { ok: true, guard: mods.guard.compileGuard(cfg) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

function table(snap: Snapshot): Map<CfgGuardrails, CompiledGuard> {
  let t = bySnapshot.get(snap);
  if (!t) bySnapshot.set(snap, (t = new Map()));
  return t;
}

function lookup(t: Map<CfgGuardrails, CompiledGuard>, cfg: CfgGuardrails): CompiledGuard | undefined {
  let g = t.get(cfg);
  if (g) return g;
  if (guardrailsInert(cfg)) g = INERT;
  else {
    const mods = guardrailsModules();
    if (!mods) return undefined;
    g = compileOne(cfg, mods);
  }
  t.set(cfg, g);
  return g;
}

/**
 * Compile every tenant's guard of a snapshot (loading the guardrails modules first if a tenant needs them);
 * resolves to the tenants whose guard does not compile.
 */
export async function compileGuards(snap: Snapshot): Promise<{ tenant: string; reason: string }[]> {
  const tenants = snap.config.tenants;
  if (tenants.some((x) => !guardrailsInert(x.guardrails))) await loadGuardrails();
  const t = table(snap);
  const failed: { tenant: string; reason: string }[] = [];
  for (const tenant of tenants) {
    const g = lookup(t, tenant.guardrails)!;
    if (!g.ok) failed.push({ tenant: tenant.id, reason: g.reason });
  }
  return failed;
}

/**
 * The tenant's compiled guard in this snapshot (compiled now if the snapshot was never compiled); undefined
 * while the guardrails modules it needs are not loaded (await `loadGuardrails()`, then ask again).
 */
export function guardFor(snap: Snapshot, tenant: RtTenant): CompiledGuard | undefined {
  return lookup(table(snap), tenant.cfg.guardrails);
}

/** `guardFor`, loading the guardrails modules when the tenant needs them. */
export async function loadGuardFor(snap: Snapshot, tenant: RtTenant): Promise<CompiledGuard> {
  const g = guardFor(snap, tenant);
  if (g) return g;
  await loadGuardrails();
  return guardFor(snap, tenant)!;
}
