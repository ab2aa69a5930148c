import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateKey } from '../../api/keys.ts';
import { detectorRules } from '../detectors.ts';
import { randomCuts, streamWithCuts } from '../eval/evaluate.ts';
import { rng } from '../eval/generate.ts';
import { compileGuard, STRICT_GUARDRAILS } from '../guard.ts';
import type { Rule } from '../rules.ts';
import { scanText } from '../scanner.ts';
import { convert } from './import-gitleaks.ts';
import { KeywordAutomaton, shannonEntropy } from './keywords.ts';
import { compileRuleset, loadGitleaksConfig, rewritePattern, secretRuleset, WIDE_TERMINATOR } from './ruleset.ts';
import { sampler } from './sample.ts';
import { kingfisherRules, loadAdoption, loadKingfisherData } from './kingfisher.ts';
import { TOLLGATE_RULES } from './tollgate-rules.ts';
import type { GitleaksConfig } from './types.ts';

const cfg = loadGitleaksConfig();
const compiled = secretRuleset();
const everyRule = detectorRules(['secrets', 'pii']);

describe('adopted ruleset (gitleaks, as data)', () => {
  it('rules.json is exactly what import-gitleaks.ts makes of the committed gitleaks.toml', () => {
    const toml = readFileSync(new URL('./gitleaks/gitleaks.toml', import.meta.url), 'utf8');
    assert.deepEqual(convert(toml, cfg.source), cfg);
    assert.match(cfg.source.commit, /^[0-9a-f]{40}$/);
    assert.match(
      readFileSync(new URL('./gitleaks/LICENSE', import.meta.url), 'utf8'),
      /MIT License[\s\S]*Zachary Rice/,
    );
  });

  it('accounts for every rule: adopted, superseded by a Tollgate detector, not applicable, or reported as not compiling', () => {
    const ids = [...cfg.rules, ...TOLLGATE_RULES, ...kingfisherRules()].map((r) => r.id);
    assert.deepEqual(compiled.report.map((r) => r.id).sort(), [...ids].sort());
    const by = (s: string) => compiled.report.filter((r) => r.status === s).map((r) => r.id);
    assert.deepEqual(by('superseded').sort(), ['hashicorp-tf-password', 'jwt', 'private-key', 'slack-webhook-url']);
    assert.deepEqual(by('not-applicable'), ['pkcs12-file']);
    assert.deepEqual(by('not-compiled'), [], 'every gitleaks pattern compiles on RE2');
    assert.equal(compiled.rules.size, by('adopted').length);
    assert.ok(by('adopted').length >= 220, `${by('adopted').length} adopted`);
  });

  it('reports a rule RE2 cannot compile instead of dropping it silently', () => {
    const bad: GitleaksConfig = {
      ...cfg,
      rules: [
        { id: 'lookahead', description: '', regex: '(?=x)abc', keywords: ['abc'], allowlists: [] },
        cfg.rules[0]!,
      ],
    };
    const r = compileRuleset(bad, []);
    const entry = r.report.find((x) => x.id === 'lookahead');
    assert.equal(entry?.status, 'not-compiled');
    assert.ok(entry?.reason && entry.reason.length > 0);
    assert.equal(r.rules.size, 1);
  });

  it('every rule has a finite holdback bound; unbounded repetitions are capped and said so', () => {
    for (const r of compiled.report.filter((x) => x.status === 'adopted')) {
      assert.ok(
        Number.isFinite(r.maxLength) && (r.maxLength as number) > 0 && (r.maxLength as number) <= 2500,
        `${r.id}: ${r.maxLength}`,
      );
    }
    const g = rewritePattern(String.raw`(?i)[\w.-]{0,50}?(?:acme)(?:[ \t\w.-]{0,20})=([a-z0-9]{11,})`);
    assert.equal(g.source, String.raw`(?i)(?:acme)(?:[ \t\w.-]{0,20})=([a-z0-9]{11,256})`);
    assert.equal(g.rewrites.length, 2);
    assert.ok(compiled.report.find((r) => r.id === 'generic-api-key')?.rewrites?.some((w) => w.includes('{11,}')));
  });
});

const kfData = loadKingfisherData();
const kfExamples = new Map(loadAdoption().map((a, i) => [a.id, kfData.rules[i]?.examples ?? []] as const));

/**
 * A text the rule alone redacts: for a kingfisher rule one of its upstream examples, else built from random strings of
 * its own pattern (keyword context added when needed).
 */
