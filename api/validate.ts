// Offline validation of manifests: the same schemas and rules the API server enforces (CRD + CEL),
// reported as `file:document-index: field.path: message` in plain words.
import type { V1Namespace, V1Secret } from '@kubernetes/client-node';
import { LineCounter, parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { API_VERSION, GROUP, ObjectMeta } from './meta.ts';
import { KINDS, type LLMModel, type LLMPolicy, type LLMTenant } from './v1alpha1/index.ts';

export interface Problem {
  file: string;
  /** 0-based index of the YAML document in the file. */
  document: number;
  /** Dotted field path (`spec.keys[0].name`), or `(yaml)` / `(document)`. */
  path: string;
  message: string;
  line?: number;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.document}: ${p.path}: ${p.message}${p.line !== undefined ? ` (line ${p.line})` : ''}`;
}

export interface Manifests {
  models: LLMModel[];
  tenants: LLMTenant[];
  policies: LLMPolicy[];
  secrets: V1Secret[];
  namespaces: V1Namespace[];
}

export function emptyManifests(): Manifests {
  return { models: [], tenants: [], policies: [], secrets: [], namespaces: [] };
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(document)' : out;
}

function plainMessage(issue: z.core.$ZodIssue, value: unknown): { path: PropertyKey[]; message: string }[] {
  const path = [...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({ path: [...path, k], message: `unknown field "${k}"` }));
    case 'invalid_type': {
      const received = valueAt(value, path);
      if (received === undefined) return [{ path, message: 'required field is missing' }];
      return [{ path, message: `must be ${article(issue.expected)}, not ${describeValue(received)}` }];
    }
    case 'invalid_value':
      return [{ path, message: `must be one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
    case 'too_small':
      return [
        {
          path,
          message:
            issue.origin === 'array'
              ? `needs at least ${issue.minimum} item(s)`
              : issue.origin === 'string'
                ? `must be at least ${issue.minimum} character(s)`
                : `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`,
        },
      ];
    case 'too_big':
      return [
        {
          path,
          message:
            issue.origin === 'array'
              ? `allows at most ${issue.maximum} item(s)`
              : issue.origin === 'string'
                ? `must be at most ${issue.maximum} character(s)`
                : `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`,
        },
      ];
    case 'invalid_format':
      return [{ path, message: issue.format === 'regex' ? issue.message : `must be a valid ${issue.format}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

function article(t: string): string {
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

type Located = { problem: Omit<Problem, 'file' | 'document'> };

/** Validate one parsed document; on success returns the typed object (defaults applied). */
export function validateObject(obj: unknown): { kind: string; value?: unknown; problems: Located['problem'][] } {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return {
      kind: '',
      problems: [
        { path: '(document)', message: 'must be a Kubernetes object (a YAML mapping with apiVersion and kind)' },
      ],
    };
  }
  const o = obj as Record<string, unknown>;
  const apiVersion = o['apiVersion'];
  const kind = o['kind'];
  if (typeof apiVersion !== 'string')
    return { kind: '', problems: [{ path: 'apiVersion', message: 'required field is missing' }] };
  if (typeof kind !== 'string') return { kind: '', problems: [{ path: 'kind', message: 'required field is missing' }] };

  if (apiVersion === 'v1' && (kind === 'Secret' || kind === 'Namespace')) {
    const meta = ObjectMeta.safeParse(o['metadata']);
    if (!meta.success)
      return {
        kind,
        problems: meta.error.issues.flatMap((i) =>
          plainMessage(i, o['metadata']).map((m) => ({
            path: `metadata.${formatPath(m.path)}`.replace(/\.\(document\)$/, ''),
            message: m.message,
          })),
        ),
      };
    return { kind, value: o, problems: [] };
  }
  const info = KINDS.find((k) => k.kind === kind);
  const group = apiVersion.split('/')[0];
  if (group === GROUP && apiVersion !== API_VERSION) {
    return { kind, problems: [{ path: 'apiVersion', message: `"${apiVersion}" is not served; use ${API_VERSION}` }] };
  }
  if (!info) {
    const known = KINDS.map((k) => k.kind).join(', ');
    return {
      kind,
      problems: [
        {
          path: 'kind',
          message:
            group === GROUP
              ? `unknown kind "${kind}" in ${GROUP}; expected one of ${known}`
              : `${apiVersion} ${kind} is not a Tollgate kind (expected ${known} in ${API_VERSION}, or v1 Secret / Namespace)`,
        },
      ],
    };
  }
  if (apiVersion !== API_VERSION)
    return { kind, problems: [{ path: 'apiVersion', message: `must be ${API_VERSION}` }] };
  const problems: Located['problem'][] = [];
  const meta = o['metadata'] as Record<string, unknown> | undefined;
  if (info.scope === 'Cluster' && meta && meta['namespace'] !== undefined) {
    problems.push({ path: 'metadata.namespace', message: `${kind} is cluster-scoped; remove metadata.namespace` });
  }
  const parsed = info.schema.safeParse(obj);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      for (const m of plainMessage(issue, obj)) problems.push({ path: formatPath(m.path), message: m.message });
  }
  if (problems.length > 0) return { kind, problems };
  const value = parsed.data as { metadata: { namespace?: string } };
  if (info.scope === 'Namespaced' && value.metadata.namespace === undefined) value.metadata.namespace = 'default';
  return { kind, value, problems: [] };
}

/** Parse and validate every document of one file's text. */
export interface Source {
  file: string;
  document: number;
  kind: string;
  namespace?: string | undefined;
  name: string;
}

export function validateText(
  file: string,
  text: string,
  into: Manifests = emptyManifests(),
  sources: Source[] = [],
): { manifests: Manifests; problems: Problem[]; sources: Source[] } {
  const problems: Problem[] = [];
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const line = lineCounter.linePos(e.pos[0]).line;
        problems.push({
          file,
          document: index,
          path: '(yaml)',
          message: e.message.split('\n')[0] ?? 'invalid YAML',
          line,
        });
      }
      return;
    }
    const obj: unknown = doc.toJS({ maxAliasCount: 100 });
    if (obj === null || obj === undefined) return; // empty document
    const result = validateObject(obj);
    for (const p of result.problems) {
      const node = p.path.startsWith('(')
        ? undefined
        : doc.getIn(
            p.path
              .replace(/\[(\d+)\]/g, '.$1')
              .split('.')
              .map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
            true,
          );
      const range =
        node && typeof node === 'object' && 'range' in node
          ? (node as { range?: [number, number, number] }).range
          : undefined;
      problems.push({ file, document: index, ...p, ...(range ? { line: lineCounter.linePos(range[0]).line } : {}) });
    }
    if (result.problems.length === 0 && result.value !== undefined) {
      add(into, result.kind, result.value);
      const meta = (result.value as { metadata?: { name?: string; namespace?: string } }).metadata;
      sources.push({ file, document: index, kind: result.kind, namespace: meta?.namespace, name: meta?.name ?? '' });
    }
  });
  return { manifests: into, problems, sources };
}

function add(m: Manifests, kind: string, value: unknown): void {
  switch (kind) {
    case 'LLMModel':
      m.models.push(value as LLMModel);
      break;
    case 'LLMTenant':
      m.tenants.push(value as LLMTenant);
      break;
    case 'LLMPolicy':
      m.policies.push(value as LLMPolicy);
      break;
    case 'Secret':
      m.secrets.push(value as V1Secret);
      break;
    case 'Namespace':
      m.namespaces.push(value as V1Namespace);
      break;
  }
}

/** Two documents describing the same object are a mistake in a GitOps folder. */
export function duplicateProblems(sources: readonly Source[]): Problem[] {
  const seen = new Map<string, { file: string; document: number }>();
  const problems: Problem[] = [];
  for (const s of sources) {
    const key = `${s.kind}/${s.namespace ?? ''}/${s.name}`;
    const first = seen.get(key);
    if (first)
      problems.push({
        file: s.file,
        document: s.document,
        path: 'metadata.name',
        message: `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name} is also defined at ${first.file}:${first.document}`,
      });
    else seen.set(key, { file: s.file, document: s.document });
  }
  return problems;
}
