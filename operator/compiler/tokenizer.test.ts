// LLMModel spec.tokenizer: the family default and the explicit field, carried into the gateway config (the
// operator-gateway contract), which still accepts a config written before the field existed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGatewayConfig } from '../../api/config-verify.ts';
import { sealGatewayConfig } from '../../api/gateway-config.ts';
import { LLMModel, tokenizerFor, type Tokenizer } from '../../api/v1alpha1/index.ts';
import { compile } from './index.ts';
import { DIGEST, model, REV } from './testdata.ts';

const OLLAMA_DIGEST = `sha256:${'c'.repeat(64)}`;

describe('tokenizer: the encoding each model is estimated with', () => {
  const cases: { name: string; spec: Record<string, unknown>; want: Tokenizer }[] = [
    { name: 'no family known: cl100k_base', spec: {}, want: 'cl100k_base' },
    {
      name: 'gpt-oss by Hugging Face repo',
      spec: { model: { huggingface: { repo: 'openai/gpt-oss-20b', revision: REV } } },
      want: 'o200k_base',
    },
    { name: 'gpt-oss by served name, any case', spec: { servedName: 'GPT-OSS-120B' }, want: 'o200k_base' },
    {
      name: 'gpt-oss by Ollama name',
      spec: {
        engine: 'ollama',
        servedName: 'chat',
        model: { ollama: { name: 'gpt-oss:20b', digest: OLLAMA_DIGEST } },
      },
      want: 'o200k_base',
    },
    {
      name: 'gpt-oss by OCI reference',
      spec: { model: { oci: { reference: `registry.example/models/gpt-oss-20b@${OLLAMA_DIGEST}` } } },
      want: 'o200k_base',
    },
    {
      name: 'DeepSeek by Hugging Face repo',
      spec: { model: { huggingface: { repo: 'deepseek-ai/DeepSeek-V3', revision: REV } } },
      want: 'o200k_base',
    },
    {
      name: 'another family: cl100k_base',
      spec: { model: { huggingface: { repo: 'meta-llama/Llama-3.1-8B-Instruct', revision: REV } } },
      want: 'cl100k_base',
    },
    { name: 'explicit o200k_base wins', spec: { tokenizer: 'o200k_base' }, want: 'o200k_base' },
    {
      name: 'explicit cl100k_base wins over the gpt-oss family',
      spec: { servedName: 'gpt-oss-20b', tokenizer: 'cl100k_base' },
      want: 'cl100k_base',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the config says ${c.want}`, () => {
      const m = model('m', c.spec);
      assert.equal(tokenizerFor(m.spec), c.want);
      const cfg = compile({ models: [m], tenants: [], policies: [] }).gatewayConfig;
      assert.equal(cfg.models.length, 1);
      assert.equal(cfg.models[0]!.tokenizer, c.want);
      // the operator-gateway contract accepts what the compiler wrote
      assert.equal(parseGatewayConfig(JSON.parse(JSON.stringify(cfg))).models[0]!.tokenizer, c.want);
    });
  }

  it('refuses an encoding the gateway does not have', () => {
    const r = LLMModel.safeParse({
      apiVersion: 'tollgate.dev/v1alpha1',
      kind: 'LLMModel',
      metadata: { name: 'm', namespace: 'llm' },
      spec: {
        engine: 'vllm',
        image: DIGEST,
        model: { huggingface: { repo: 'org/m', revision: REV } },
        servedName: 'm',
        tokenizer: 'p50k_base',
      },
    });
    assert.equal(r.success, false);
  });

  it('a config without the field (an older operator) still parses: the gateway then uses cl100k_base', () => {
    const cfg = compile({ models: [model('m')], tenants: [], policies: [] }).gatewayConfig;
    const { hash: _hash, ...body } = cfg;
    const older = sealGatewayConfig({ ...body, models: body.models.map(({ tokenizer: _t, ...m }) => m) });
    assert.equal(parseGatewayConfig(JSON.parse(JSON.stringify(older))).models[0]!.tokenizer, undefined);
  });
});
