// The model fetch, for real: the fetch-and-verify-model init container that `tollgate render` prints (its
// exact command, script and env; paths mapped as e2e/engines/local.ts documents) runs against a fake
// Hugging Face hub on 127.0.0.1 (HF_ENDPOINT points the script at it). Gated repos need the token from
// the Secret; files are verified against the spec's sha256, else the hub's per-file sha256 at the pinned
// revision, else reported "pinned, not verified"; a tampered file or an unpinned answer fails the pod.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { container, localizeContainer, renderManifest, runToExit } from './local.ts';

const REV = '0123456789abcdef0123456789abcdef01234567';
const TOKEN = 'hf_tollgateTestToken0123456789';
const CONFIG = Buffer.from('{"architectures": ["LlamaForCausalLM"]}\n');
const WEIGHTS = Buffer.from('not really safetensors, but bytes with a sha256\n'.repeat(1000));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const gitBlob = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

interface Hub {
  server: Server;
  url: string;
  cdnUrl: string;
  seen: { path: string; auth: string | undefined }[];
  tamper: boolean;
  answerRevision: string;
  extraSibling?: string;
}
const hub: Hub = { server: createServer(), url: '', cdnUrl: '', seen: [], tamper: false, answerRevision: REV };
let work: string;

function handle(req: IncomingMessage): { status: number; body: Buffer | string; headers?: Record<string, string> } {
  const url = new URL(req.url ?? '/', 'http://x');
  const auth = req.headers.authorization;
  hub.seen.push({ path: url.pathname, auth });
  if (url.pathname.startsWith('/cdn/'))
    return { status: 200, body: hub.tamper ? Buffer.concat([WEIGHTS, Buffer.from('x')]) : WEIGHTS };
  const gated = url.pathname.includes('org/gated');
  if (gated && auth !== `Bearer ${TOKEN}`)
    return { status: 401, body: '{"error":"Access to model org/gated is restricted."}' };
  const meta = new RegExp(`^/api/models/org/(gated|open)/revision/${REV}$`).exec(url.pathname);
  if (meta && url.searchParams.get('blobs') === 'true') {
    const siblings: Record<string, unknown>[] = [
      { rfilename: 'config.json', blobId: gitBlob(CONFIG), size: CONFIG.length },
      {
        rfilename: 'model.safetensors',
        blobId: 'f'.repeat(40),
        size: WEIGHTS.length,
        lfs: { sha256: sha256(WEIGHTS), size: WEIGHTS.length, pointerSize: 134 },
      },
    ];
    if (hub.extraSibling) siblings.push({ rfilename: hub.extraSibling, blobId: gitBlob(CONFIG), size: CONFIG.length });
    return { status: 200, body: JSON.stringify({ id: `org/${meta[1]}`, sha: hub.answerRevision, siblings }) };
  }
  const file = new RegExp(`^/org/(gated|open)/resolve/${REV}/(.+)$`).exec(url.pathname);
  if (file?.[2] === 'config.json') return { status: 200, body: CONFIG };
  // LFS files redirect to a CDN on another host (as the real hub does): the token must not follow
  if (file?.[2] === 'model.safetensors' || file?.[2] === 'tiny.gguf')
    return { status: 302, body: '', headers: { location: `${hub.cdnUrl}/cdn/${file[2]}` } };
  return { status: 404, body: 'not found' };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'tollgate-fetch-'));
  hub.server.on('request', (req, res) => {
    const r = handle(req);
    res.writeHead(r.status, r.headers ?? {});
    res.end(r.body);
  });
  await new Promise<void>((r) => hub.server.listen(0, '127.0.0.1', r));
  const port = (hub.server.address() as { port: number }).port;
  hub.url = `http://127.0.0.1:${port}`;
  hub.cdnUrl = `http://localhost:${port}`; // same server, another host name: a different origin for the token rule
});
after(async () => {
  await new Promise((r) => hub.server.close(r));
  rmSync(work, { recursive: true, force: true });
});

let n = 0;
function modelYaml(engine: string, repo: string, extra: string): string {
  return `apiVersion: tollgate.dev/v1alpha1
kind: LLMModel
metadata: {name: m${n}, namespace: llm}
spec:
  engine: ${engine}
  image: registry.example/engine@sha256:${'a'.repeat(64)}
  servedName: m${n}
  model:
    huggingface:
      repo: ${repo}
      revision: ${REV}
${extra}`;
}

/** Renders the model, runs its fetch init container locally against the fake hub. */
async function fetchWith(engine: string, repo: string, extra: string, secrets: Record<string, string> = {}) {
  const dir = join(work, `case-${++n}`);
  const d = renderManifest(join(dir, 'manifests'), modelYaml(engine, repo, extra));
  const init = container(d, 'fetch-and-verify-model');
  const cmd = localizeContainer(init, {
    binaries: { python3: 'python3', sh: '/bin/sh' },
    modelDir: join(dir, 'models'),
    tmpDir: dir,
    port: 0,
    secrets,
  });
  hub.seen = [];
  const r = await runToExit(cmd, { extraEnv: { HF_ENDPOINT: hub.url }, timeoutMs: 60_000 });
  return { ...r, models: join(dir, 'models'), init, cmd };
}

const TOKEN_SECRET = '      tokenSecret: {name: hf-token, key: token}\n';

