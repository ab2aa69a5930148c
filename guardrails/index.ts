// The guardrails library: pure (no I/O except the judge call the caller supplies), used by the gateway and by
// `tollgate guard`. See README.md in this folder for the design, the measured quality and how the gateway wires it.
export {
  compileGuard,
  Guard,
  OutputStream,
  STRICT_GUARDRAILS,
  NO_GUARDRAILS,
  countFindings,
  type OutputResult,
  type BlockCheck,
} from './guard.ts';
export { StreamScanner, scanText, type Finding, type FindingAction, type ScanChunk } from './scanner.ts';
export {
  checkRequest,
  checkTools,
  injectionVerdict,
  type RequestCheck,
  type InjectionCheck,
  type InjectionVerdict,
  type ToolCheck,
} from './request.ts';
export { scoreRequest, scoreText, untrustedSegments, type InjectionScore } from './injection.ts';
export { createJudge, judgeUrl, type Judge, type JudgeOptions, type JudgeResult, type FetchLike } from './judge.ts';
export {
  requestedFormat,
  validateOutput,
  formatProblem,
  type OutputFormat,
  type OutputValidation,
} from './structured.ts';
export {
  AnomalyDetector,
  MemoryAnomalyStore,
  scoreStats,
  recordRequest,
  recordResponse,
  recordAuthFailure,
  networkOf,
  emptyStats,
  DEFAULT_TUNING,
  type AnomalyStore,
  type KeyStats,
  type Revocation,
  type AnomalyScore,
  type AnomalyOutcome,
  type AnomalyComponents,
  type AnomalyTuning,
} from './anomaly.ts';
export {
  guardrailsTransform,
  type GuardTransformContext,
  type GuardTransformHooks,
  type BlockReason,
} from './gateway-adapter.ts';
export { builtinRules, expandDetectors, MAX_PEM_BODY } from './detectors.ts';
