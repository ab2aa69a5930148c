// POST /v1/completions (legacy text completions): the request the gateway accepts, as zod.
import {
  boolParam,
  commonSampling,
  intParam,
  model,
  promptLike,
  stringParam,
  streamOptions,
  type RequestSpec,
} from './common.ts';

export const completions: RequestSpec = {
  fields: {
    model,
    prompt: promptLike('prompt'),
    max_tokens: intParam('max_tokens', 1),
    n: intParam('n', 1),
    best_of: intParam('best_of', 1),
    stream: boolParam('stream'),
    stream_options: streamOptions,
    logprobs: intParam('logprobs'),
    echo: boolParam('echo'),
    suffix: stringParam('suffix'),
    ...commonSampling,
  },
  required: ['model', 'prompt'],
  content: ['prompt'],
};
