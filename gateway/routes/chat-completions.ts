// POST /v1/chat/completions — Chat completions through the inference pipeline (routes/inference.ts).
import { inferenceRoute } from './inference.ts';

export default inferenceRoute('chat.completions');
