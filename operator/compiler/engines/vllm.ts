import { HF_OFFLINE_ENV, healthProbes, localModelPath, pinnedRevision, pythonImageFetch, type EngineAdapter } from './types.ts';

const PORT = 8000;

export const vllm: EngineAdapter = {
  engine: 'vllm',
  port: PORT,
  apiBasePath: '/v1',
  supportsApiKey: true,
  container({ model, credentialEnv }) {
    const path = localModelPath(model);
    const args = [
      '--model', path,
      '--served-model-name', model.spec.servedName,
      '--host', '0.0.0.0',
      '--port', String(PORT),
      '--max-model-len', String(model.spec.contextLength),
      '--disable-log-requests',
    ];
    if (model.spec.resources.gpus > 1) args.push('--tensor-parallel-size', String(model.spec.resources.gpus));
    if (model.spec.capabilities.includes('embeddings')) args.push('--task', 'embed');
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
