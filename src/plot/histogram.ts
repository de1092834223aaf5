/** Binning samples into a histogram that a `bars` layer can draw. */

export interface Histogram {
  /** bins + 1 increasing edges. */
  edges: number[];
  /** Counts, or densities (count / (n * width)) when `density` is set. */
  heights: number[];
  /** Samples that fell outside [lo, hi] or were not finite. */
  outside: number;
}

/**
 * Histogram of `values` over `bins` equal bins on [lo, hi] (the last bin includes hi).
 * With `density`, heights integrate to the fraction of samples inside the range.
 */
export function histogram(values: ArrayLike<number>, bins: number, lo: number, hi: number, density = false): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`histogram: bins must be a positive integer, got ${bins}`);
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`histogram: need finite lo < hi, got [${lo}, ${hi}]`);
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  let outside = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) {
      outside++;
      continue;
    }
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const scale = density && values.length > 0 ? 1 / (values.length * width) : 1;
  return { edges, heights: counts.map((c) => c * scale), outside };
}
