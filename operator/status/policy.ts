// LLMPolicy status (pure).
import type { LLMPolicyStatus } from '../../api/v1alpha1/index.ts';
import type { PolicyOutcome } from '../compiler/index.ts';
import { setConditions, type ConditionInput } from './conditions.ts';

export const MAX_LISTED_TENANTS = 200;

export function policyStatus(outcome: PolicyOutcome, previous: LLMPolicyStatus | undefined, now: Date, lastGood?: LLMPolicyStatus['lastGood']): LLMPolicyStatus {
  const conds: ConditionInput[] = [];
  if (outcome.problems.length === 0) conds.push({ type: 'Ready', status: 'True', reason: 'Compiled', message: `applies to ${outcome.selectedTenants.length} tenant(s)` });
  else if (outcome.inForce === 'lastGood') conds.push({ type: 'Ready', status: 'False', reason: 'LastGoodInForce', message: `${outcome.problems.join('; ')}; the last version that compiled stays in force` });
  else conds.push({ type: 'Ready', status: 'False', reason: 'CompileError', message: `${outcome.problems.join('; ')}; the tenants it selects are refused until it is fixed` });
  return {
    observedGeneration: outcome.policy.metadata.generation,
    conditions: setConditions(previous?.conditions, conds, outcome.policy.metadata.generation, now),
    selectedTenants: outcome.selectedTenants.slice(0, MAX_LISTED_TENANTS),
    selectedTenantCount: outcome.selectedTenants.length,
    ...(lastGood ? { lastGood } : {}),
  };
}
