// tollgate validate -f PATH... [-R]
import { formatProblem } from '../../api/validate.ts';
import { parse, UsageError } from '../args.ts';
import { compileFromPaths, compileProblems } from '../load.ts';

export const summary = 'check manifests offline, with the rules the API server enforces';
export const usage = 'tollgate validate -f PATH... [-R]';

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    recursive: { type: 'boolean', short: 'R', default: false },
    quiet: { type: 'boolean', short: 'q', default: false },
  });
  const paths = values.filename ?? [];
  if (paths.length === 0) throw new UsageError('validate needs at least one -f PATH');
  const { loaded, result } = compileFromPaths(paths, {}, {}, values.recursive);
  const lines = loaded.problems.map(formatProblem);
  if (result) lines.push(...compileProblems(result, loaded.sources).map(formatProblem));
  for (const l of lines) console.log(l);
  if (lines.length > 0) {
    console.error(`${lines.length} problem(s) in ${loaded.files.length} file(s)`);
    return 1;
  }
  if (!values.quiet) {
    const m = loaded.manifests;
    console.error(
      `ok: ${loaded.files.length} file(s): ${m.models.length} LLMModel, ${m.tenants.length} LLMTenant, ${m.policies.length} LLMPolicy`,
    );
  }
  return 0;
}
