/** Inverse-CDF (inverse transform) sampling from a tabulated density. */
import type { GridDensity } from './density.js';

/** Anything with a uniform [0, 1) source, such as src/util/rng.ts's Rng. */
export interface UniformSource {
  random(): number;
}

/**
 * Draws `n` samples from `density`: each uniform u in [0, 1) is mapped through the inverse of the
 * linearly interpolated grid CDF. Cells where the CDF is flat (density 0 at both ends) are never
 * chosen, so no sample lands where the density vanishes.
 */
export function sampleInverseCdf(density: GridDensity, n: number, rng: UniformSource): Float64Array {
  if (!Number.isInteger(n) || n < 0) throw new Error(`sampleInverseCdf: n must be a non-negative integer, got ${n}`);
  const { x, cdf } = density;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const u = rng.random();
    if (!(u >= 0 && u < 1)) throw new Error(`sampleInverseCdf: rng.random() must return a number in [0, 1), got ${u}`);
    // First j with cdf[j] > u; then cdf[j-1] <= u < cdf[j], a cell with positive mass.
    let lo = 0;
    let hi = cdf.length - 1; // cdf[hi] = 1 > u
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid;
    }
    const j = hi;
    const t = (u - cdf[j - 1]) / (cdf[j] - cdf[j - 1]);
    out[k] = x[j - 1] + t * (x[j] - x[j - 1]);
  }
  return out;
}
