// Regenerates guardrails/secrets/gitleaks/rules.json from gitleaks' default config (config/gitleaks.toml, MIT, see
// gitleaks/LICENSE). The TOML is adopted as data: this script only changes its shape (TOML -> JSON, keys named as
// in rules.ts), never a rule. Run after replacing gitleaks.toml with a newer upstream copy:
//   node guardrails/secrets/import-gitleaks.ts [--toml path] [--commit sha] [--version vX.Y.Z]
// and record the upstream commit in gitleaks/SOURCE.md.
//
// gitleaks.toml uses a small, regular subset of TOML (tables, arrays of tables, strings, numbers, arrays of
// strings); the parser below accepts exactly that subset and throws on anything else, so an upstream format
// change is loud, never a silently dropped rule.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { GitleaksAllowlist, GitleaksConfig, GitleaksRule } from './types.ts';

type Value = string | number | string[];
type Table = Record<string, Value>;

/** Parses the TOML subset of gitleaks.toml into a list of (table path, key/values) sections. */
export function parseTomlSubset(src: string): { path: string; array: boolean; values: Table }[] {
  const sections: { path: string; array: boolean; values: Table }[] = [
    { path: '', array: false, values: Object.create(null) as Table },
  ];
  let i = 0;
  const fail = (msg: string): never => {
    const line = src.slice(0, i).split('\n').length;
    throw new Error(`gitleaks.toml line ${line}: ${msg}`);
  };
  const skipWs = (newlines: boolean) => {
    for (;;) {
      const c = src[i];
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) i++;
      else if (c === '#') {
        while (i < src.length && src[i] !== '\n') i++;
      } else return;
    }
  };
  const readString = (): string => {
    if (src.startsWith("'''", i)) {
      const end = src.indexOf("'''", i + 3);
      if (end < 0) fail('unterminated literal string');
      let s = src.slice(i + 3, end);
      if (s.startsWith('\n')) s = s.slice(1);
      i = end + 3;
      return s;
    }
    if (src[i] === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0 || src.slice(i, end).includes('\n')) fail('unterminated literal string');
      const s = src.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    if (src[i] === '"' && !src.startsWith('"""', i)) {
      let out = '';
      i++;
      for (;;) {
        const c = src[i];
        if (c === undefined || c === '\n') fail('unterminated basic string');
        if (c === '"') {
          i++;
          return out;
        }
        if (c === '\\') {
          const e = src[i + 1];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', b: '\b', f: '\f' };
          if (e !== undefined && Object.hasOwn(simple, e)) {
            out += simple[e];
            i += 2;
            continue;
          }
          if (e === 'u' || e === 'U') {
            const n = e === 'u' ? 4 : 8;
            const hex = src.slice(i + 2, i + 2 + n);
            if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail('bad unicode escape');
            out += String.fromCodePoint(Number.parseInt(hex, 16));
            i += 2 + n;
            continue;
          }
          fail(`unsupported escape \\${e}`);
        }
        out += c;
        i++;
      }
    }
    return fail('expected a string');
  };
  const readValue = (): Value => {
    const c = src[i];
    if (c === '[') {
      i++;
      const items: string[] = [];
      for (;;) {
        skipWs(true);
        if (src[i] === ']') {
          i++;
          return items;
        }
        items.push(readString());
        skipWs(true);
        if (src[i] === ',') i++;
        else if (src[i] !== ']') fail('expected , or ] in array');
      }
    }
    if (c === "'" || c === '"') return readString();
    const m = /^-?\d+(?:\.\d+)?/.exec(src.slice(i, i + 32));
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail('unsupported value');
  };
  while (i < src.length) {
    skipWs(true);
    if (i >= src.length) break;
    if (src[i] === '[') {
      const array = src.startsWith('[[', i);
      const close = src.indexOf(array ? ']]' : ']', i);
      const path = src.slice(i + (array ? 2 : 1), close).trim();
      if (!/^[A-Za-z_.]+$/.test(path)) fail(`unsupported table header ${path}`);
      sections.push({ path, array, values: Object.create(null) as Table });
      i = close + (array ? 2 : 1);
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*/.exec(src.slice(i, i + 100));
    if (!m) fail('expected key = value');
    const key = (m as RegExpExecArray)[1] as string;
    i += (m as RegExpExecArray)[0].length;
    const section = sections[sections.length - 1] as (typeof sections)[number];
    if (Object.hasOwn(section.values, key)) fail(`duplicate key ${key}`);
    section.values[key] = readValue();
    skipWs(false);
    if (i < src.length && src[i] !== '\n') fail('expected end of line');
  }
  return sections;
}

