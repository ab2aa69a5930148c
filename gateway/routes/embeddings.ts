// POST /v1/embeddings — Embeddings through the inference pipeline (routes/inference.ts).
import { inferenceRoute } from './inference.ts';

export default inferenceRoute('embeddings');
