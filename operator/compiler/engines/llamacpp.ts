import { MODEL_DIR, healthProbes, ociFetch, pinnedRevision, shellQuote, verifyFilesScript, type EngineAdapter } from './types.ts';

const PORT = 8080;

function ggufPath(model: Parameters<typeof pinnedRevision>[0]): string {
  const hf = model.spec.model.huggingface;
  const file = hf?.files?.[0]?.path;
  if (hf && file) return `${MODEL_DIR}/${hf.repo}/${file}`;
  return `${MODEL_DIR}/oci/model.gguf`;
}

export const llamacpp: EngineAdapter = {
  engine: 'llamacpp',
  port: PORT,
  apiBasePath: '/v1',
  supportsApiKey: true,
  container({ model, credentialEnv }) {
    const args = [
      '--model', ggufPath(model),
      '--alias', model.spec.servedName,
      '--host', '0.0.0.0',
      '--port', String(PORT),
      '--ctx-size', String(model.spec.contextLength),
    ];
    if (model.spec.resources.gpus > 0) args.push('--n-gpu-layers', '999');
    if (model.spec.capabilities.includes('embeddings')) args.push('--embeddings');
    args.push(...(model.spec.engineArgs ?? []));
    // llama-server reads LLAMA_API_KEY and then requires `Authorization: Bearer <key>`.
    const env = credentialEnv ? [{ ...credentialEnv, name: 'LLAMA_API_KEY' }] : [];
    return { command: ['/app/llama-server'], args, env };
  },
  fetchContainer({ model }) {
    const oci = ociFetch(model);
    if (oci) return oci;
    const hf = model.spec.model.huggingface;
    const file = hf?.files?.[0];
    if (!hf || !file) return undefined;
    // The GGUF file is fetched from the pinned commit and checked against its declared sha256.
    const url = `https://huggingface.co/${hf.repo}/resolve/${hf.revision}/${file.path}`;
    const dir = `${MODEL_DIR}/${hf.repo}`;
    const script = [
      'set -eu',
      `mkdir -p ${shellQuote(dir)}`,
      `curl -fsSL --retry 3 -o ${shellQuote(`${dir}/${file.path}`)} ${shellQuote(url)}`,
      verifyFilesScript(dir, [file]),
    ].join('\n');
    return { image: model.spec.image, command: ['/bin/sh', '-c'], args: [script], env: [{ name: 'HOME', value: '/tmp' }] };
  },
  ...healthProbes('/health', PORT),
  pinnedRevision,
};
