// A small real text classifier for the judge tests: logistic regression over hashed character 3-5-grams and
// word uni/bigrams, trained at start-up on the TUNING split of the public labelled corpora in guardrails/eval/data
// (the held-out split is never used). It really scores text — an unseen jailbreak gets a high injection
// probability, an ordinary question a low one — so the judge path is tested against a model, not a canned answer.

// The test stand-in keeps every tuning-split row (the in-the-wild jailbreaks included): it is a fixture for the judge
// path, never shipped nor measured; the shipped learned family (injection-model.ts) does not train on those rows.
import { trainOnTuningSplit as trainShipped, type Model } from '../injection-model.ts';

export { features, train, type Model } from '../injection-model.ts';
export const trainOnTuningSplit = (): Model => trainShipped(new Set());
