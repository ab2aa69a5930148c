import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { detectorRules } from '../detectors.ts';
import { compileGuard, STRICT_GUARDRAILS } from '../guard.ts';
import { scanText } from '../scanner.ts';
import { kingfisherRules, loadAdoption, loadKingfisherData, stripVerbose } from './kingfisher.ts';
import { necessaryLiterals } from './literals.ts';
import { compileRuleset, loadGitleaksConfig, secretRuleset } from './ruleset.ts';
import { TOLLGATE_RULES } from './tollgate-rules.ts';

const data = loadKingfisherData();
const adoption = loadAdoption();

describe('kingfisher rules, adopted as data', () => {
  it('keeps the licence and the upstream commit', () => {
    assert.match(data.source.commit, /^[0-9a-f]{40}$/);
    assert.equal(data.source.license, 'Apache-2.0');
    assert.match(
      readFileSync(new URL('./kingfisher/LICENSE', import.meta.url), 'utf8'),
      /Apache License\s+Version 2\.0/,
    );
    assert.ok(readFileSync(new URL('./kingfisher/SOURCE.md', import.meta.url), 'utf8').includes(data.source.commit));
  });

  it('decides every upstream rule once, with ids of its own', () => {
    assert.deepEqual(
      adoption.map((a) => a.upstream),
      data.rules.map((r) => r.id),
    );
    const ids = [...loadGitleaksConfig().rules, ...TOLLGATE_RULES].map((r) => r.id);
    const mine = adoption.map((a) => a.id);
    assert.equal(new Set([...ids, ...mine]).size, ids.length + mine.length);
    const adopted = adoption.filter((a) => a.status === 'adopted');
    assert.ok(adopted.length >= 350, `${adopted.length} adopted`);
    for (const a of adoption.filter((x) => x.status !== 'adopted'))
      assert.ok(a.reason !== undefined || a.status === 'no-keyword', `${a.upstream}: ${a.status} without a reason`);
  });

  it('an adopted rule is the upstream pattern without verbose syntax, keyed on literals every match holds', () => {
    adoption.forEach((a, i) => {
      if (a.status !== 'adopted') return;
      const up = data.rules[i]; // upstream ids are not unique (kingfisher.fullstory.1 twice): by position
      assert.ok(up);
      assert.equal(a.regex, stripVerbose(up.pattern).trim(), a.id);
      assert.deepEqual(a.keywords, necessaryLiterals(a.regex as string), a.id);
      assert.equal(a.entropy, up.min_entropy, a.id);
    });
    const report = secretRuleset().report.filter((r) => r.source === 'kingfisher');
    assert.equal(report.length, kingfisherRules().length);
    assert.deepEqual(
      report.filter((r) => r.status !== 'adopted').map((r) => r.id),
      [],
      'every adopted kingfisher rule compiles',
    );
  });

  it('a superseded rule adds nothing: what it finds in its examples is redacted by the rest of the ruleset', () => {
    const upstreamOf = new Map(adoption.map((a, i) => [a, data.rules[i]] as const));
    const superseded = adoption.filter((a) => a.status === 'superseded');
    assert.ok(superseded.length >= 200);
    const alone = compileRuleset(
      { ...loadGitleaksConfig(), rules: [] },
      superseded.map((a) => {
        const up = upstreamOf.get(a);
        const regex = stripVerbose(up?.pattern ?? '').trim();
        return {
          id: a.id,
          description: '',
          regex,
          keywords: necessaryLiterals(regex) ?? [],
          ...(up?.min_entropy !== undefined ? { entropy: up.min_entropy } : {}),
          allowlists: [],
        };
      }),
    );
    const every = detectorRules(['secrets']);
    let checked = 0;
    for (const a of superseded) {
      const rule = alone.rules.get(a.id);
      if (!rule) continue;
      for (const e of upstreamOf.get(a)?.examples ?? []) {
        const own = scanText([rule], e).findings;
        if (own.length === 0) continue;
        const ex = scanText(every, e).findings;
        for (const f of own) {
          checked++;
          assert.ok(
            ex.some((y) => y.start <= f.start && y.end >= f.end),
            `${a.id}: ${e.slice(0, 80)}`,
          );
        }
      }
    }
    assert.ok(checked >= 200, `${checked} example findings checked`);
  });

  it('findings keep their names where rulesets overlap; public keys, SHAs and SSH remotes stay', () => {
    const guard = compileGuard(STRICT_GUARDRAILS);
    const pass = 'Qm7rT2vXy9Lp4Kd8';
    assert.equal(
      guard.scanOutput(`DATABASE_URL=postgres://app:${pass}@db.internal:5432/shop`).text,
      'DATABASE_URL=postgres://app:[REDACTED:connection-string]@db.internal:5432/shop',
    );
    const body =
      'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u\n';
    for (const text of [
      `-----BEGIN PUBLIC KEY-----\n${body}-----END PUBLIC KEY-----`,
      `"publicKey": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo"`,
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq3pXv8Ww3kD9ZbQm7rT2vXy9Lp4Kd8Nf6Hs1Jc0aBe jane@laptop',
      'git remote add origin git@github.com:acme-corp/api-gateway.git',
      'git cherry-pick 9fceb02d0ae598e95dc970b74767f19372d61af8',
      'commit 1a410efbd13591db07496601ebc7a059dd55cfe9\nAuthor: Jane Doe',
    ])
      assert.equal(guard.scanOutput(text).text, text);
  });
});
