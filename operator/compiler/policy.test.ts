import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  entitlement,
  mergeBudgets,
  mergeGuardrails,
  mergeLogging,
  mergeRateLimits,
  policyProblems,
  selects,
  windowSeconds,
} from './policy.ts';
import { policy, tenant } from './testdata.ts';

describe('policy selection', () => {
  const t = tenant('team-a', 'svc', { tier: 'silver' }, { app: 'chat' });
  const cases: [string, Record<string, unknown>, Record<string, string>, boolean][] = [
    ['empty selector selects all', {}, {}, true],
    ['namespace by name', { namespaces: ['team-a'] }, {}, true],
    ['other namespace', { namespaces: ['team-b'] }, {}, false],
    ['namespace labels', { namespaceSelector: { matchLabels: { env: 'prod' } } }, { env: 'prod' }, true],
    ['namespace labels mismatch', { namespaceSelector: { matchLabels: { env: 'prod' } } }, { env: 'dev' }, false],
    [
      'In expression',
      { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] } },
      { env: 'stage' },
      true,
    ],
    [
      'NotIn expression',
      { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] } },
      { env: 'prod' },
      false,
    ],
    ['Exists', { namespaceSelector: { matchExpressions: [{ key: 'regulated', operator: 'Exists' }] } }, {}, false],
    [
      'DoesNotExist',
      { namespaceSelector: { matchExpressions: [{ key: 'regulated', operator: 'DoesNotExist' }] } },
      {},
      true,
    ],
    ['tenant labels', { tenantSelector: { matchLabels: { app: 'chat' } } }, {}, true],
    ['tier filter: the granted tier (silver), never the requested one', { tiers: ['silver'] }, {}, true],
    ['tier filter: another tier', { tiers: ['gold'] }, {}, false],
    ['all conditions must hold', { namespaces: ['team-a'], tiers: ['gold'] }, {}, false],
    ['tenant by namespace/name', { tenants: ['team-a/svc'] }, {}, true],
    ['another tenant by namespace/name', { tenants: ['team-a/other', 'team-b/svc'] }, {}, false],
  ];
  for (const [name, selector, nsLabels, want] of cases) {
    it(name, () =>
      assert.equal(selects(policy('p', { selector }), { tenant: t, namespaceLabels: nsLabels, tier: 'silver' }), want),
    );
  }
  it('a tiers selector selects nobody whose request is not granted', () => {
    const requestedGold = tenant('team-a', 'svc', { tier: 'gold' });
    assert.equal(
      selects(policy('p', { selector: { tiers: ['gold'] } }), { tenant: requestedGold, namespaceLabels: {} }),
      false,
    );
    assert.equal(
      selects(policy('p', { selector: { tiers: ['gold'] } }), {
        tenant: requestedGold,
        namespaceLabels: {},
        tier: 'bronze',
      }),
      false,
    );
  });
});

