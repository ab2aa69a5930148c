// tollgate render -f PATH... [-o yaml|json] [--gateway-config]
import { formatProblem } from '../../api/validate.ts';
import { configSecrets } from '../../operator/compiler/delivery.ts';
import { withDefaults } from '../../operator/compiler/index.ts';
import { sortObjects } from '../../operator/compiler/objects.ts';
import { placeholderSecrets } from '../../operator/compiler/secrets.ts';
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
  if (values.output !== 'yaml' && values.output !== 'json')
    throw new UsageError(`-o must be yaml or json, not "${values.output}"`);
  const ns = values['gateway-namespace'];
  const options = { gatewayNamespace: ns, gatewayUrl: `http://tollgate-gateway.${ns}.svc:8080/v1` };
  const { loaded, result } = compileFromPaths(paths, options, {}, values.recursive);
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
  // Every object the operator applies: the compiled ones, the Secrets it writes (key material as empty
  // placeholders) and the gateway config Secrets, in one stable order (kind, namespace, name).
  const objects = sortObjects([
    ...result.objects,
    ...placeholderSecrets(result, withDefaults(options)),
    ...configSecrets(result.gatewayConfig, ns),
  ]);
  if (values.output === 'json') process.stdout.write(toJson({ apiVersion: 'v1', kind: 'List', items: objects }));
  else process.stdout.write(toYamlStream(objects));
  return 0;
}
