// The gateway's side of the output-guardrail seam (the interface is guardrails/transform.ts): composes the
// configured transforms into one chain and awaits an output review. With no transform configured the relay
// forwards what the egress rebuilt, untouched.
import type { OutputTransform, OutputTransformFactory, TransformContext, Verdict } from '../guardrails/transform.ts';

export {
  ATOMIC_CHANNEL_BASE,
  JSON_CHANNEL_BASE,
  SIDE_CHANNEL_BASE,
  type OutputTransform,
  type OutputTransformFactory,
  type TransformContext,
  type Verdict,
} from '../guardrails/transform.ts';

/** Chain transforms: the output of one is the input of the next. */
export function composeTransforms(
  factories: readonly OutputTransformFactory[],
  ctx: TransformContext,
): OutputTransform | undefined {
  const list = factories.map((f) => f.create(ctx)).filter((t): t is OutputTransform => t !== undefined);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return {
    push(index, text) {
      let t = text;
      for (const x of list) t = x.push(index, t);
      return t;
    },
    flush(index) {
      let carry = '';
      for (const x of list) carry = x.push(index, carry) + x.flush(index);
      return carry;
    },
    verdict() {
      for (const x of list) {
        const v = x.verdict();
        if (v) return v;
      }
      return undefined;
    },
    ...(list.some((x) => x.review)
      ? {
          async review(final: boolean) {
            let d: 'release' | 'hold' = 'release';
            for (const x of list) if (x.review && (await x.review(final)) === 'hold') d = 'hold';
            return d;
          },
        }
      : {}),
  };
}

/** Non-streamed: after every choice went through push/flush, the review's verdict (undefined: release). */
export async function reviewCompletion(t: OutputTransform): Promise<Verdict | undefined> {
  if (!t.review) return t.verdict();
  await t.review(true);
  return t.verdict();
}
