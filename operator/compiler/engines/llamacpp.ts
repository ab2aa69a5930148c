import { MODEL_DIR, healthProbes, huggingFaceFetchEnv, ociFetch, pinnedRevision, type EngineAdapter } from './types.ts';

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
      '--model',
      ggufPath(model),
      '--alias',
      model.spec.servedName,
      '--host',
      '0.0.0.0',
      '--port',
      String(PORT),
      '--ctx-size',
      String(model.spec.contextLength),
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
    // llama.cpp images carry curl, not Python: the one GGUF file is fetched from the pinned commit and
    // checked against the sha256 the spec must list (admission requires it). Everything from the spec
    // reaches the script as env vars (never spliced into it); a token reaches curl on stdin (--config -),
    // never its command line, and curl (>= 7.58) drops it on a redirect to another host (the LFS CDN).
    const script = [
      'set -eu',
      'url="${HF_ENDPOINT:-https://huggingface.co}/$HF_REPO/resolve/$HF_REVISION/$HF_FILE"',
      'out="$MODEL_DEST/$HF_FILE"',
      'mkdir -p "$(dirname "$out")"',
      'if [ -n "${HF_TOKEN:-}" ]; then printf \'header = "Authorization: Bearer %s"\\n\' "$HF_TOKEN"; fi | curl -fsSL --retry 3 --config - -o "$out.part" "$url"',
      'printf \'%s  %s\\n\' "$HF_SHA256" "$out.part" | sha256sum -c --strict -',
      'mv "$out.part" "$out"',
      'echo "verified: $HF_REPO@$HF_REVISION: 1 file, sha256 from the spec"',
    ].join('\n');
    const env = [
      ...huggingFaceFetchEnv(model),
      { name: 'HF_FILE', value: file.path },
      { name: 'HF_SHA256', value: file.sha256 },
      { name: 'HOME', value: '/tmp' },
    ];
    return { image: model.spec.image, command: ['/bin/sh', '-c'], args: [script], env };
  },
  ...healthProbes('/health', PORT),
  pinnedRevision,
};
