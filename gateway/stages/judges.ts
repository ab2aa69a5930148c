// The classifier model a policy names as judge (input or output check), called with its upstream credential.
import type { CfgJudge } from '../../api/gateway-config.ts';
import { boundedFetch, judgeFromConfig, unavailableJudge, type Judge } from '../../guardrails/judge.ts';
import type { Snapshot } from '../config/snapshot.ts';

export function judgeFor(snap: Snapshot, credentials: ReadonlyMap<string, string>, spec: CfgJudge): Judge {
  const model = snap.models.get(spec.model);
  if (!model) return unavailableJudge(spec, 'judge model not in the config');
  const credential = model.cfg.credentialKey !== undefined ? credentials.get(model.cfg.credentialKey) : undefined;
  return judgeFromConfig(
    spec,
    { baseUrl: `${model.origin}${model.basePath}`, engine: model.cfg.engine, credential },
    boundedFetch(),
  );
}
