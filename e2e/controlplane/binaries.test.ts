// e2e/binaries.ts: versions come from e2e/versions.env, cached binaries resolve, missing ones say how to build.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binaries, binaryPath, expectedBinaryPath, parseVersionsEnv, versions } from '../binaries.ts';

describe('e2e/binaries.ts', () => {
  it('pins a version for every binary', () => {
    const v = versions();
    // exact pins: Go module tags (vX.Y.Z), PyPI releases (X.Y.Z: llama-cpp-python, whose sdist carries llama.cpp)
    for (const [name, { versionKey }] of Object.entries(binaries))
      assert.match(v[versionKey] ?? '', /^v?\d+\.\d+\.\d+$/, `${name} (${versionKey})`);
    assert.match(v.KUBERNETES_VERSION ?? '', /^v1\.34\./);
  });

  it('parses KEY=value lines and refuses anything else', () => {
    assert.deepEqual(parseVersionsEnv('# c\n\nA=1\nB_2="x"\n'), { A: '1', B_2: 'x' });
    assert.throws(() => parseVersionsEnv('not a line'), /cannot parse/);
  });

  it('resolves the binaries test:e2e built', () => {
    for (const name of [
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kubectl',
      'etcd',
      'kwok',
    ] as const) {
      assert.equal(binaryPath(name), expectedBinaryPath(name));
    }
  });

  it('names the missing binary and the command that builds it', () => {
    const env = { TOLLGATE_CACHE: '/nonexistent/tollgate-cache' };
    const v = versions().LLM_D_INFERENCE_SIM_VERSION;
    assert.throws(
      () => binaryPath('llm-d-inference-sim', env),
      (err: Error) =>
        err.message.includes(`llm-d-inference-sim ${v} is not built`) &&
        err.message.includes(`/nonexistent/tollgate-cache/bin/llm-d-inference-sim-${v}/llm-d-inference-sim`) &&
        err.message.includes('bash e2e/cluster/build.sh llm-d-inference-sim'),
    );
  });
});
