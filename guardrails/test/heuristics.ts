// Shared by the injection scorer's tests that judge the heuristics alone: the learned model switched off for the
// file (and restored after it), the verdict at the shipped threshold, and the obfuscations the tests apply.
import { after, before } from 'node:test';
import { setLearnedModel, type Model } from '../injection-model.ts';
import { DEFAULT_THRESHOLDS, scoreText, type Channel } from '../injection.ts';

/** Registers before/after hooks that run the file's tests with the learned model off. */
export function heuristicsOnly(): void {
  let prev: Model | null = null;
  before(() => {
    prev = setLearnedModel(null);
  });
  after(() => {
    setLearnedModel(prev);
  });
}

export const flagged = (text: string, channel: Channel = 'user'): boolean =>
  scoreText(text, channel).score >= DEFAULT_THRESHOLDS[channel];

export const rot13 = (s: string): string =>
  s.replace(/[a-z]/gi, (c) =>
    String.fromCharCode(((c.charCodeAt(0) - (c <= 'Z' ? 65 : 97) + 13) % 26) + (c <= 'Z' ? 65 : 97)),
  );
