/**
 * Sliced Wasserstein distance between two 2-D point sets: project both sets onto random unit
 * directions, take the exact 1-D Wasserstein-1 distance between the projected samples on each,
 * and average over the directions.
 */
import { createRng, type Rng } from '../util/rng.js';

/** 2-D points, interleaved: point i is (xy[2i], xy[2i+1]). */
export type Points2d = ArrayLike<number>;

export interface SlicedWassersteinOptions {
  /** Number of projection directions, default 128. */
  projections?: number;
  /** Seed of the directions, default 0 (same seed, same directions: distances are comparable). */
  seed?: number;
  /** Draw the directions from this stream instead of `seed`. */
  rng?: Rng;
}

/**
 * W1 between the empirical distributions of two 1-D samples (any sizes): the integral over
 * u in (0, 1) of |Fa^-1(u) - Fb^-1(u)|, exact for the step quantile functions. Sorts its inputs
 * in place.
 */
export function wasserstein1d(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new Error(`wasserstein1d: both samples need at least one value (got ${n} and ${m})`);
  a.sort();
  b.sort();
  if (n === m) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i] - b[i]);
    return s / n;
  }
  // Walk the merged breakpoints k/n and l/m of the two quantile functions.
  let i = 0;
  let j = 0;
  let u = 0;
  let s = 0;
  while (i < n && j < m) {
    const ua = (i + 1) / n;
    const ub = (j + 1) / m;
    const next = Math.min(ua, ub);
    s += (next - u) * Math.abs(a[i] - b[j]);
    u = next;
    if (ua <= next) i++;
    if (ub <= next) j++;
  }
  return s;
}

function checkPoints(name: string, p: Points2d): number {
  if (p.length % 2 !== 0) throw new Error(`slicedWasserstein: ${name} must hold interleaved x,y pairs (even length), got ${p.length} values`);
  if (p.length === 0) throw new Error(`slicedWasserstein: ${name} is empty`);
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i])) throw new Error(`slicedWasserstein: ${name} has a non-finite coordinate at point ${i >> 1} (${p[i]})`);
  }
  return p.length / 2;
}

/**
 * The directions: `k` angles in [0, pi), one uniform draw in each of k equal strata (a direction
 * and its opposite give the same 1-D distance, so the half circle covers all of them).
 */
export function projectionAngles(k: number, rng: Rng): Float64Array {
  if (!Number.isInteger(k) || k < 1) throw new Error(`slicedWasserstein: projections must be a positive integer, got ${k}`);
  return Float64Array.from({ length: k }, (_, i) => ((i + rng.random()) / k) * Math.PI);
}

/**
 * The sliced Wasserstein-1 distance between point sets `a` and `b` (interleaved x,y; sizes may
 * differ): the mean over seeded random directions of the 1-D W1 of the projected points.
 */
export function slicedWasserstein(a: Points2d, b: Points2d, opts: SlicedWassersteinOptions = {}): number {
  const n = checkPoints('a', a);
  const m = checkPoints('b', b);
  const angles = projectionAngles(opts.projections ?? 128, opts.rng ?? createRng(opts.seed ?? 0));
  const pa = new Float64Array(n);
  const pb = new Float64Array(m);
  let total = 0;
  for (const t of angles) {
    const c = Math.cos(t);
    const s = Math.sin(t);
    for (let i = 0; i < n; i++) pa[i] = c * a[2 * i] + s * a[2 * i + 1];
    for (let i = 0; i < m; i++) pb[i] = c * b[2 * i] + s * b[2 * i + 1];
    total += wasserstein1d(pa, pb);
  }
  return total / angles.length;
}
