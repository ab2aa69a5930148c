// The `tollgate` command: dispatches to cli/commands/<name>.ts. Errors are printed as one line each;
// a stack trace is printed only with TOLLGATE_DEBUG=1.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './args.ts';

interface Command {
  run(argv: string[]): Promise<number>;
  summary?: string;
  usage?: string;
}

const COMMANDS_DIR = join(import.meta.dirname, 'commands');

function commandNames(): string[] {
  return readdirSync(COMMANDS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<Command | undefined> {
  if (!/^[a-z][a-z-]*$/.test(name) || !commandNames().includes(name)) return undefined;
  return (await import(join(COMMANDS_DIR, `${name}.ts`))) as Command;
}

async function help(): Promise<void> {
  const lines = ['Usage: tollgate <command> [flags]', '', 'Commands:'];
  for (const name of commandNames()) {
    const c = await load(name);
    lines.push(`  ${name.padEnd(10)} ${c?.summary ?? ''}`);
  }
  lines.push('', 'Run `tollgate <command> --help` for its flags.');
  console.log(lines.join('\n'));
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    await help();
    return name ? 0 : 2;
  }
  const cmd = await load(name);
  if (!cmd) {
    console.error(`tollgate: unknown command "${name}"; run \`tollgate help\``);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: ${cmd.usage ?? `tollgate ${name}`}\n\n${cmd.summary ?? ''}`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`tollgate ${name}: ${err.message}\nUsage: ${cmd.usage ?? ''}`);
      return 2;
    }
    console.error(`tollgate ${name}: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env['TOLLGATE_DEBUG'] === '1' && err instanceof Error) console.error(err.stack);
    return 1;
  }
}