function positiveFor(id: string, rule: Rule, seed: number): { text: string; secret: string } | undefined {
  for (const text of kfExamples.get(id) ?? []) {
    const out = scanText([rule], text);
    const f = out.findings[0];
    if (f) return { text, secret: text.slice(f.start, f.end) };
  }
  const src = [...cfg.rules, ...TOLLGATE_RULES, ...kingfisherRules()].find((r) => r.id === id)?.regex as string;
  const gen = sampler(rewritePattern(src).source.replace(WIDE_TERMINATOR, ''), 6);
  const rand = rng(seed);
  const context = rule.keywords && rule.keywords.before > 0 ? `${rule.keywords.list[0]} ` : '';
  for (let k = 0; k < 400; k++) {
    const sample = gen(rand);
    const text = `${context}${sample}\n`;
    const out = scanText([rule], text);
    const f = out.findings[0];
    if (f && out.findings.length === 1) return { text, secret: text.slice(f.start, f.end) };
  }
  return undefined;
}

describe('a true positive per rule', () => {
  const samples = new Map<string, { text: string; secret: string }>();
  it('every adopted rule redacts a sample of its own format, and only the secret group', () => {
    const missing: string[] = [];
    for (const [id, rule] of compiled.rules) {
      const p = positiveFor(id, rule, 1);
      if (!p) {
        missing.push(id);
        continue;
      }
      samples.set(id, p);
      const out = scanText([rule], p.text).text;
      assert.ok(!out.includes(p.secret), `${id}: ${p.secret} survives`);
      assert.ok(out.includes(`[REDACTED:${rule.name}]`), id);
    }
    assert.deepEqual(missing, [], `rules without a redacted sample: ${missing.join(', ')}`);
  });

  it('the full ruleset redacts each sample too, whole and streamed (random splits, 5-character deltas)', () => {
    const r = rng(99);
    for (const [id, p] of samples) {
      const whole = scanText(everyRule, p.text).text;
      assert.ok(!whole.includes(p.secret), `${id} with every rule on`);
      assert.equal(streamWithCuts(everyRule, p.text, randomCuts(p.text.length, r)), whole, `${id}: random split`);
      const five = Array.from({ length: Math.ceil(p.text.length / 5) - 1 }, (_, i) => (i + 1) * 5);
      assert.equal(streamWithCuts(everyRule, p.text, five), whole, `${id}: 5-char deltas`);
    }
  });

  it('generic rules (identifier, then a value) leave a look-alike alone: the same line with a placeholder value', () => {
    const generic = cfg.rules
      .filter((r) => r.regex?.startsWith(String.raw`(?i)[\w.-]{0,50}?`) && compiled.rules.has(r.id))
      .map((r) => r.id);
    assert.ok(generic.length >= 90, `${generic.length} generic rules`);
    const guard = compileGuard(STRICT_GUARDRAILS);
    for (const id of [...generic, 'generic-api-key', 'password-assignment', 'secret-in-context']) {
      const p = samples.get(id);
      assert.ok(p, id);
      for (const fake of [
        'x'.repeat(p.secret.length),
        '${' + `${id.toUpperCase().replace(/-/g, '_')}}`,
        '<YOUR_KEY_HERE>',
      ]) {
        const text: string = p.text.replace(p.secret, fake);
        assert.equal(guard.scanOutput(text).text, text, `${id}: ${text}`);
      }
    }
  });
});

describe('streaming invariant with the full ruleset', () => {
  it("streamed == whole for random splits of a long mixed text (every rule's sample, look-alikes, prose)", () => {
    const parts: string[] = [];
    let k = 0;
    for (const [id, rule] of compiled.rules) {
      const p = positiveFor(id, rule, 7);
      if (p) parts.push(`${k++ % 3 === 0 ? 'Here you go:\n' : ''}${p.text}`);
      if (k % 10 === 0)
        parts.push('The access token expires after an hour; rotate the API key and keep secrets out of chat. ');
    }
    parts.push('commit 3f2b8c1e9a7d4c2b8e1f6a5b4c3d2e1f0a9b8c7d api_key = os.environ["API_KEY"] AKIAIOSFODNN7EXAMPLE');
    const text = parts.join('\n');
    const whole = scanText(everyRule, text).text;
    const r = rng(2024);
    for (let i = 0; i < 12; i++)
      assert.equal(streamWithCuts(everyRule, text, randomCuts(text.length, r)), whole, `split #${i}`);
    const five = Array.from({ length: Math.ceil(text.length / 5) - 1 }, (_, j) => (j + 1) * 5);
    assert.equal(streamWithCuts(everyRule, text, five), whole, '5-char deltas');
  });
});

