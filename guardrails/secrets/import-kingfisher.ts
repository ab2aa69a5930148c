// Regenerates guardrails/secrets/kingfisher/{rules.json,adoption.json} from a kingfisher checkout (Apache-2.0, see
// kingfisher/LICENSE):
//   node guardrails/secrets/import-kingfisher.ts --dir <kingfisher>/data/rules --commit <sha> --version <tag>
// rules.json is upstream's YAML as JSON (shape only, no rule edited). adoption.json is the decision per rule, made
// by checks anyone can rerun, never by hand:
// - `not-a-secret`: kingfisher's invisible rules (identifiers it reports only next to a secret: app ids, URLs), and
//   rules named for a public key (age's X25519 recipients: published by design);
// - `not-compiled`: the pattern (verbose syntax removed, kingfisher.ts) does not compile on RE2 or stays unbounded;
// - `examples-not-matched`: the compiled rule redacts none of the rule's own examples (a conversion gone wrong, or
//   examples that are placeholders by Tollgate's look-alike principles: nothing shows the rule works);
// - `no-keyword`: no necessary literal of 4+ keyword characters (literals.ts): it would run on every scan;
// - `common-keyword`: a keyword occurs more than once per COMMON_PER_KB of ordinary technical text (this
//   repository's own documentation and code): the rule would run on most answers for little;
// - `superseded`: every example it matches is already redacted over the secret by the gitleaks and Tollgate rules
//   and the built-in detectors (so findings keep their names: a Postgres URL stays a connection-string);
// - `not-pooled`: the scanner would visit it on every scan (see the check below), not only where its keyword occurs;
// - `touches-lookalike`: it changes a text of the development look-alike sets (public keys, SHAs, placeholders…);
// - otherwise `adopted`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import RE2 from 're2';
import { parse } from 'yaml';
import { builtinRules, SECRET_DETECTORS } from '../detectors.ts';
import { lookalikeDev } from '../eval/lookalikes.ts';
import { secretCorpus } from '../eval/secrets-corpus.ts';
import { wildCorpus } from '../eval/secrets-wild.ts';
import { rng } from '../eval/generate.ts';
import type { Rule } from '../rules.ts';
import { type Finding, scanText } from '../scanner.ts';
import { type Adoption, type KingfisherData, type KingfisherRule, slug, stripVerbose } from './kingfisher.ts';
import { KeywordAutomaton } from './keywords.ts';
import { necessaryLiterals } from './literals.ts';
import { compileRuleset, loadGitleaksConfig, MAX_KEYWORD_OFFSET, rewritePattern, WIDE_TERMINATOR } from './ruleset.ts';
import { sampler } from './sample.ts';
import { TOLLGATE_RULES } from './tollgate-rules.ts';

/** A keyword seen more often than once per this many KB of ordinary text is too common to prefilter on. */
export const COMMON_PER_KB = 64;

function readRules(dir: string): KingfisherRule[] {
  const out: KingfisherRule[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => /\.ya?ml$/.test(x))
    .sort()) {
    const doc = parse(readFileSync(`${dir}/${f}`, 'utf8')) as { rules?: Record<string, unknown>[] };
    for (const r of doc.rules ?? []) {
      out.push({
        id: String(r['id']),
        name: String(r['name']),
        pattern: String(r['pattern']),
        ...(typeof r['min_entropy'] === 'number' ? { min_entropy: r['min_entropy'] } : {}),
        ...(typeof r['confidence'] === 'string' ? { confidence: r['confidence'] } : {}),
        ...(r['visible'] === false ? { visible: false } : {}),
        examples: ((r['examples'] as unknown[] | undefined) ?? []).map(String),
        ...(r['negative_examples'] ? { negative_examples: (r['negative_examples'] as unknown[]).map(String) } : {}),
        ...(r['references'] ? { references: (r['references'] as unknown[]).map(String) } : {}),
      });
    }
  }
  return out;
}

