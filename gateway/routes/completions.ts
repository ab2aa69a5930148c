// POST /v1/completions — Legacy text completions through the inference pipeline (routes/inference.ts).
import { inferenceRoute } from './inference.ts';

export default inferenceRoute('completions');
