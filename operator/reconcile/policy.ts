// LLMPolicy: status only (what it selects, whether it compiles, and the last version that compiled,
// so that a new leader keeps enforcing it after a restart or failover).
import { canonicalJson } from '../../api/gateway-config.ts';
import type { LLMPolicyStatus } from '../../api/v1alpha1/index.ts';
import { policyStatus } from '../status/policy.ts';
import { readyTransition, writeStatus, type ReconcileContext } from './context.ts';

export async function reconcilePolicy(ctx: ReconcileContext, name: string): Promise<void> {
  const obj = ctx.world.policies.get(name);
  if (!obj || obj.metadata.deletionTimestamp) return;
  const now = ctx.now();
  const compiled = ctx.world.compiledPolicies();
  const outcome = compiled.policies.find((p) => p.name === name);
  if (!outcome) return;
  const selected = ctx.world.policySelections(now).get(name) ?? [];
  const before = (obj as { status?: LLMPolicyStatus }).status;
  const lastGood =
    outcome.problems.length === 0
      ? { generation: outcome.policy.metadata.generation, spec: canonicalJson(outcome.policy.spec) }
      : lastGoodInForce(ctx, name, before);
  const status = policyStatus({ ...outcome, selectedTenants: selected }, before, now, lastGood);
  if (await writeStatus(ctx, obj, status)) await readyTransition(ctx, obj, before, status);
}

/** The last good version in force (memory, else what status already recorded). */
function lastGoodInForce(
  ctx: ReconcileContext,
  name: string,
  before: LLMPolicyStatus | undefined,
): LLMPolicyStatus['lastGood'] {
  const p = ctx.world.lastGoodPolicies.get(name);
  if (p) return { generation: p.metadata.generation, spec: canonicalJson(p.spec) };
  return before?.lastGood;
}
