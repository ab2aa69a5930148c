import { MODEL_DIR, healthProbes, pinnedRevision, type EngineAdapter } from './types.ts';

const PORT = 11434;

/** Where `ollama pull <name>` leaves the manifest, relative to OLLAMA_MODELS (host/namespace/model/tag). */
export function manifestPath(name: string): string {
  const [repo = name, tag = 'latest'] = name.split(':');
  const parts = repo.split('/');
  const full =
    parts.length >= 3
      ? parts
      : parts.length === 2
        ? ['registry.ollama.ai', ...parts]
        : ['registry.ollama.ai', 'library', repo];
  return `manifests/${full.join('/')}/${tag}`;
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
    // Pull, compare the manifest's sha256 (Ollama's model digest) with the pinned one (Ollama checks every
    // blob's sha256 against the manifest as it pulls), then make the served name resolve: clients send
    // `model: <servedName>` and Ollama serves only names it has, so the pulled model is copied to that name
    // (`ollama cp` writes a second manifest; the blobs are shared). Spec values reach the script as env.
    const script = [
      'set -eu',
      'ollama serve >"$HOME/ollama-serve.log" 2>&1 &',
      'serve=$!',
      "trap 'kill $serve 2>/dev/null || true' EXIT",
      'i=0; until ollama list >/dev/null 2>&1; do i=$((i+1)); if [ $i -ge 120 ]; then cat "$HOME/ollama-serve.log" >&2; echo "ollama serve did not start" >&2; exit 1; fi; sleep 0.5; done',
      'ollama pull "$OLLAMA_PULL_NAME"',
      'got="sha256:$(sha256sum "$OLLAMA_MODELS/$OLLAMA_MANIFEST" | cut -d\' \' -f1)"',
      '[ "$got" = "$OLLAMA_DIGEST" ] || { echo "model digest mismatch: got $got want $OLLAMA_DIGEST" >&2; exit 1; }',
      '[ "$OLLAMA_PULL_NAME" = "$SERVED_NAME" ] || ollama cp "$OLLAMA_PULL_NAME" "$SERVED_NAME"',
      'echo "verified: $OLLAMA_PULL_NAME@$OLLAMA_DIGEST (manifest sha256; blobs checked by ollama), served as $SERVED_NAME"',
    ].join('\n');
    const env = [
      { name: 'OLLAMA_HOST', value: `127.0.0.1:${PORT}` },
      { name: 'OLLAMA_MODELS', value: `${MODEL_DIR}/ollama` },
      { name: 'OLLAMA_NOPRUNE', value: '1' },
      { name: 'OLLAMA_PULL_NAME', value: src.name },
      { name: 'OLLAMA_MANIFEST', value: manifestPath(src.name) },
      { name: 'OLLAMA_DIGEST', value: src.digest },
      { name: 'SERVED_NAME', value: model.spec.servedName },
      { name: 'HOME', value: '/tmp' },
    ];
    return { image: model.spec.image, command: ['/bin/sh', '-c'], args: [script], env };
  },
  ...healthProbes('/api/version', PORT),
  pinnedRevision,
};