describe('Tollgate keys and custom patterns', () => {
  it('tgk_ keys are a shipped rule: redacted alone and inside text, streamed or not', () => {
    const guard = compileGuard(STRICT_GUARDRAILS);
    for (let i = 0; i < 5; i++) {
      const key = generateKey();
      const text = `Your key: ${key}. Keep it in a secret manager; curl -H "Authorization: Bearer ${key}" "$GATEWAY_URL/v1/models"`; // no bare URL: the exfiltration stage would rewrite it (not the scanner under test)
      const out = guard.scanOutput(text);
      assert.ok(!out.text.includes(key.slice(4)), out.text);
      assert.equal(out.findings.filter((f) => f.detector === 'tollgate-key').length >= 1, true);
      assert.equal(streamWithCuts(guard.outputRules, text, randomCuts(text.length, rng(i))), out.text);
    }
    assert.equal(scanText(detectorRules(['tollgate-key']), `k=${generateKey()}`).text, 'k=[REDACTED:tollgate-key]');
  });

  it('custom patterns keep working next to the full ruleset', () => {
    const guard = compileGuard({
      ...STRICT_GUARDRAILS,
      redaction: { detectors: ['secrets'], customPatterns: [{ name: 'customer-id', pattern: 'CUST-[0-9]{8}' }] },
    });
    const text = `customer CUST-12345678 uses ghp_${'a1B2c3D4e5'.repeat(3)}a1B2c3 today`;
    assert.equal(guard.scanOutput(text).text, 'customer [REDACTED:customer-id] uses [REDACTED:github-token] today');
  });

  it('old detector names still select their rules (and findings keep the old names)', () => {
    assert.equal(
      scanText(detectorRules(['github-token']), `t ghp_${'a1B2c3D4e5'.repeat(3)}a1B2c3`).text,
      't [REDACTED:github-token]',
    );
    assert.equal(
      scanText(detectorRules(['aws-access-key']), 'id AKIAZ5J7QX2MPL4RWN3K').text,
      'id [REDACTED:aws-access-key]',
    );
    assert.equal(
      scanText(detectorRules(['slack-token']), 'xoxb-417293856042-2093841765302-Qm7vZ2xR9kLp4TnB8wYc3HdF').text,
      '[REDACTED:slack-token]',
    );
    assert.ok(detectorRules(['secrets']).length > 230);
  });
});

describe('keyword automaton and entropy', () => {
  it('finds every occurrence of every keyword, case-insensitively, in one pass', () => {
    const a = new KeywordAutomaton(['he', 'she', 'his', 'hers', 'ghp_']);
    const hits = a.findAll('uSHErs and GHP_x ghp_').map((h) => `${a.keywords[h.keyword]}@${h.start}`);
    assert.deepEqual(hits.sort(), ['ghp_@11', 'ghp_@17', 'he@2', 'hers@2', 'she@1'].sort());
    assert.deepEqual(a.findAll('héllo she'), [
      { keyword: 1, start: 6 },
      { keyword: 0, start: 7 },
    ]);
    assert.throws(() => new KeywordAutomaton(['ключ']), /not ASCII/);
  });

  it('Shannon entropy in bits per character, as gitleaks computes it', () => {
    assert.equal(shannonEntropy(''), 0);
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
    assert.ok(Math.abs(shannonEntropy('aab') - 0.9183) < 1e-3);
  });

  it('a keyword rule costs nothing when its keywords are absent: only windows around keyword hits are searched', () => {
    const rule = compiled.rules.get('github-pat') as Rule;
    let calls = 0;
    const spy: Rule = {
      ...rule,
      findWindow: (v, f, l) => {
        calls++;
        return rule.findWindow!(v, f, l);
      },
    };
    scanText([spy], 'x'.repeat(10_000));
    assert.equal(calls, 0);
    scanText([spy], `${'x '.repeat(1000)}ghp_${'a1B2c3D4e5'.repeat(3)}a1B2c3 ${'y '.repeat(1000)}`);
    assert.equal(calls, 1);
  });
});
