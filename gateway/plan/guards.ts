// Per-tenant guards compiled once per config snapshot, not per request. A guard that does not compile (a
// custom pattern RE2 refuses, in a hand-written config the policy compiler never saw) marks its tenants at
// load — logged once — and their requests are refused before anything is reserved.
import type { CfgGuardrails } from '../../api/gateway-config.ts';
import { compileGuard, type Guard } from '../../guardrails/guard.ts';
import type { RtTenant, Snapshot } from '../config/snapshot.ts';

export type CompiledGuard =
  { readonly ok: true; readonly guard: Guard } | { readonly ok: false; readonly reason: string };

/** Tenants share guardrails objects (the snapshot interns them): one entry per distinct policy. */
const bySnapshot = new WeakMap<Snapshot, Map<CfgGuardrails, CompiledGuard>>();

export function compileOne(cfg: CfgGuardrails): CompiledGuard {
  try {
    return { ok: true, guard: compileGuard(cfg) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

function table(snap: Snapshot): Map<CfgGuardrails, CompiledGuard> {
  let t = bySnapshot.get(snap);
  if (!t) bySnapshot.set(snap, (t = new Map()));
  return t;
}

/** Compile every tenant's guard of a snapshot; returns the tenants whose guard does not compile. */
export function compileGuards(snap: Snapshot): { tenant: string; reason: string }[] {
  const t = table(snap);
  const failed: { tenant: string; reason: string }[] = [];
  for (const tenant of snap.config.tenants) {
    let g = t.get(tenant.guardrails);
    if (!g) t.set(tenant.guardrails, (g = compileOne(tenant.guardrails)));
    if (!g.ok) failed.push({ tenant: tenant.id, reason: g.reason });
  }
  return failed;
}

/** The tenant's compiled guard in this snapshot (compiled now if the snapshot was never compiled). */
export function guardFor(snap: Snapshot, tenant: RtTenant): CompiledGuard {
  const t = table(snap);
  let g = t.get(tenant.cfg.guardrails);
  if (!g) t.set(tenant.cfg.guardrails, (g = compileOne(tenant.cfg.guardrails)));
  return g;
}
