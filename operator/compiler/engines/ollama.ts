import { MODEL_DIR, healthProbes, pinnedRevision, shellQuote, type EngineAdapter } from './types.ts';

const PORT = 11434;

function nameAndTag(name: string): [string, string] {
  const [n, t] = name.split(':');
  const full = (n ?? name).includes('/') ? (n ?? name) : `library/${n ?? name}`;
  return [full, t ?? 'latest'];
}

export const ollama: EngineAdapter = {
  engine: 'ollama',
  port: PORT,
  apiBasePath: '/v1',
  // Ollama has no API-key option: the NetworkPolicy is the only guard (surfaced in status).
  supportsApiKey: false,
  container({ model }) {
    return {
      command: ['ollama', 'serve'],
      args: [...(model.spec.engineArgs ?? [])],
      env: [
        { name: 'OLLAMA_HOST', value: `0.0.0.0:${PORT}` },
        { name: 'OLLAMA_MODELS', value: `${MODEL_DIR}/ollama` },
        { name: 'OLLAMA_CONTEXT_LENGTH', value: String(model.spec.contextLength) },
        { name: 'OLLAMA_NOPRUNE', value: '1' },
        { name: 'HOME', value: '/tmp' },
      ],
    };
  },
  fetchContainer({ model }) {
    const src = model.spec.model.ollama;
    if (!src) return undefined;
    const [repo, tag] = nameAndTag(src.name);
    const manifest = `${MODEL_DIR}/ollama/manifests/registry.ollama.ai/${repo}/${tag}`;
    const want = src.digest.replace(/^sha256:/, '');
    // Pull, then compare the manifest's sha256 (Ollama's model digest) with the pinned one.
    const script = [
      'set -eu',
      `OLLAMA_HOST=127.0.0.1:${PORT} OLLAMA_MODELS=${MODEL_DIR}/ollama ollama serve >/tmp/serve.log 2>&1 &`,
      'for i in $(seq 1 60); do ollama list >/dev/null 2>&1 && break; sleep 1; done',
      `OLLAMA_HOST=127.0.0.1:${PORT} ollama pull ${shellQuote(src.name)}`,
      `got=$(sha256sum ${shellQuote(manifest)} | cut -d' ' -f1)`,
      `[ "$got" = ${shellQuote(want)} ] || { echo "model digest mismatch: got sha256:$got want ${src.digest}" >&2; exit 1; }`,
      `echo verified ${src.name}@${src.digest}`,
    ].join('\n');
    return { image: model.spec.image, command: ['/bin/sh', '-c'], args: [script], env: [{ name: 'HOME', value: '/tmp' }] };
  },
  ...healthProbes('/api/version', PORT),
  pinnedRevision,
};
