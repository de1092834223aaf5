// A batch of training examples as the flat arrays the training graph takes.
import type { TrainingExample } from './sampler.js';

export interface Batch {
  features: Float32Array;
  rows: Float32Array;
  cols: Float32Array;
  mask: Float32Array;
  consistent: Float32Array;
  target: Float32Array;
  weight: Float32Array;
}

/** Graph input shapes for a batch of n crops of side s with g membership rows. */
export function batchShapes(n: number, s: number, g: number, features: number): Record<keyof Batch, number[]> {
  return {
    features: [n, features, s, s],
    rows: [n, 1, g, s],
    cols: [n, 1, g, s],
    mask: [n, 1, s, s],
    consistent: [n, 1, 1, 1],
    target: [n, 3, s, s],
    weight: [n, 1, s, s],
  };
}

const stack = (parts: readonly Float32Array[]): Float32Array => {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

export function stackExamples(xs: readonly TrainingExample[]): Batch {
  return {
    features: stack(xs.map((x) => x.features)),
    rows: stack(xs.map((x) => x.rows)),
    cols: stack(xs.map((x) => x.cols)),
    mask: stack(xs.map((x) => x.mask)),
    consistent: Float32Array.from(xs, (x) => x.consistent),
    target: stack(xs.map((x) => x.target)),
    weight: stack(xs.map((x) => x.weight)),
  };
}
