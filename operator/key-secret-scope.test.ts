import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideKeySecretWrite, secretsWatched, type KeySecretFacts } from './key-secret-scope.ts';

const base: KeySecretFacts = {
  namespace: 'team-new',
  secretNamespaces: undefined,
  gatewayNamespace: 'tollgate-system',
  changed: true,
};

describe('decideKeySecretWrite', () => {
  const cases: [string, Partial<KeySecretFacts>, string][] = [
    ['every namespace watched, keys to issue: read the live Secret first, then apply', {}, 'read-then-apply'],
    ['every namespace watched (empty list), keys change', { secretNamespaces: [] }, 'read-then-apply'],
    ['watched, nothing changes: none (no read)', { changed: false }, 'none'],
    ['watched by the list', { secretNamespaces: ['team-new'] }, 'read-then-apply'],
    [
      'the gateway namespace is always watched',
      { namespace: 'tollgate-system', secretNamespaces: ['x'] },
      'read-then-apply',
    ],
    [
      'not in the list: not watched, whatever the plan',
      { secretNamespaces: ['llm-serving', 'team-support'] },
      'notWatched',
    ],
    [
      'not in the list, nothing to change: still not watched',
      { secretNamespaces: ['a'], changed: false },
      'notWatched',
    ],
  ];

  for (const [name, facts, want] of cases)
    it(name, () => {
      const d = decideKeySecretWrite({ ...base, ...facts });
      assert.equal('notWatched' in d ? 'notWatched' : d.write, want);
      if ('notWatched' in d) {
        assert.equal(d.notWatched.reason, 'NamespaceNotWatched');
        assert.match(d.notWatched.message, /--secret-namespaces/);
        assert.match(d.notWatched.message, /operator\.secretNamespaces/);
        assert.match(d.notWatched.message, /team-new/);
      }
    });

  it('secretsWatched', () => {
    assert.equal(secretsWatched('a', undefined, 'gw'), true);
    assert.equal(secretsWatched('a', ['b'], 'gw'), false);
    assert.equal(secretsWatched('gw', ['b'], 'gw'), true);
  });
});
