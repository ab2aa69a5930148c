// POST /v1/embeddings: the request the gateway accepts, as zod.
import { z } from 'zod';
import { intParam, model, promptLike, stringParam, type RequestSpec } from './common.ts';

/** Widest embedding an engine returns; `dimensions` asks a Matryoshka model for fewer. */
export const MAX_DIMENSIONS = 65_536;

export const embeddings: RequestSpec = {
  fields: {
    model,
    input: promptLike('input'),
    // the Python SDK sends base64 when the caller sets nothing (and decodes it)
    encoding_format: z.enum(['float', 'base64'], { error: 'encoding_format must be float or base64.' }),
    dimensions: intParam('dimensions', 1).max(MAX_DIMENSIONS, {
      error: `dimensions must be at most ${MAX_DIMENSIONS}.`,
    }),
    user: stringParam('user'),
  },
  required: ['model', 'input'],
  content: ['input'],
};
