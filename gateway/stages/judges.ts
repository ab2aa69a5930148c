// The classifier model a policy names as judge (input or output check), called with its upstream credential,
// behind the replica's judge slots for the calling tenant (stages/judge-slots.ts).
import type { CfgJudge } from '../../api/gateway-config.ts';
import { boundedFetch, judgeFromConfig, unavailableJudge, type Judge } from '../../guardrails/judge.ts';
import type { Snapshot } from '../config/snapshot.ts';
import type { JudgeSlots } from './judge-slots.ts';

/** Whose call it is, against which slots. */
export interface JudgeCaller {
  readonly slots: JudgeSlots;
  readonly tenant: string;
}

export function judgeFor(
  snap: Snapshot,
  credentials: ReadonlyMap<string, string>,
  spec: CfgJudge,
  caller?: JudgeCaller,
): Judge {
  const model = snap.models.get(spec.model);
  if (!model) return unavailableJudge(spec, 'judge model not in the config');
  const credential = model.cfg.credentialKey !== undefined ? credentials.get(model.cfg.credentialKey) : undefined;
  const judge = judgeFromConfig(
    spec,
    { baseUrl: `${model.origin}${model.basePath}`, engine: model.cfg.engine, credential },
    boundedFetch(),
  );
  if (!caller) return judge;
  return caller.slots.wrap(judge, spec.model, caller.tenant, spec.failMode === 'closed' ? 1 : 0, spec.timeoutMs);
}
