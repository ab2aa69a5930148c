import { HF_HUB_CLI, VLLM_CLI } from './cli.ts';
import {
  HF_OFFLINE_ENV,
  healthProbes,
  localModelPath,
  pinnedRevision,
  pythonImageFetch,
  type EngineAdapter,
} from './types.ts';

const PORT = 8000;

export const vllm: EngineAdapter = {
  engine: 'vllm',
  port: PORT,
  apiBasePath: '/v1',
  supportsApiKey: true,
  cli: { engine: VLLM_CLI, env: [VLLM_CLI, HF_HUB_CLI] },
  container({ model, credentialEnv }) {
    const path = localModelPath(model);
    const args = [
      '--model',
      path,
      '--served-model-name',
      model.spec.servedName,
      '--host',
      '0.0.0.0',
      '--port',
      String(PORT),
      '--max-model-len',
      String(model.spec.contextLength),
    ];
    // Request logging is off by default since vLLM dropped --disable-log-requests (0.11); nothing to pass.
    if (model.spec.resources.gpus > 1) args.push('--tensor-parallel-size', String(model.spec.resources.gpus));
    // One vLLM server runs one runner: embeddings need the pooling runner (--task embed was removed; with
    // --convert auto a generative checkpoint is converted to an embedding model). Admission keeps
    // embeddings and generation apart for vllm.
    if (model.spec.capabilities.includes('embeddings')) args.push('--runner', 'pooling');
    args.push(...(model.spec.engineArgs ?? []));
    // vLLM reads VLLM_API_KEY and then requires `Authorization: Bearer <key>` on /v1/*.
    const env = [...HF_OFFLINE_ENV, { name: 'VLLM_NO_USAGE_STATS', value: '1' }, { name: 'DO_NOT_TRACK', value: '1' }];
    if (credentialEnv) env.push({ ...credentialEnv, name: 'VLLM_API_KEY' });
    return { command: ['vllm', 'serve'], args, env };
  },
  fetchContainer: ({ model }) => pythonImageFetch(model),
  ...healthProbes('/health', PORT),
  pinnedRevision,
};