const str = (t: Table, k: string): string | undefined => {
  const v = t[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`${k}: expected a string`);
  return v;
};
const num = (t: Table, k: string): number | undefined => {
  const v = t[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new Error(`${k}: expected a number`);
  return v;
};
const list = (t: Table, k: string): string[] | undefined => {
  const v = t[k];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new Error(`${k}: expected an array`);
  return v;
};

const KNOWN_RULE_KEYS = new Set(['id', 'description', 'regex', 'entropy', 'keywords', 'secretGroup', 'path']);
const KNOWN_ALLOWLIST_KEYS = new Set([
  'description',
  'condition',
  'regexTarget',
  'regexes',
  'stopwords',
  'paths',
  'commits',
]);

function allowlistOf(t: Table): GitleaksAllowlist {
  for (const k of Object.keys(t)) if (!KNOWN_ALLOWLIST_KEYS.has(k)) throw new Error(`allowlist: unknown key ${k}`);
  const target = str(t, 'regexTarget') ?? 'secret';
  if (target !== 'secret' && target !== 'match' && target !== 'line')
    throw new Error(`allowlist: unknown regexTarget ${target}`);
  const condition = str(t, 'condition') ?? 'OR';
  if (condition !== 'OR' && condition !== 'AND') throw new Error(`allowlist: unknown condition ${condition}`);
  return {
    condition,
    regexTarget: target,
    regexes: list(t, 'regexes') ?? [],
    stopwords: list(t, 'stopwords') ?? [],
    paths: list(t, 'paths') ?? [],
    commits: list(t, 'commits') ?? [],
  };
}

/** gitleaks.toml text -> the JSON shape the runtime loads. */
export function convert(toml: string, source: GitleaksConfig['source']): GitleaksConfig {
  const sections = parseTomlSubset(toml);
  const root = (sections[0] as (typeof sections)[number]).values;
  let global: GitleaksAllowlist | undefined;
  const rules: GitleaksRule[] = [];
  for (const s of sections.slice(1)) {
    if (s.path === 'allowlist' && !s.array) global = allowlistOf(s.values);
    else if (s.path === 'rules' && s.array) {
      for (const k of Object.keys(s.values))
        if (!KNOWN_RULE_KEYS.has(k)) throw new Error(`rule ${str(s.values, 'id')}: unknown key ${k}`);
      const id = str(s.values, 'id');
      if (id === undefined) throw new Error('rule without id');
      const entropy = num(s.values, 'entropy');
      const secretGroup = num(s.values, 'secretGroup');
      const regex = str(s.values, 'regex');
      const path = str(s.values, 'path');
      rules.push({
        id,
        description: str(s.values, 'description') ?? '',
        ...(regex !== undefined ? { regex } : {}),
        ...(entropy !== undefined ? { entropy } : {}),
        ...(secretGroup !== undefined ? { secretGroup } : {}),
        keywords: list(s.values, 'keywords') ?? [],
        ...(path !== undefined ? { path } : {}),
        allowlists: [],
      });
    } else if (s.path === 'rules.allowlists' && s.array) {
      const rule = rules[rules.length - 1];
      if (!rule) throw new Error('[[rules.allowlists]] before any rule');
      rule.allowlists.push(allowlistOf(s.values));
    } else throw new Error(`unsupported table [${s.path}]`);
  }
  return {
    source: { ...source, title: str(root, 'title') ?? '', minVersion: str(root, 'minVersion') ?? '' },
    allowlist: global ?? { condition: 'OR', regexTarget: 'secret', regexes: [], stopwords: [], paths: [], commits: [] },
    rules,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const here = fileURLToPath(new URL('./gitleaks/', import.meta.url));
  const { values } = parseArgs({
    options: {
      toml: { type: 'string', default: `${here}gitleaks.toml` },
      commit: { type: 'string' },
      version: { type: 'string' },
      out: { type: 'string', default: `${here}rules.json` },
    },
  });
  const previous = (() => {
    try {
      return (JSON.parse(readFileSync(values.out, 'utf8')) as GitleaksConfig).source;
    } catch {
      return undefined;
    }
  })();
  const commit = values.commit ?? previous?.commit;
  const version = values.version ?? previous?.version;
  if (!commit || !version) throw new Error('pass --commit and --version of the upstream gitleaks.toml');
  const cfg = convert(readFileSync(values.toml, 'utf8'), {
    project: 'https://github.com/gitleaks/gitleaks',
    license: 'MIT',
    file: 'config/gitleaks.toml',
    commit,
    version,
    title: '',
    minVersion: '',
  });
  writeFileSync(values.out, `${JSON.stringify(cfg, null, 1)}\n`);
  console.log(
    `${cfg.rules.length} rules, global allowlist with ${cfg.allowlist.regexes.length} regexes and ${cfg.allowlist.stopwords.length} stopwords -> ${values.out}`,
  );
}
