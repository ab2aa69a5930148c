// Every flag and env var the compiler emits for vLLM and TGI exists in the engine's own CLI at the version
// the adapter targets (fixtures captured from the engines' published source: ./cli/*.json), and users'
// engineArgs are checked against the same lists.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import { LLMModel } from '../../../api/v1alpha1/index.ts';
import { compile } from '../index.ts';
import { model } from '../testdata.ts';
import { checkEngineArgs } from './check.ts';
import { HF_HUB_CLI, TGI_CLI, VLLM_CLI, flagName, unknownEnv, unknownFlags, type EngineCli } from './cli.ts';

/** POSIX variables every process reads; not engine-specific. */
const GENERIC_ENV = ['HOME'];

function containers(m: LLMModel): { engine: V1Container } {
  const d = compile({ models: [m], tenants: [], policies: [] }).objects.find(
    (o) => o.kind === 'Deployment',
  ) as V1Deployment;
  return { engine: d.spec!.template.spec!.containers[0]! };
}

const hf = { huggingface: { repo: 'org/m', revision: 'b'.repeat(40) } };
const oci = { oci: { reference: `registry.example/m@sha256:${'e'.repeat(64)}` } };
const VARIANTS: [string, Record<string, unknown>][] = [
  ['1 GPU, chat', { model: hf }],
  ['0 GPUs', { model: hf, resources: { gpus: 0 } }],
  ['4 GPUs (tensor parallel / shards)', { model: hf, resources: { gpus: 4 } }],
  ['OCI weights', { model: oci }],
  ['limits', { model: hf, limits: { maxInputTokens: 1000, maxOutputTokens: 500 } }],
];

function check(engine: 'vllm' | 'tgi', cli: EngineCli) {
  const variants: [string, Record<string, unknown>][] =
    engine === 'vllm' ? [...VARIANTS, ['embeddings', { model: hf, capabilities: ['embeddings'] }]] : VARIANTS;
  for (const [name, spec] of variants) {
    it(`${name}: every compiled flag and env var exists in ${engine} ${cli.version}`, () => {
      const { engine: c } = containers(model(`m-${engine}`, { engine, ...spec }));
      assert.deepEqual(c.command, cli.command.split(' '));
      assert.deepEqual(unknownFlags(c.args ?? [], cli, 'args'), []);
      assert.deepEqual(
        unknownEnv(
          (c.env ?? []).map((e) => e.name),
          [cli, HF_HUB_CLI],
          GENERIC_ENV,
        ),
        [],
      );
    });
  }
}

describe('vLLM flags against vllm 0.33.0', () => {
  check('vllm', VLLM_CLI);
  it('the fixture is the real list: flags vLLM dropped are absent, current ones present', () => {
    for (const gone of ['--disable-log-requests', '--task']) assert.ok(!VLLM_CLI.flags.includes(gone), gone);
    for (const f of [
      '--served-model-name',
      '--max-model-len',
      '--runner',
      '--convert',
      '--enable-log-requests',
      '--tensor-parallel-size',
      '-tp',
      '--no-enforce-eager',
    ])
      assert.ok(VLLM_CLI.flags.includes(f), f);
    for (const e of ['VLLM_API_KEY', 'VLLM_NO_USAGE_STATS', 'DO_NOT_TRACK']) assert.ok(VLLM_CLI.env.includes(e), e);
    assert.equal(VLLM_CLI.version, '0.33.0');
  });
  it('embeddings run the pooling runner, never the removed --task', () => {
    const { engine } = containers(model('e', { engine: 'vllm', model: hf, capabilities: ['embeddings'] }));
    const args = engine.args!;
    assert.equal(args[args.indexOf('--runner') + 1], 'pooling');
    assert.ok(!args.includes('--task') && !args.includes('--disable-log-requests'));
  });
});

