import { HF_HUB_CLI, TGI_CLI } from './cli.ts';
import {
  HF_OFFLINE_ENV,
  healthProbes,
  localModelPath,
  pinnedRevision,
  pythonImageFetch,
  type EngineAdapter,
} from './types.ts';

const PORT = 8080;

export const tgi: EngineAdapter = {
  engine: 'tgi',
  port: PORT,
  apiBasePath: '/v1',
  supportsApiKey: true,
  cli: { engine: TGI_CLI, env: [TGI_CLI, HF_HUB_CLI] },
  container({ model, credentialEnv }) {
    const path = localModelPath(model);
    const args = [
      '--model-id',
      path,
      '--hostname',
      '0.0.0.0',
      '--port',
      String(PORT),
      '--max-total-tokens',
      String(model.spec.contextLength),
      '--max-input-tokens',
      String(Math.max(1, model.spec.limits?.maxInputTokens ?? model.spec.contextLength - 1)),
    ];
    if (model.spec.resources.gpus > 1) args.push('--num-shard', String(model.spec.resources.gpus));
    args.push(...(model.spec.engineArgs ?? []));
    const env = [...HF_OFFLINE_ENV];
    // text-generation-launcher reads API_KEY and then requires `Authorization: Bearer <key>`.
    if (credentialEnv) env.push({ ...credentialEnv, name: 'API_KEY' });
    return { command: ['text-generation-launcher'], args, env };
  },
  fetchContainer: ({ model }) => pythonImageFetch(model),
  ...healthProbes('/health', PORT),
  pinnedRevision,
};
