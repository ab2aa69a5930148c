// Reading manifests from files and folders (kubectl semantics: a folder means the .yaml/.yml/.json
// files in it; -R also descends into sub-folders).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  duplicateProblems,
  emptyManifests,
  validateText,
  type Manifests,
  type Problem,
  type Source,
} from '../api/validate.ts';
import { compile, type CompileOptions, type CompileResult } from '../operator/compiler/index.ts';

const MANIFEST_RE = /\.(ya?ml|json)$/i;

export function listFiles(paths: readonly string[], recursive: boolean): { files: string[]; problems: Problem[] } {
  const files: string[] = [];
  const problems: Problem[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (recursive) walk(full, depth + 1);
      } else if (MANIFEST_RE.test(entry.name)) files.push(full);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      problems.push({ file: p, document: 0, path: '(file)', message: 'no such file or folder' });
      continue;
    }
    if (st.isDirectory()) walk(p, 0);
    else files.push(p);
  }
  return { files, problems };
}

export interface Loaded {
  manifests: Manifests;
  problems: Problem[];
  files: string[];
  sources: Source[];
}

export function loadPaths(paths: readonly string[], opts: { recursive?: boolean } = {}): Loaded {
  const { files, problems } = listFiles(paths, opts.recursive ?? false);
  const manifests = emptyManifests();
  const sources: Source[] = [];
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({
        file: shown,
        document: 0,
        path: '(file)',
        message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      });
      continue;
    }
    problems.push(...validateText(shown, text, manifests, sources).problems);
  }
  problems.push(...duplicateProblems(sources));
  if (files.length === 0 && problems.length === 0)
    problems.push({
      file: paths.join(','),
      document: 0,
      path: '(file)',
      message: 'no .yaml, .yml or .json files found',
    });
  return { manifests, problems, files, sources };
}

/** Cross-object problems the compiler finds (served-name clashes, policies that do not compile). */
export function compileProblems(result: CompileResult, sources: readonly Source[]): Problem[] {
  const at = (kind: string, namespace: string | undefined, name: string) => {
    const s = sources.find(
      (x) => x.kind === kind && x.name === name && (namespace === undefined || x.namespace === namespace),
    );
    return { file: s?.file ?? '(input)', document: s?.document ?? 0 };
  };
  const out: Problem[] = [];
  for (const m of result.models) {
    if (m.conflictsWith.length > 0 && !m.serving) {
      out.push({
        ...at('LLMModel', m.model.metadata.namespace, m.model.metadata.name),
        path: 'spec.servedName',
        message: `LLMModel ${m.id}: servedName "${m.servedName}" is already claimed by ${m.conflictsWith.join(', ')} (older); this model will not be served`,
      });
    }
    if (!m.source.approved) {
      out.push({
        ...at('LLMModel', m.model.metadata.namespace, m.model.metadata.name),
        path: 'spec',
        message: `LLMModel ${m.id}: ${m.source.message} (the operator sets SourceApproved=False and does not serve it)`,
      });
    }
    for (const problem of m.engineArgs.problems) {
      out.push({
        ...at('LLMModel', m.model.metadata.namespace, m.model.metadata.name),
        path: 'spec.engineArgs',
        message: `LLMModel ${m.id}: ${problem}`,
      });
    }
  }
  // A requested tier no policy grants (TierNotGranted=True: nothing, or another tier, is granted), and a granted
  // tier the policies selecting the tenant do not offer (Ready=False/TierNotOffered).
  for (const t of result.tenants) {
    const where = at('LLMTenant', t.tenant.metadata.namespace ?? 'default', t.tenant.metadata.name);
    if (
      t.grant.granted !== t.grant.requested &&
      t.blocked?.reason !== 'NoPolicy' &&
      t.blocked?.reason !== 'PolicyInvalid'
    ) {
      out.push({ ...where, path: 'spec.tier', message: `LLMTenant ${t.id}: TierNotGranted: ${t.grant.message}` });
    }
    if (t.blocked?.reason === 'TierNotOffered')
      out.push({ ...where, path: 'spec.tier', message: `LLMTenant ${t.id}: ${t.blocked.message}` });
  }
  for (const p of result.policies) {
    for (const problem of p.problems) {
      const [path, ...rest] = problem.split(': ');
      out.push({
        ...at('LLMPolicy', undefined, p.name),
        path: `spec.${path ?? ''}`,
        message: `LLMPolicy ${p.name}: ${rest.join(': ')}`,
      });
    }
  }
  return out;
}

export function compileFromPaths(
  paths: readonly string[],
  options: Partial<CompileOptions> = {},
  extra: Partial<Manifests> = {},
  recursive = false,
): { loaded: Loaded; result?: CompileResult } {
  const loaded = loadPaths(paths, { recursive });
  if (loaded.problems.length > 0) return { loaded };
  const m = loaded.manifests;
  const result = compile(
    {
      models: [...m.models, ...(extra.models ?? [])],
      tenants: [...m.tenants, ...(extra.tenants ?? [])],
      policies: [...m.policies, ...(extra.policies ?? [])],
      secrets: [...m.secrets, ...(extra.secrets ?? [])],
      namespaces: [...m.namespaces, ...(extra.namespaces ?? [])],
    },
    options,
  );
  return { loaded, result };
}
