// Structured output enforcement: when the caller asks for `response_format: {type: "json_schema", ...}` (or
// `json_object`) and the policy enforces it, the output is validated before it is passed on. Schemas are the
// caller's, so they are treated as untrusted: size-bounded, compiled once per content (LRU), no remote $refs, and
// `pattern` keywords run on RE2 (a caller's pattern cannot make the gateway backtrack).
import { Ajv, type ValidateFunction } from 'ajv';
import RE2 from 're2';
import { canonicalJson } from '../api/gateway-config.ts';

export interface OutputFormat {
  type: 'json_schema' | 'json_object';
  name?: string;
  schema?: Record<string, unknown>;
}

/** The structured-output request of a chat body, if any. */
export function requestedFormat(body: unknown): OutputFormat | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const rf = (body as Record<string, unknown>)['response_format'];
  if (rf === null || typeof rf !== 'object') return undefined;
  const r = rf as Record<string, unknown>;
  if (r['type'] === 'json_object') return { type: 'json_object' };
  if (r['type'] !== 'json_schema') return undefined;
  const js = r['json_schema'];
  const o = js !== null && typeof js === 'object' ? (js as Record<string, unknown>) : {};
  const schema = o['schema'];
  return {
    type: 'json_schema',
    ...(typeof o['name'] === 'string' ? { name: o['name'] } : {}),
    ...(schema !== null && typeof schema === 'object' && !Array.isArray(schema)
      ? { schema: schema as Record<string, unknown> }
      : {}),
  };
}

const re2Engine = Object.assign((pattern: string, flags: string) => new RE2(pattern, flags), {
  code: 'require("re2")',
});

const ajv = new Ajv({
  strict: false,
  allErrors: false,
  validateFormats: false,
  logger: false,
  code: { regExp: re2Engine },
});

const MAX_SCHEMA_BYTES = 64 * 1024;
const cache = new Map<string, ValidateFunction | Error>();
const CACHE_MAX = 512;

function compiled(schema: Record<string, unknown>): ValidateFunction | Error {
  const key = canonicalJson(schema);
  const hit = cache.get(key);
  if (hit) return hit;
  let v: ValidateFunction | Error;
  if (key.length > MAX_SCHEMA_BYTES) v = new Error(`schema larger than ${MAX_SCHEMA_BYTES} bytes`);
  else {
    try {
      const { $schema: _ignored, $id: _id, ...rest } = schema;
      v = ajv.compile(rest);
    } catch (err) {
      v = new Error(`schema does not compile: ${(err as Error).message}`);
    }
  }
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, v);
  return v;
}

/** A problem with the requested schema itself (refuse the request up front), or undefined. */
export function formatProblem(format: OutputFormat): string | undefined {
  if (format.type !== 'json_schema' || format.schema === undefined) return undefined;
  const v = compiled(format.schema);
  return v instanceof Error ? v.message : undefined;
}

export interface OutputValidation {
  valid: boolean;
  /** First problems found (JSON pointer + message); never the output text itself. */
  errors: string[];
}

/** Validate one choice's complete output text against the requested format. */
export function validateOutput(text: string, format: OutputFormat): OutputValidation {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { valid: false, errors: [`output is not JSON: ${(err as Error).message}`] };
  }
  if (format.type === 'json_object' || format.schema === undefined) {
    const ok = value !== null && typeof value === 'object' && !Array.isArray(value);
    return ok ? { valid: true, errors: [] } : { valid: false, errors: ['output is not a JSON object'] };
  }
  const v = compiled(format.schema);
  if (v instanceof Error) return { valid: false, errors: [v.message] };
  if (v(value)) return { valid: true, errors: [] };
  return {
    valid: false,
    errors: (v.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
  };
}
