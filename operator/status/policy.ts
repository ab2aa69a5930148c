// LLMPolicy status (pure).
import type { LLMPolicyStatus } from '../../api/v1alpha1/index.ts';
import type { PolicyOutcome } from '../compiler/index.ts';
import { setConditions, type ConditionInput } from './conditions.ts';

export const MAX_LISTED_TENANTS = 200;

export function policyStatus(
  outcome: PolicyOutcome,
  previous: LLMPolicyStatus | undefined,
  now: Date,
  lastGood?: LLMPolicyStatus['lastGood'],
): LLMPolicyStatus {
  const conds: ConditionInput[] = [];
  if (outcome.problems.length === 0)
    conds.push({
      type: 'Ready',
      status: 'True',
      reason: 'Compiled',
      message: `applies to ${outcome.selectedTenants.length} tenant(s)${roles(outcome.policy)}`,
    });
  else if (outcome.inForce === 'lastGood')
    conds.push({
      type: 'Ready',
      status: 'False',
      reason: 'LastGoodInForce',
      message: `${outcome.problems.join('; ')}; the last version that compiled stays in force`,
    });
  else
    conds.push({
      type: 'Ready',
      status: 'False',
      reason: 'CompileError',
      message: `${outcome.problems.join('; ')}; the tenants it selects are refused until it is fixed`,
    });
  return {
    observedGeneration: outcome.policy.metadata.generation,
    conditions: setConditions(previous?.conditions, conds, outcome.policy.metadata.generation, now),
    selectedTenants: outcome.selectedTenants.slice(0, MAX_LISTED_TENANTS),
    selectedTenantCount: outcome.selectedTenants.length,
    ...(lastGood ? { lastGood } : {}),
  };
}

/** What the policy decides besides settings: grants, suspension, approved sources (shown in its Ready message). */
function roles(p: PolicyOutcome['policy']): string {
  const out: string[] = [];
  const g = p.spec.tierGrants;
  if (g?.approve?.length) out.push(`approves tier requests ${g.approve.join(', ')}`);
  if (g?.assign) out.push(`assigns tier ${g.assign}`);
  if (p.spec.suspend) out.push(`suspends them: ${p.spec.suspend.reason}`);
  if (p.spec.modelSources) out.push(`restricts model sources (${Object.keys(p.spec.modelSources).sort().join(', ')})`);
  return out.length > 0 ? `; ${out.join('; ')}` : '';
}
