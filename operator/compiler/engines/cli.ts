// The engines' own command-line interfaces, captured at the version each adapter targets
// (scripts/engine-flags/capture.py reads the engine's published source; see ./cli/*.json for the source
// and version of each). The compiler checks every flag it emits and every flag users pass in engineArgs
// against them, so a flag an engine dropped is caught here, not by a pod in CrashLoopBackOff.
import hfhub from './cli/huggingface_hub-1.31.0.json' with { type: 'json' };
import tgi from './cli/tgi-3.3.7.json' with { type: 'json' };
import vllm from './cli/vllm-0.33.0.json' with { type: 'json' };

export interface EngineCli {
  engine: string;
  version: string;
  /** Where the lists were read from (package file + sha256, or tag + commit). */
  source: string;
  command: string;
  normalize: { underscoresAsDashes: boolean; dottedConfigKeys: boolean };
  flags: readonly string[];
  env: readonly string[];
}

export const VLLM_CLI: EngineCli = vllm;
export const TGI_CLI: EngineCli = tgi;
/** The Hugging Face hub client inside the Python engine images (HF_HOME, HF_HUB_OFFLINE, ...). */
export const HF_HUB_CLI: EngineCli = hfhub;

/** Flags an engine removed, with what to use instead (shown to users who still pass them). */
const REMOVED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  vllm: {
    '--disable-log-requests': 'removed from vLLM (request logging is off unless --enable-log-requests is given)',
    '--task': 'removed from vLLM: use --runner pooling (and --convert embed for a generative model) for embeddings',
  },
};

/** The flag name of one argument, as the engine's parser matches it; undefined for a value. */
export function flagName(arg: string, cli: EngineCli): string | undefined {
  if (!arg.startsWith('-') || /^-\d/.test(arg) || arg === '-' || arg === '--') return undefined;
  let name = arg.split('=', 1)[0]!;
  if (cli.normalize.underscoresAsDashes && name.startsWith('--')) name = `--${name.slice(2).replaceAll('_', '-')}`;
  // vLLM: --compilation-config.mode 3 sets one key of a JSON-valued flag
  if (cli.normalize.dottedConfigKeys && name.startsWith('--') && name.includes('.'))
    name = name.slice(0, name.indexOf('.'));
  return name;
}

/** Problems with args for `cli` (one message per unknown flag). Pure. */
export function unknownFlags(args: readonly string[], cli: EngineCli, label = 'engineArgs'): string[] {
  const known = new Set(cli.flags);
  const out: string[] = [];
  args.forEach((a, i) => {
    const name = flagName(a, cli);
    if (name === undefined || known.has(name)) return;
    const hint = REMOVED[cli.engine]?.[name];
    out.push(
      `${label}[${i}]: ${JSON.stringify(name)} is not a flag of ${cli.engine} ${cli.version}${hint ? ` (${hint})` : ''}`,
    );
  });
  return out;
}

/** Env var names in `names` that neither the engine nor its hub client reads. Pure. */
export function unknownEnv(
  names: readonly string[],
  clis: readonly EngineCli[],
  allowed: readonly string[] = [],
): string[] {
  const known = new Set([...clis.flatMap((c) => c.env), ...allowed]);
  return names.filter((n) => !known.has(n));
}
