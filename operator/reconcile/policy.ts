// LLMPolicy: status only (what it selects, whether it compiles).
import type { LLMPolicyStatus } from '../../api/v1alpha1/index.ts';
import { policyStatus } from '../status/policy.ts';
import { readyTransition, writeStatus, type ReconcileContext } from './context.ts';

export async function reconcilePolicy(ctx: ReconcileContext, name: string): Promise<void> {
  const obj = ctx.world.policies.get(name);
  if (!obj || obj.metadata.deletionTimestamp) return;
  const { result } = ctx.world.compiled(ctx.now());
  const outcome = result.policies.find((p) => p.name === name);
  if (!outcome) return;
  const before = (obj as { status?: LLMPolicyStatus }).status;
  const status = policyStatus(outcome, before, ctx.now());
  if (await writeStatus(ctx, obj, status)) await readyTransition(ctx, obj, before, status);
}
