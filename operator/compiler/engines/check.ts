// engineArgs against the engine's own CLI (pure): what the LLMModel status and `tollgate validate` report.
import type { LLMModel } from '../../../api/v1alpha1/index.ts';
import { unknownFlags } from './cli.ts';
import { engineAdapter } from './index.ts';

export interface EngineArgsCheck {
  /** Whether engineArgs were checked against a captured CLI. */
  checked: boolean;
  /** One message per unknown flag (empty when unchecked). */
  problems: string[];
  /** Human-readable summary for status. */
  message: string;
}

/** "v0.33.0" and "0.33.0" are the same version. */
const bare = (v: string) => v.replace(/^v/, '');

export function checkEngineArgs(model: LLMModel): EngineArgsCheck {
  const engine = model.spec.engine;
  const cli = engineAdapter(engine).cli?.engine;
  const n = model.spec.engineArgs?.length ?? 0;
  if (!cli)
    return {
      checked: false,
      problems: [],
      message: `${n} engineArgs passed to ${engine} unchecked (Tollgate has not captured the ${engine} CLI)`,
    };
  const want = model.spec.engineVersion;
  if (want !== undefined && bare(want) !== bare(cli.version)) {
    return {
      checked: false,
      problems: [],
      message: `engineArgs not checked: Tollgate has the CLI of ${engine} ${cli.version}, spec.engineVersion says ${want}`,
    };
  }
  const problems = unknownFlags(model.spec.engineArgs ?? [], cli);
  return {
    checked: true,
    problems,
    message: problems.length === 0 ? `${n} engineArgs are flags of ${engine} ${cli.version}` : problems.join('; '),
  };
}
