// POST /v1/embeddings: the request the gateway accepts, as zod.
import { intParam, model, promptLike, stringParam, type RequestSpec } from './common.ts';

export const embeddings: RequestSpec = {
  fields: {
    model,
    input: promptLike('input'),
    encoding_format: stringParam('encoding_format'),
    dimensions: intParam('dimensions'),
    user: stringParam('user'),
  },
  required: ['model', 'input'],
  content: ['input'],
};
