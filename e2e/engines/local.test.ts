// localizeContainer: the only substitutions between a rendered engine container and the local process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localizeContainer, type LocalizeOptions } from './local.ts';

const O: LocalizeOptions = {
  binaries: { 'llama-server': '/cache/llama-server', ollama: '/cache/ollama' },
  modelDir: '/w/models',
  tmpDir: '/w',
  port: 4321,
  secrets: { 's/api-key': 'k1' },
};

describe('localizeContainer', () => {
  it('maps the executable, /models paths, host, port and Secret refs; nothing else', () => {
    const c = localizeContainer(
      {
        command: ['/app/llama-server'],
        args: [
          '--model',
          '/models/org/m/x.gguf',
          '--alias',
          'm',
          '--host',
          '0.0.0.0',
          '--port',
          '8080',
          '--ctx-size',
          '2048',
          '--models-dir-like',
          '/modelsX',
        ],
        env: [
          { name: 'LLAMA_API_KEY', valueFrom: { secretKeyRef: { name: 's', key: 'api-key' } } },
          { name: 'HOME', value: '/tmp' },
          { name: 'OTHER', value: '/tmp' },
        ],
      },
      O,
    );
    assert.deepEqual(c, {
      command: '/cache/llama-server',
      args: [
        '--model',
        '/w/models/org/m/x.gguf',
        '--alias',
        'm',
        '--host',
        '127.0.0.1',
        '--port',
        '4321',
        '--ctx-size',
        '2048',
        '--models-dir-like',
        '/modelsX',
      ],
      env: { LLAMA_API_KEY: 'k1', HOME: '/w', OTHER: '/tmp' },
    });
  });

  it('command + args in one list (ollama serve), and an OLLAMA_HOST-style env address', () => {
    const c = localizeContainer(
      {
        command: ['ollama', 'serve'],
        env: [
          { name: 'OLLAMA_HOST', value: '0.0.0.0:11434' },
          { name: 'OLLAMA_MODELS', value: '/models/ollama' },
        ],
      },
      O,
    );
    assert.deepEqual(c, {
      command: '/cache/ollama',
      args: ['serve'],
      env: { OLLAMA_HOST: '127.0.0.1:4321', OLLAMA_MODELS: '/w/models/ollama' },
    });
    const fetch = localizeContainer(
      { command: ['ollama'], env: [{ name: 'OLLAMA_HOST', value: '127.0.0.1:11434' }] },
      O,
    );
    assert.equal(fetch.env.OLLAMA_HOST, '127.0.0.1:4321');
  });

  it('fails, naming what is missing, for an unknown executable or Secret', () => {
    assert.throws(
      () => localizeContainer({ command: ['/usr/bin/vllm'] }, O),
      /no local binary for the image's executable \/usr\/bin\/vllm/,
    );
    assert.throws(
      () =>
        localizeContainer(
          { command: ['ollama'], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] },
          O,
        ),
      /Secret key nope\/k/,
    );
  });
});