describe('TGI flags against text-generation-launcher 3.3.7', () => {
  check('tgi', TGI_CLI);
  it('the fixture is the real list', () => {
    for (const f of ['--model-id', '--hostname', '--port', '--max-total-tokens', '--max-input-tokens', '--num-shard'])
      assert.ok(TGI_CLI.flags.includes(f), f);
    for (const e of ['API_KEY', 'HF_TOKEN']) assert.ok(TGI_CLI.env.includes(e), e);
    assert.ok(!TGI_CLI.flags.includes('--max-model-len'));
  });
});

describe('flag names as the engines parse them', () => {
  const table: [string, EngineCli, string | undefined][] = [
    ['--max-model-len', VLLM_CLI, '--max-model-len'],
    ['--max_model_len=4096', VLLM_CLI, '--max-model-len'],
    ['--compilation-config.mode', VLLM_CLI, '--compilation-config'],
    ['-tp', VLLM_CLI, '-tp'],
    ['4096', VLLM_CLI, undefined],
    ['-1', VLLM_CLI, undefined],
    ['--max_total_tokens', TGI_CLI, '--max_total_tokens'],
    ['--max-total-tokens=10', TGI_CLI, '--max-total-tokens'],
  ];
  for (const [arg, cli, want] of table) it(`${arg} (${cli.engine})`, () => assert.equal(flagName(arg, cli), want));
});

describe("users' engineArgs", () => {
  const withArgs = (engine: string, engineArgs: string[], extra: Record<string, unknown> = {}) =>
    LLMModel.parse(model('u', { engine, model: hf, engineArgs, ...extra }));

  it('known flags (with values, = forms, underscores) pass', () => {
    const r = checkEngineArgs(
      withArgs('vllm', [
        '--gpu-memory-utilization',
        '0.85',
        '--enforce-eager',
        '--max_num_seqs=64',
        '--no-enable-prefix-caching',
      ]),
    );
    assert.deepEqual(r, { checked: true, problems: [], message: '5 engineArgs are flags of vllm 0.33.0' });
  });

  it('an unknown or removed flag is named, with what replaced it', () => {
    const r = checkEngineArgs(
      withArgs('vllm', ['--disable-log-requests', '--gpu-memory-utilization', '0.9', '--bogus-flag=1']),
    );
    assert.equal(r.checked, true);
    assert.deepEqual(r.problems, [
      'engineArgs[0]: "--disable-log-requests" is not a flag of vllm 0.33.0 (removed from vLLM (request logging is off unless --enable-log-requests is given))',
      'engineArgs[3]: "--bogus-flag" is not a flag of vllm 0.33.0',
    ]);
    const t = checkEngineArgs(withArgs('tgi', ['--max-model-len', '10']));
    assert.deepEqual(t.problems, ['engineArgs[0]: "--max-model-len" is not a flag of tgi 3.3.7']);
  });

  it('the problems reach the compile outcome (status condition and `tollgate validate`)', () => {
    const r = compile({ models: [withArgs('vllm', ['--task', 'embed'])], tenants: [], policies: [] });
    assert.equal(r.models[0]!.engineArgs.problems.length, 1);
    assert.match(
      r.models[0]!.engineArgs.problems[0]!,
      /"--task" is not a flag of vllm 0\.33\.0 \(removed from vLLM: use --runner pooling/,
    );
  });

  it('another engine version: not checked, and status says so', () => {
    const r = checkEngineArgs(withArgs('vllm', ['--some-future-flag'], { engineVersion: '0.40.0' }));
    assert.deepEqual(r, {
      checked: false,
      problems: [],
      message: 'engineArgs not checked: Tollgate has the CLI of vllm 0.33.0, spec.engineVersion says 0.40.0',
    });
    assert.equal(
      checkEngineArgs(withArgs('vllm', ['--bogus'], { engineVersion: 'v0.33.0' })).problems.length,
      1,
      'v-prefix is the same version',
    );
  });
});