/** Ordinary technical text: this repository's Markdown and TypeScript (no secrets in it, much prose and code). */
function ordinaryText(): string {
  const root = new URL('../../', import.meta.url).pathname;
  const files = execFileSync('git', ['ls-files', '*.md', '*.ts', '*.yaml'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f !== '' && !f.startsWith('guardrails/'));
  return files.map((f) => readFileSync(`${root}${f}`, 'utf8')).join('\n');
}

function keywordRates(keywords: string[], text: string): Map<string, number> {
  const a = new KeywordAutomaton(keywords);
  const counts = new Map<string, number>();
  a.scan(text, 0, text.length, (k) => counts.set(keywords[k] as string, (counts.get(keywords[k] as string) ?? 0) + 1));
  return counts;
}

/** Up to three texts made of the rule's own generated matches that the rule alone redacts. */
function sampledPositives(regex: string, rule: Rule): { e: string; f: Finding[] }[] {
  let gen: (r: () => number) => string;
  try {
    gen = sampler(rewritePattern(regex).source.replace(WIDE_TERMINATOR, ''), 6);
  } catch {
    return [];
  }
  const rand = rng(0x6b66);
  const context = rule.keywords && rule.keywords.before > 0 ? `${rule.keywords.list[0]} ` : '';
  const out: { e: string; f: Finding[] }[] = [];
  for (let k = 0; k < 200 && out.length < 3; k++) {
    const e = `${context}${gen(rand)}\n`;
    const f = scanText([rule], e).findings;
    if (f.length > 0) out.push({ e, f });
  }
  return out;
}

export function decide(rules: readonly KingfisherRule[]): Adoption[] {
  const cfg = loadGitleaksConfig();
  const taken = new Set([...cfg.rules, ...TOLLGATE_RULES].map((r) => r.id));
  // what is there without kingfisher: the built-in detectors, gitleaks and Tollgate's rules
  const builtin = builtinRules();
  const existing = [
    ...SECRET_DETECTORS.flatMap((d) => builtin[d]),
    ...compileRuleset(cfg, TOLLGATE_RULES).rules.values(),
  ];
  const lookalikes = [...secretCorpus('dev').lookalikes, ...lookalikeDev(), ...wildCorpus('dev').lookalikes];
  const text = ordinaryText();
  const kb = text.length / 1024;
  const out: Adoption[] = [];
  const pending: { a: Adoption; r: KingfisherRule }[] = [];
  for (const r of rules) {
    let id = slug(r.name);
    for (let n = 2; taken.has(id); n++) id = `${slug(r.name)}-${n}`;
    taken.add(id);
    const a: Adoption = { upstream: r.id, id, status: 'adopted' };
    out.push(a);
    if (r.visible === false) {
      Object.assign(a, {
        status: 'not-a-secret',
        reason: 'invisible in kingfisher: an identifier reported with a secret',
      });
      continue;
    }
    if (/\bpublic key\b/i.test(r.name)) {
      Object.assign(a, { status: 'not-a-secret', reason: 'a public key: published by design (age recipients)' });
      continue;
    }
    const regex = stripVerbose(r.pattern).trim();
    let re: RE2;
    try {
      re = new RE2(rewritePattern(regex).source, 'u');
    } catch (err) {
      Object.assign(a, { status: 'not-compiled', reason: (err as Error).message });
      continue;
    }
    if (!r.examples.some((e) => re.test(e))) {
      Object.assign(a, { status: 'examples-not-matched', reason: 'the pattern matches none of its examples', regex });
      continue;
    }
    let keywords: string[] | undefined;
    try {
      keywords = necessaryLiterals(regex);
    } catch (err) {
      Object.assign(a, { status: 'not-compiled', reason: `literal analysis: ${(err as Error).message}` });
      continue;
    }
    if (!keywords) {
      Object.assign(a, { status: 'no-keyword', regex });
      continue;
    }
    Object.assign(a, { regex, keywords, ...(r.min_entropy !== undefined ? { entropy: r.min_entropy } : {}) });
    pending.push({ a, r });
  }
  const allKeywords = [...new Set(pending.flatMap((p) => p.a.keywords ?? []))];
  const rates = keywordRates(allKeywords, text);
  const candidates = pending.filter(({ a }) => {
    const common = (a.keywords ?? []).find((k) => (rates.get(k) ?? 0) / kb > 1 / COMMON_PER_KB);
    if (common === undefined) return true;
    Object.assign(a, {
      status: 'common-keyword',
      reason: `keyword "${common}": ${rates.get(common)} in ${Math.round(kb)} KB`,
    });
    return false;
  });
  // compiled one by one: a rule that fails here is reported, the others still get their decision
  const compiled = compileRuleset(
    { ...cfg, rules: [] },
    candidates.map(({ a }) => ({
      id: a.id,
      description: '',
      regex: a.regex as string,
      keywords: a.keywords ?? [],
      ...(a.entropy !== undefined ? { entropy: a.entropy } : {}),
      allowlists: [],
    })),
  );
  for (const { a, r } of candidates) {
    const rule = compiled.rules.get(a.id);
    if (!rule) {
      const rep = compiled.report.find((x) => x.id === a.id);
      Object.assign(a, { status: 'not-compiled', reason: rep?.reason ?? 'not compiled' });
      continue;
    }
    // the scanner pools keyword rules (visits one only where its keyword occurs) unless a match may span whitespace
    // with the keyword far in, or a keyword is not made of keyword characters: such a rule is visited on every scan
    const kw = rule.keywords;
    const spansSpace = [9, 10, 13, 32].some((c) => rule.alphabet.ascii[c] === 1) || rule.alphabet.nonAscii;
    if (!kw || !kw.list.every((k) => /^[a-z0-9._-]+$/.test(k)) || (spansSpace && kw.offset > MAX_KEYWORD_OFFSET)) {
      Object.assign(a, {
        status: 'not-pooled',
        reason: `keyword ${kw?.list.join('|')} at offset ${kw?.offset}: visited on every scan`,
      });
      continue;
    }
    // upstream examples are often synthetic (sequential or placeholder bodies, which the look-alike checks refuse):
    // then matches generated from the pattern stand in for them
    let found = r.examples.map((e) => ({ e, f: scanText([rule], e).findings })).filter((x) => x.f.length > 0);
    if (found.length === 0) found = sampledPositives(a.regex as string, rule);
    if (found.length === 0) {
      Object.assign(a, {
        status: 'examples-not-matched',
        reason: 'neither an example nor a generated match is redacted',
      });
      continue;
    }
    const by = new Set<string>();
    const covered = found.every(({ e, f }) => {
      const ex = scanText(existing, e);
      // every span this rule redacts is redacted by the existing rules too
      return f.every((x) => {
        const hit = ex.findings.find((y) => y.start <= x.start && y.end >= x.end);
        if (hit) by.add(hit.detector);
        return hit !== undefined;
      });
    });
    if (covered) {
      Object.assign(a, { status: 'superseded', reason: `examples already redacted by ${[...by].sort().join(', ')}` });
      continue;
    }
    const touched = lookalikes.find((l) => scanText([rule], l.text).findings.length > 0);
    if (touched) {
      Object.assign(a, { status: 'touches-lookalike', reason: `changes a ${touched.source} look-alike` });
      continue;
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      commit: { type: 'string', default: '' },
      version: { type: 'string', default: '' },
    },
  });
  const dataUrl = new URL('./kingfisher/rules.json', import.meta.url);
  const data: KingfisherData = values.dir
    ? {
        source: {
          project: 'https://github.com/mongodb/kingfisher',
          license: 'Apache-2.0',
          commit: values.commit ?? '',
          version: values.version ?? '',
          path: 'data/rules/*.yml',
        },
        rules: readRules(values.dir),
      }
    : (JSON.parse(readFileSync(dataUrl, 'utf8')) as KingfisherData);
  if (values.dir) writeFileSync(dataUrl, `${JSON.stringify(data, null, 1)}\n`);
  const adoption = decide(data.rules);
  writeFileSync(new URL('./kingfisher/adoption.json', import.meta.url), `${JSON.stringify(adoption, null, 1)}\n`);
  const counts = new Map<string, number>();
  for (const a of adoption) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  console.log(`${data.rules.length} kingfisher rules:`, Object.fromEntries(counts));
}