describe('Hugging Face fetch (vLLM/TGI images: python3, standard library)', () => {
  it('gated repo: the token from the Secret reaches the hub, never the CDN; LFS files verified by the hub sha256, the rest "pinned, not verified"', async () => {
    const r = await fetchWith('vllm', 'org/gated', TOKEN_SECRET, { 'hf-token/token': TOKEN });
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(readFileSync(join(r.models, 'org/gated/model.safetensors')), WEIGHTS);
    assert.deepEqual(readFileSync(join(r.models, 'org/gated/config.json')), CONFIG);
    assert.match(
      r.output,
      new RegExp(
        `pinned, not verified: org/gated@${REV}: 1 file\\(s\\) verified by sha256 from the hub's metadata at the pinned revision; 1 without a sha256 \\(git blob id only\\): config.json`,
      ),
    );
    assert.ok(hub.seen.some((s) => s.path.startsWith('/api/models/') && s.auth === `Bearer ${TOKEN}`));
    const cdn = hub.seen.filter((s) => s.path.startsWith('/cdn/'));
    assert.equal(cdn.length, 1);
    assert.equal(cdn[0]!.auth, undefined, 'the token followed the redirect to another host');
    // the token is in the env (from the Secret), not in the command line
    assert.ok(!JSON.stringify([r.init.command, r.init.args]).includes(TOKEN));
    assert.equal(r.init.env!.find((e) => e.name === 'HF_TOKEN')?.valueFrom?.secretKeyRef?.name, 'hf-token');
  });

  it('gated repo without a token: fails, naming the field to set', async () => {
    const r = await fetchWith('vllm', 'org/gated', '');
    assert.equal(r.code, 1);
    assert.match(r.output, /HTTP 401 \(gated or private: set spec\.model\.huggingface\.tokenSecret\)/);
  });

  it('files listed in the spec: only those fetched, each verified against the spec sha256', async () => {
    const r = await fetchWith(
      'tgi',
      'org/open',
      `      files:\n        - {path: model.safetensors, sha256: ${sha256(WEIGHTS)}}\n        - {path: config.json, sha256: ${sha256(CONFIG)}}\n`,
    );
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, new RegExp(`verified: org/open@${REV}: 2 file\\(s\\), sha256 from the spec`));
    assert.doesNotMatch(r.output, /pinned, not verified/);
  });

  it('a tampered download fails the fetch (the engine never starts)', async () => {
    hub.tamper = true;
    try {
      const r = await fetchWith('vllm', 'org/open', '');
      assert.equal(r.code, 1);
      assert.match(r.output, /model\.safetensors: sha256 [a-f0-9]{64}, expected [a-f0-9]{64}/);
      assert.ok(!existsSync(join(r.models, 'org/open/model.safetensors')), 'no unverified file left in place');
    } finally {
      hub.tamper = false;
    }
  });

  it('a spec sha256 that disagrees with the hub, a revision the hub does not confirm, a path escaping the directory: all fail', async () => {
    const wrong = await fetchWith(
      'vllm',
      'org/open',
      `      files:\n        - {path: model.safetensors, sha256: '${'0'.repeat(64)}'}\n`,
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.output, /the spec pins sha256 0{64}, the hub lists/);
    hub.answerRevision = 'f'.repeat(40);
    try {
      const moved = await fetchWith('vllm', 'org/open', '');
      assert.equal(moved.code, 1);
      assert.match(moved.output, /the hub answered revision 'f{40}' for org\/open, not the pinned/);
    } finally {
      hub.answerRevision = REV;
    }
    hub.extraSibling = '../escape.json';
    try {
      const esc = await fetchWith('vllm', 'org/open', '');
      assert.equal(esc.code, 1);
      assert.match(esc.output, /refusing file path '\.\.\/escape\.json'/);
    } finally {
      delete hub.extraSibling;
    }
  });
});

describe('llama.cpp fetch (curl + sha256sum, one GGUF file pinned in the spec)', () => {
  it("gated: token on curl's stdin, file verified against the spec", async () => {
    const r = await fetchWith(
      'llamacpp',
      'org/gated',
      `      files:\n        - {path: tiny.gguf, sha256: ${sha256(WEIGHTS)}}\n${TOKEN_SECRET}`,
      { 'hf-token/token': TOKEN },
    );
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(readFileSync(join(r.models, 'org/gated/tiny.gguf')), WEIGHTS);
    assert.match(r.output, new RegExp(`verified: org/gated@${REV}: 1 file, sha256 from the spec`));
    assert.ok(hub.seen.some((s) => s.path === `/org/gated/resolve/${REV}/tiny.gguf` && s.auth === `Bearer ${TOKEN}`));
    assert.equal(
      hub.seen.find((s) => s.path.startsWith('/cdn/'))?.auth,
      undefined,
      'curl kept the token off the other host',
    );
    assert.ok(!JSON.stringify([r.init.command, r.init.args]).includes(TOKEN));
  });

  it('a wrong sha256 fails and leaves no file in place', async () => {
    const r = await fetchWith(
      'llamacpp',
      'org/open',
      `      files:\n        - {path: tiny.gguf, sha256: '${'1'.repeat(64)}'}\n`,
    );
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /FAILED/);
    assert.ok(!existsSync(join(r.models, 'org/open/tiny.gguf')));
  });
});
