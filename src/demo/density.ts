/** Densities on a uniform grid: tabulation, normalization and the cumulative distribution. */

/** A 1-D probability density tabulated on a uniform grid over [lo, hi], normalized to integrate to 1. */
export interface GridDensity {
  /** Where the density came from, for messages and plot titles. */
  label: string;
  lo: number;
  hi: number;
  /** Grid points, uniform, x[0] = lo, x[N-1] = hi. */
  x: Float64Array;
  /** Normalized density at the grid points (the trapezoid rule integrates it to 1). */
  pdf: Float64Array;
  /** Cumulative trapezoid integral of pdf: cdf[0] = 0, cdf[N-1] = 1, non-decreasing. */
  cdf: Float64Array;
  /** The distribution function to test samples against: exact when known, else {@link gridCdfAt}. */
  cdfAt(x: number): number;
}

export interface TabulateOptions {
  label: string;
  /** Exact CDF of the normalized density, when known in closed form. */
  exactCdf?: (x: number) => number;
}

/**
 * Evaluates an unnormalized density `f` at `n` uniform points on [lo, hi], checks it (finite,
 * >= 0, positive total) and normalizes it. Errors name `label` and the offending x.
 */
export function tabulateDensity(f: (x: number) => number, lo: number, hi: number, n: number, opts: TabulateOptions): GridDensity {
  if (!Number.isInteger(n) || n < 2) throw new Error(`${opts.label}: grid needs an integer number of points >= 2, got ${n}`);
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`${opts.label}: range needs finite lo < hi, got [${lo}, ${hi}]`);
  const h = (hi - lo) / (n - 1);
  const x = new Float64Array(n);
  const pdf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i === n - 1 ? hi : lo + i * h; // exact end point despite rounding
    const v = f(x[i]);
    if (!Number.isFinite(v)) throw new Error(`${opts.label}: density is not finite at x=${x[i]} (got ${v})`);
    if (v < 0) throw new Error(`${opts.label}: density is negative at x=${x[i]} (got ${v})`);
    pdf[i] = v;
  }
  const cdf = new Float64Array(n);
  for (let i = 1; i < n; i++) cdf[i] = cdf[i - 1] + 0.5 * (pdf[i - 1] + pdf[i]) * (x[i] - x[i - 1]);
  const total = cdf[n - 1];
  if (!(total > 0) || !Number.isFinite(total)) throw new Error(`${opts.label}: density integrates to ${total} over [${lo}, ${hi}]; it needs a positive total`);
  for (let i = 0; i < n; i++) {
    pdf[i] /= total;
    cdf[i] /= total;
  }
  cdf[n - 1] = 1;
  const d: GridDensity = { label: opts.label, lo, hi, x, pdf, cdf, cdfAt: (v) => gridCdfAt(d, v) };
  if (opts.exactCdf) d.cdfAt = opts.exactCdf;
  return d;
}

/** Index i with x[i] <= v < x[i+1] on the uniform grid, clamped to [0, N-2]. */
function cell(d: GridDensity, v: number): number {
  const n = d.x.length;
  return Math.min(n - 2, Math.max(0, Math.floor(((v - d.lo) / (d.hi - d.lo)) * (n - 1))));
}

/** The grid CDF linearly interpolated: exactly the distribution {@link sampleInverseCdf} draws from. */
export function gridCdfAt(d: GridDensity, v: number): number {
  if (v <= d.lo) return 0;
  if (v >= d.hi) return 1;
  const i = cell(d, v);
  const t = (v - d.x[i]) / (d.x[i + 1] - d.x[i]);
  return d.cdf[i] + t * (d.cdf[i + 1] - d.cdf[i]);
}

/** The tabulated density linearly interpolated (0 outside [lo, hi]). */
export function gridPdfAt(d: GridDensity, v: number): number {
  if (!(v >= d.lo && v <= d.hi)) return 0;
  const i = cell(d, v);
  const t = (v - d.x[i]) / (d.x[i + 1] - d.x[i]);
  return d.pdf[i] + t * (d.pdf[i + 1] - d.pdf[i]);
}

/** Mean and standard deviation of the tabulated density (trapezoid rule). */
export function gridMoments(d: GridDensity): { mean: number; std: number } {
  let m1 = 0;
  let m2 = 0;
  for (let i = 1; i < d.x.length; i++) {
    const w = 0.5 * (d.x[i] - d.x[i - 1]);
    m1 += w * (d.x[i - 1] * d.pdf[i - 1] + d.x[i] * d.pdf[i]);
    m2 += w * (d.x[i - 1] ** 2 * d.pdf[i - 1] + d.x[i] ** 2 * d.pdf[i]);
  }
  return { mean: m1, std: Math.sqrt(Math.max(0, m2 - m1 * m1)) };
}
