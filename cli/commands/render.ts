// tollgate render -f PATH... [-o yaml|json] [--gateway-config]
import { formatProblem } from '../../api/validate.ts';
import { configSecrets } from '../../operator/compiler/delivery.ts';
import { parse, UsageError } from '../args.ts';
import { compileFromPaths, compileProblems } from '../load.ts';
import { toJson, toYaml, toYamlStream } from '../output.ts';

export const summary = 'print every object the operator would apply (stable order, byte-identical output)';
export const usage = 'tollgate render -f PATH... [-R] [-o yaml|json] [--gateway-config] [--gateway-namespace NS]';

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    recursive: { type: 'boolean', short: 'R', default: false },
    output: { type: 'string', short: 'o', default: 'yaml' },
    'gateway-config': { type: 'boolean', default: false },
    'gateway-namespace': { type: 'string', default: 'tollgate-system' },
  });
  const paths = values.filename ?? [];
  if (paths.length === 0) throw new UsageError('render needs at least one -f PATH');
  if (values.output !== 'yaml' && values.output !== 'json') throw new UsageError(`-o must be yaml or json, not "${values.output}"`);
  const ns = values['gateway-namespace'];
  const { loaded, result } = compileFromPaths(paths, { gatewayNamespace: ns, gatewayUrl: `http://tollgate-gateway.${ns}.svc:8080/v1` }, {}, values.recursive);
  if (!result) {
    for (const p of loaded.problems) console.error(formatProblem(p));
    console.error(`nothing rendered: ${loaded.problems.length} problem(s)`);
    return 1;
  }
  // Cross-object problems do not stop rendering (the operator reports them as conditions), but say so.
  for (const p of compileProblems(result, loaded.sources)) console.error(`warning: ${formatProblem(p)}`);
  if (values['gateway-config']) {
    process.stdout.write(values.output === 'json' ? toJson(result.gatewayConfig) : toYaml(result.gatewayConfig));
    return 0;
  }
  const objects = [...result.objects, ...configSecrets(result.gatewayConfig, ns)];
  if (values.output === 'json') process.stdout.write(toJson({ apiVersion: 'v1', kind: 'List', items: objects }));
  else process.stdout.write(toYamlStream(objects));
  return 0;
}
