import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERRORS } from './errors.ts';

describe('gateway/README.md', () => {
  it('documents every error code of the catalog', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ERRORS)) assert.ok(readme.includes(`| \`${code}\` |`), `README lacks ${code}`);
  });
});
