// tollgate gateway: the gateway's own command line (gateway/command.ts, also the container entry
// `node gateway/main.ts`) plus `-f`: manifests compiled on the fly with the same compiler as `render`.
// The compiler is loaded only for `-f` (a config file or the cluster never needs it).
import { GatewayUsageError, runGateway, type ManifestLoader } from '../../gateway/command.ts';
import { UsageError } from '../args.ts';

export { summary, usage } from '../../gateway/command.ts';

const manifests: ManifestLoader = ({ paths, recursive, upstreamOverrides, log }) => {
  return async (): Promise<unknown> => {
    const [{ formatProblem }, { compileFromPaths, compileProblems }] = await Promise.all([
      import('../../api/validate.ts'),
      import('../load.ts'),
    ]);
    const { loaded, result } = compileFromPaths(
      paths,
      { upstreamOverrides: Object.fromEntries(upstreamOverrides) },
      {},
      recursive,
    );
    if (!result)
      throw new Error(`manifests do not validate: ${loaded.problems.slice(0, 5).map(formatProblem).join('; ')}`);
    for (const p of compileProblems(result, loaded.sources))
      log.warn({ event: 'compile_warning', problem: formatProblem(p) }, 'manifest problem');
    return result.gatewayConfig;
  };
};

export async function run(argv: string[]): Promise<number> {
  try {
    return await runGateway(argv, { manifests });
  } catch (e) {
    if (e instanceof GatewayUsageError) throw new UsageError(e.message);
    throw e;
  }
}