describe('policy merge: most restrictive wins', () => {
  it('budgets: smallest limit per (unit, window); different windows all apply', () => {
    assert.deepEqual(
      mergeBudgets([
        { tokens: { limit: 1000, window: '1h' } },
        { tokens: { limit: 500, window: '1h' }, gpuSeconds: { limit: 60, window: '24h' } },
        { tokens: { limit: 20000, window: '24h' } },
        undefined,
      ]),
      [
        { unit: 'gpuSeconds', limit: 60, windowSeconds: 86400 },
        { unit: 'tokens', limit: 500, windowSeconds: 3600 },
        { unit: 'tokens', limit: 20000, windowSeconds: 86400 },
      ],
    );
    assert.deepEqual(mergeBudgets([]), []);
  });

  it('rate limits: minimum of whatever is set', () => {
    assert.deepEqual(
      mergeRateLimits([
        { requestsPerMinute: 100 },
        { requestsPerMinute: 50, concurrency: 8 },
        undefined,
        { tokensPerMinute: 0 },
      ]),
      { requestsPerMinute: 50, tokensPerMinute: 0, concurrency: 8 },
    );
  });

  it('windows parse', () => {
    assert.equal(windowSeconds('30s'), 30);
    assert.equal(windowSeconds('15m'), 900);
    assert.equal(windowSeconds('24h'), 86400);
    assert.equal(windowSeconds('30d'), 2592000);
  });

  it('entitlements intersect across policies that define tiers; "*" is neutral', () => {
    const a = policy('a', { tiers: [{ name: 'gold', models: ['*'] }] });
    const b = policy('b', { tiers: [{ name: 'gold', models: ['m1', 'm2'] }] });
    const c = policy('c', { tiers: [{ name: 'gold', models: ['m2', 'm3'] }] });
    const noTiers = policy('d', { limits: { maxN: 1 } });
    assert.deepEqual(entitlement([a], 'gold'), { models: '*' });
    assert.deepEqual(entitlement([a, b], 'gold'), { models: ['m1', 'm2'] });
    assert.deepEqual(entitlement([a, b, c, noTiers], 'gold'), { models: ['m2'] });
    assert.match(entitlement([a], 'silver').denied ?? '', /tier "silver" is not offered by LLMPolicy a/);
    assert.match(entitlement([noTiers], 'gold').denied ?? '', /no selecting LLMPolicy defines tier entitlements/);
  });

  it('guardrails: detectors add up, modes escalate, allowlists intersect', () => {
    const g = mergeGuardrails([
      policy('a', {
        guardrails: {
          redaction: { detectors: ['secrets'] },
          promptInjection: { mode: 'flag', threshold: 0.9 },
          exfiltration: { mode: 'flag', allowedHosts: ['a.com', 'b.com'] },
          tools: { allowed: ['x', 'y'] },
        },
      }),
      policy('b', {
        guardrails: {
          redaction: { detectors: ['pii', 'secrets'], customPatterns: [{ name: 'c', pattern: 'C-[0-9]+' }] },
          promptInjection: { mode: 'block', threshold: 0.6 },
          exfiltration: { mode: 'neutralize', allowedHosts: ['b.com'] },
          canaries: ['canary-123456'],
          tools: { allowed: ['y', 'z'] },
          structuredOutput: { enforce: true },
        },
      }),
      policy('c', {}),
    ]);
    assert.deepEqual(g.redaction.detectors, ['pii', 'secrets']);
    assert.deepEqual(g.redaction.customPatterns, [{ name: 'c', pattern: 'C-[0-9]+' }]);
    assert.equal(g.promptInjection.mode, 'block');
    assert.equal(g.promptInjection.threshold, 0.6);
    assert.equal(g.exfiltration.mode, 'neutralize');
    assert.deepEqual(g.exfiltration.allowedHosts, ['b.com']);
    assert.deepEqual(g.allowedTools, ['y']);
    assert.deepEqual(g.canaries, ['canary-123456']);
    assert.equal(g.structuredOutput.enforce, true);
    const none = mergeGuardrails([]);
    assert.equal(none.allowedTools, undefined, 'no tool policy: tools unrestricted');
    assert.equal(none.promptInjection.mode, 'off');
  });

  it('judges: defaults applied, document threshold lowest, output check strictest (mode, threshold, window; 0 = whole wins)', () => {
    const g = mergeGuardrails([
      policy('a', {
        guardrails: {
          promptInjection: { mode: 'flag', threshold: 0.8, documentThreshold: 0.6, judge: { model: 'prompt-guard' } },
          outputCheck: {
            mode: 'flag',
            threshold: 0.6,
            judge: { model: 'safety', protocol: 'tei', benignLabels: ['SAFE'] },
            windowChars: 400,
          },
        },
      }),
      policy('b', {
        guardrails: {
          promptInjection: { mode: 'block', threshold: 0.7, judge: { model: 'other', protocol: 'chat' } },
          outputCheck: { mode: 'block', threshold: 0.4, judge: { model: 'safety-2' }, windowChars: 200 },
        },
      }),
    ]);
    assert.deepEqual(g.promptInjection.judge, {
      model: 'prompt-guard',
      protocol: 'auto',
      timeoutMs: 500,
      failMode: 'closed',
      benignClass: 0,
      maxChars: 8000,
    });
    assert.equal(g.promptInjection.threshold, 0.7);
    assert.equal(g.promptInjection.documentThreshold, 0.6);
    assert.deepEqual(g.outputCheck, {
      mode: 'block',
      threshold: 0.4,
      windowChars: 200,
      judge: {
        model: 'safety',
        protocol: 'tei',
        timeoutMs: 500,
        failMode: 'closed',
        benignClass: 0,
        maxChars: 8000,
        benignLabels: ['SAFE'],
      },
    });
    const whole = mergeGuardrails([
      policy('a', { guardrails: { outputCheck: { mode: 'block', judge: { model: 's' }, windowChars: 400 } } }),
      policy('b', { guardrails: { outputCheck: { mode: 'flag', judge: { model: 's' } } } }),
    ]);
    assert.equal(whole.outputCheck?.windowChars, 0, 'a policy asking for the whole output to be judged wins');
    assert.equal(
      mergeGuardrails([policy('a', { guardrails: { outputCheck: { mode: 'off', judge: { model: 's' } } } })])
        .outputCheck,
      undefined,
    );
    assert.equal(mergeGuardrails([]).promptInjection.documentThreshold, undefined);
  });

  it('logging: the mode recording least prompt data wins', () => {
    assert.equal(
      mergeLogging([
        policy('a', { logging: { mode: 'redactedPrompts' } }),
        policy('b', { logging: { mode: 'metadata' } }),
      ]),
      'metadata',
    );
    assert.equal(
      mergeLogging([policy('a', { logging: { mode: 'none' } }), policy('b', { logging: { mode: 'redactedPrompts' } })]),
      'none',
    );
    assert.equal(mergeLogging([]), 'metadata');
  });

  it('finds RE2-incompatible patterns and unknown time zones', () => {
    assert.deepEqual(
      policyProblems(
        policy('ok', { guardrails: { redaction: { customPatterns: [{ name: 'a', pattern: 'AKIA[0-9A-Z]{16}' }] } } }),
      ),
      [],
    );
    const bad = policyProblems(
      policy('bad', {
        guardrails: { redaction: { customPatterns: [{ name: 'backref', pattern: '(a)\\1' }] } },
        accessWindows: [{ start: '08:00', end: '18:00', timeZone: 'Mars/Olympus' }],
      }),
    );
    assert.equal(bad.length, 2);
    assert.match(bad[0]!, /backref.*RE2/);
    assert.match(bad[1]!, /Mars\/Olympus/);
  });
});
