// Moved to gateway/upstream/ (the SSE relay and the output review are part of the upstream stage); this
// path stays for the guardrails' tests, which import them from here.
export * from './upstream/sse.ts';
export { ReviewGate, transformCompletion } from './upstream/review.ts';
