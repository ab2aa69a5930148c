// Own-property access to parsed JSON (client or upstream text): a name on Object.prototype is never found.

export type Json = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `o[k]` when `k` is an own property of `o`. */
export const own = (o: Json, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
