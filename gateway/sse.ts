// Moved to gateway/upstream/sse.ts (the SSE relay is part of the upstream stage); this path stays for the
// guardrails' tests, which import it from here.
export * from './upstream/sse.ts';
