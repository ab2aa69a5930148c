// A tenant's guardrails (CfgGuardrails from the gateway config) compiled once into what the gateway runs:
// output rules (redaction, canaries) for the scanner, then the exfiltration stage (markdown.ts) on the scanner's
// output — the text the gateway emits — and the redactor used for logs.
// Compiled guards are cached by content, so tenants that share a policy share the compiled rules.
import { canonicalJson, type CfgGuardrails } from '../api/gateway-config.ts';
import { detectorRules } from './detectors.ts';
import { canaryRules, exfiltrationPolicy } from './exfiltration.ts';
import { ExfilStream, type ExfilChunk, type ExfilPolicy, type ExfilSyntax } from './markdown.ts';
import { JsonExfilStream } from './markdown-json.ts';
import { DEFAULT_THRESHOLDS } from './injection.ts';
import { boundPattern } from './pattern.ts';
import { regexRule, type Rule } from './rules.ts';
import { scanText, StreamScanner, type Finding, type ScanChunk } from './scanner.ts';

export type BlockCheck = 'canary' | 'exfiltration';

export interface OutputResult extends ScanChunk {
  /** Set when the response must not be passed on (a canary leaked, or exfiltration in mode block). */
  blocked?: { check: BlockCheck; detector: string };
  /** Findings per detector, for `tollgate_redactions_total{detector}`. */
  counts: Record<string, number>;
}

/** Custom patterns as rules. Throws when a pattern does not compile (the policy compiler refuses those first). */
export function customRules(patterns: readonly { name: string; pattern: string }[]): Rule[] {
  return patterns.map((p) => {
    const bounded = boundPattern(p.pattern);
    try {
      return regexRule({ name: p.name, kind: 'custom', pattern: bounded.source });
    } catch (err) {
      throw new Error(`custom pattern ${p.name}: ${(err as Error).message}`, { cause: err });
    }
  });
}

export function redactionRules(cfg: CfgGuardrails['redaction']): Rule[] {
  return [...detectorRules(cfg.detectors), ...customRules(cfg.customPatterns)];
}

export function countFindings(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.detector] = (counts[f.detector] ?? 0) + 1;
  return counts;
}

function blockOf(findings: readonly Finding[], exfilBlocks: boolean): OutputResult['blocked'] {
  const canary = findings.find((f) => f.kind === 'canary');
  if (canary) return { check: 'canary', detector: canary.detector };
  const exfil = exfilBlocks ? findings.find((f) => f.kind === 'exfiltration') : undefined;
  if (exfil) return { check: 'exfiltration', detector: exfil.detector };
  return undefined;
}

/**
 * The exfiltration stage's result as scanner findings. Their offsets are in the stage's input, i.e. the text after
 * redaction (the stage judges exactly the text the gateway emits).
 */
function withExfil(c: ScanChunk, e: ExfilChunk, policy: ExfilPolicy): ScanChunk {
  if (e.findings.length === 0) return { text: e.text, findings: c.findings };
  const action = policy.rewrite ? ('neutralized' as const) : ('flagged' as const);
  const exfil: Finding[] = e.findings.map((f) => ({
    detector: f.detector,
    kind: 'exfiltration',
    start: f.start,
    end: f.end,
    action,
  }));
  return { text: e.text, findings: [...c.findings, ...exfil] };
}

/**
 * The exfiltration stage for a channel: markdown text, or JSON whose decoded string values are judged one by one
 * (markdown-json.ts). The whole text is one `end`.
 */
function exfilStream(policy: ExfilPolicy): ExfilStream | JsonExfilStream {
  return policy.syntax === 'json' ? new JsonExfilStream(policy) : new ExfilStream(policy);
}

/** One response choice being streamed through the output guardrails: the scanner, then the exfiltration stage. */
export class OutputStream {
  readonly #scanner: StreamScanner;
  readonly #exfil: ExfilStream | JsonExfilStream | undefined;
  readonly #policy: ExfilPolicy | undefined;
  readonly #exfilBlocks: boolean;
  blocked: OutputResult['blocked'];

  constructor(rules: readonly Rule[], exfilBlocks: boolean, policy?: ExfilPolicy, syntax: ExfilSyntax = 'markdown') {
    this.#scanner = new StreamScanner(rules, syntax === 'json');
    this.#exfilBlocks = exfilBlocks;
    this.#policy = policy;
    this.#exfil = policy ? exfilStream(policy) : undefined;
  }

  push(delta: string): OutputResult {
    const c = this.#scanner.push(delta);
    return this.#result(this.#exfil && this.#policy ? withExfil(c, this.#exfil.push(c.text), this.#policy) : c);
  }

  end(): OutputResult {
    const c = this.#scanner.end();
    return this.#result(this.#exfil && this.#policy ? withExfil(c, this.#exfil.end(c.text), this.#policy) : c);
  }

