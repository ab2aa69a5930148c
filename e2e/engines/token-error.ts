// How far the gateway's pre-flight token estimates are from a real engine's count (issue #16, item 5).
// Starts llama-server (built by e2e/engines/build.sh, cached) on the tiny generated model with exactly the
// command line `tollgate render` prints for an llamacpp LLMModel, and for a varied prompt set
// (gateway/test/token-texts.ts: 27 scripts, code, emoji, whitespace, numbers, casing, special-token
// look-alikes, plus seeded mixes) compares, for each encoding a model can name (cl100k_base, o200k_base):
//   text: the gateway's count of the raw text vs the engine's /tokenize of it;
//   chat: the gateway's estimate of a one-message chat request (what admission reserves: the text plus the
//         message framing) vs the engine's usage.prompt_tokens (its chat template applied).
// Prints Markdown tables: mean and p95 of |relative error|, the bias, and engine/estimate (what the learnt
// correction of gateway/plan/input-ratio.ts converges to). A script that prints figures, not a test.
//
//   node e2e/engines/token-error.ts [--mixes N] [--url http://127.0.0.1:PORT]   (--url: a llama-server already
//   running, e.g. with a real model; its API key in TOKEN_ERROR_KEY)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TOKENIZERS, type Tokenizer } from '../../api/v1alpha1/tokenizer.ts';
import { encodingFor } from '../../gateway/encodings.ts';
import { validateRequest } from '../../gateway/request.ts';
import { freePort } from '../../gateway/test/net.ts';
import { mixedTexts, TOKEN_TEXTS } from '../../gateway/test/token-texts.ts';
import { countAll, countText } from '../../gateway/tokens.ts';
import { binaryPath } from '../binaries.ts';
import { llamacppModelYaml, TINY_REPO, writeTinyModel } from './harness.ts';
import {
  container,
  localizeContainer,
  renderManifest,
  startProcess,
  waitHealthy,
  type EngineProcess,
} from './local.ts';
import { errorStats, statsRow, type Pair } from './token-stats.ts';

const SERVED = 'tiny-llama';
const REPO = TINY_REPO;
const { values } = parseArgs({ options: { mixes: { type: 'string', default: '200' }, url: { type: 'string' } } });
const MIXES = Number(values.mixes);

const modelYaml = (sha256: string): string => llamacppModelYaml(sha256, SERVED, { contextLength: 4096 });

async function post(url: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
  return (await r.json()) as Record<string, unknown>;
}

interface Measured {
  category: string;
  text: Record<Tokenizer, Pair>;
  chat: Record<Tokenizer, Pair>;
}

async function measure(base: string, key: string, category: string, content: string): Promise<Measured> {
  const tokenized = await post(`${base}/tokenize`, key, { content, add_special: false });
  const engineText = (tokenized.tokens as unknown[]).length;
  const body = { model: SERVED, messages: [{ role: 'user', content }], max_tokens: 1, temperature: 0 };
  const answer = await post(`${base}/v1/chat/completions`, key, body);
  const engineChat = (answer.usage as { prompt_tokens: number }).prompt_tokens;
  const input = validateRequest('chat.completions', structuredClone(body)).input;
  const text = {} as Record<Tokenizer, Pair>;
  const chat = {} as Record<Tokenizer, Pair>;
  for (const name of TOKENIZERS) {
    const enc = encodingFor(name);
    text[name] = { estimate: countText(enc, content), engine: engineText };
    chat[name] = { estimate: (await countAll(enc, input)).tokens, engine: engineChat };
  }
  return { category, text, chat };
}

interface Engine {
  readonly base: string;
  readonly key: string;
  readonly label: string;
  stop(): Promise<void>;
}

/** llama-server on the tiny model, started with the rendered command line (as llamacpp.test.ts does). */
async function startTinyEngine(): Promise<Engine> {
  const bin = binaryPath('llama-server');
  const work = mkdtempSync(join(tmpdir(), 'tollgate-token-error-'));
  let engine: EngineProcess | undefined;
  const stop = async (): Promise<void> => {
    await engine?.stop();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const tiny = writeTinyModel(join(work, 'models', REPO, 'tiny.gguf'));
    const d = renderManifest(join(work, 'manifests'), modelYaml(tiny.sha256));
    const port = await freePort();
    const key = `upstream-${process.pid}-${Date.now()}`;
    const secret = `${d.metadata!.name!.replace(/-engine$/, '')}-upstream-auth/api-key`;
    const cmd = localizeContainer(container(d, 'engine'), {
      binaries: { 'llama-server': bin },
      modelDir: join(work, 'models'),
      tmpDir: work,
      port,
      secrets: { [secret]: key },
    });
    engine = startProcess(cmd, { cwd: work });
    const base = `http://127.0.0.1:${port}`;
    await waitHealthy(`${base}/health`, engine, 60_000);
    return { base, key, label: `llama-server ${bin.split('/').at(-2)} on the tiny model (vocab ${tiny.vocab})`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function report(engine: Engine): Promise<void> {
  const prompts: [string, string][] = [
    ...Object.entries(TOKEN_TEXTS).flatMap(([cat, texts]) => texts.map((t): [string, string] => [cat, t])),
    ...mixedTexts(MIXES, 7).map((t): [string, string] => ['mixed', t]),
  ];
  const rows: Measured[] = [];
  for (const [cat, text] of prompts) rows.push(await measure(engine.base, engine.key, cat, text));
  const categories = [...new Set(rows.map((r) => r.category)), 'all'];
  console.log(`${engine.label}, ${rows.length} prompts\n`);
  for (const kind of ['text', 'chat'] as const) {
    console.log(
      kind === 'text'
        ? '### raw text: gateway count vs engine /tokenize'
        : '### one-message chat: gateway estimate (text + framing) vs engine usage.prompt_tokens',
    );
    console.log('\n| encoding / prompts | n | mean abs error | p95 abs error | bias | engine / estimate |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const name of TOKENIZERS)
      for (const cat of categories) {
        const pick = rows.filter((r) => cat === 'all' || r.category === cat).map((r) => r[kind][name]);
        console.log(statsRow(`${name} / ${cat}`, errorStats(pick)));
      }
    console.log();
  }
}

async function main(): Promise<void> {
  // --url: a llama-server already running (any model); its key from TOKEN_ERROR_KEY
  const engine: Engine = values.url
    ? {
        base: values.url.replace(/\/+$/, ''),
        key: process.env.TOKEN_ERROR_KEY ?? '',
        label: `llama-server at ${values.url}`,
        stop: async () => undefined,
      }
    : await startTinyEngine();
  try {
    await report(engine);
  } finally {
    await engine.stop();
  }
}

await main();