  /** Characters received and not yet released. */
  get held(): number {
    return this.#scanner.held + (this.#exfil?.held ?? 0);
  }

  #result(c: ScanChunk): OutputResult {
    // most deltas: nothing found (often nothing released yet); the same result, built without the spreads
    if (c.findings.length === 0) return { text: c.text, findings: c.findings, counts: {} };
    const blocked = blockOf(c.findings, this.#exfilBlocks);
    if (blocked && !this.blocked) this.blocked = blocked;
    return { ...c, counts: countFindings(c.findings), ...(blocked ? { blocked } : {}) };
  }
}

export class Guard {
  readonly config: CfgGuardrails;
  /** Everything applied to model output. */
  readonly outputRules: readonly Rule[];
  /** Redaction only (no exfiltration / canary rules): for prompts written to logs in mode redactedPrompts. */
  readonly redactionRules: readonly Rule[];
  /** The exfiltration stage's policy (undefined in mode off). */
  readonly exfiltration: ExfilPolicy | undefined;
  /** The same policy for a channel whose text is JSON (rewrites keep it valid JSON: markdown.ts ExfilSyntax). */
  readonly #jsonExfiltration: ExfilPolicy | undefined;
  readonly #exfilBlocks: boolean;

  constructor(config: CfgGuardrails) {
    this.config = config;
    this.redactionRules = redactionRules(config.redaction);
    this.outputRules = [...this.redactionRules, ...canaryRules(config.canaries)];
    this.exfiltration = exfiltrationPolicy(config.exfiltration.mode, config.exfiltration.allowedHosts);
    this.#jsonExfiltration = this.exfiltration && { ...this.exfiltration, syntax: 'json' };
    this.#exfilBlocks = config.exfiltration.mode === 'block';
  }

  /** True when output needs scanning at all (no rules: pass bytes through untouched). */
  get hasOutputRules(): boolean {
    return this.outputRules.length > 0 || this.exfiltration !== undefined;
  }

  /**
   * Non-streaming output: the whole text of one choice (the same as one push and the end of a stream). `syntax`:
   * what the channel's text is — `json` for tool-call arguments and JSON-formatted content.
   */
  scanOutput(text: string, syntax: ExfilSyntax = 'markdown'): OutputResult {
    let c = scanText(this.outputRules, text, syntax === 'json');
    const exfil = this.#exfilFor(syntax);
    if (exfil) c = withExfil(c, exfilStream(exfil).end(c.text), exfil);
    const blocked = blockOf(c.findings, this.#exfilBlocks);
    return { ...c, counts: countFindings(c.findings), ...(blocked ? { blocked } : {}) };
  }

  /** Streaming output: one stream per choice and text field (`syntax` as for scanOutput). */
  streamOutput(syntax: ExfilSyntax = 'markdown'): OutputStream {
    return new OutputStream(this.outputRules, this.#exfilBlocks, this.#exfilFor(syntax), syntax);
  }

  #exfilFor(syntax: ExfilSyntax): ExfilPolicy | undefined {
    return syntax === 'json' ? this.#jsonExfiltration : this.exfiltration;
  }

  /** Redaction only, e.g. prompt text for an audit line in logging mode redactedPrompts. */
  redact(text: string): ScanChunk {
    return scanText(this.redactionRules, text);
  }
}

const cache = new Map<string, Guard>();
const CACHE_MAX = 256;

const byObject = new WeakMap<CfgGuardrails, Guard>();

/** The compiled guard for a tenant's guardrails (cached by object, then by content). */
export function compileGuard(config: CfgGuardrails): Guard {
  const same = byObject.get(config);
  if (same) return same;
  const g = compileByContent(config);
  byObject.set(config, g);
  return g;
}

function compileByContent(config: CfgGuardrails): Guard {
  const key = canonicalJson(config);
  let g = cache.get(key);
  if (!g) {
    g = new Guard(config);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, g);
  } else {
    cache.delete(key);
    cache.set(key, g);
  }
  return g;
}

/** Every built-in detector, PII included, exfiltration neutralised: what `tollgate guard` uses with no policy. */
export const STRICT_GUARDRAILS: CfgGuardrails = {
  redaction: { detectors: ['secrets', 'pii'], customPatterns: [] },
  promptInjection: {
    mode: 'block',
    threshold: DEFAULT_THRESHOLDS.user,
    documentThreshold: DEFAULT_THRESHOLDS.document,
  },
  exfiltration: { mode: 'neutralize', allowedHosts: [] },
  canaries: [],
  structuredOutput: { enforce: true },
};

/** Guardrails that do nothing. */
export const NO_GUARDRAILS: CfgGuardrails = {
  redaction: { detectors: [], customPatterns: [] },
  promptInjection: { mode: 'off', threshold: 1 },
  exfiltration: { mode: 'off', allowedHosts: [] },
  canaries: [],
  structuredOutput: { enforce: false },
};
