/**
 * Goodness-of-fit tests for 1-D samples against a known distribution:
 * one-sample Kolmogorov-Smirnov (asymptotic Kolmogorov p-value) and Pearson's chi-square
 * (p-value from the regularized incomplete gamma function).
 */

/** Result of a goodness-of-fit test. A small p-value means the samples do not fit. */
export interface TestResult {
  statistic: number;
  pValue: number;
}

/**
 * Survival function of the Kolmogorov distribution, Q(λ) = P(K > λ) = 2 Σ_{j>=1} (-1)^{j-1} e^{-2j²λ²}.
 * For small λ that series converges slowly, so the equivalent theta form
 * 1 - (√(2π)/λ) Σ_{j>=1} e^{-(2j-1)²π²/(8λ²)} is used instead.
 */
export function kolmogorovQ(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const w = (-Math.PI * Math.PI) / (8 * lambda * lambda);
    let sum = 0;
    for (let j = 1; j <= 50; j++) {
      const term = Math.exp(w * (2 * j - 1) ** 2);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum));
  }
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    sum += j % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * One-sample Kolmogorov-Smirnov test of `samples` against the continuous CDF `cdf`.
 * statistic: D = sup |F_n(x) - F(x)|. pValue: the asymptotic Kolmogorov law with Stephens'
 * small-sample correction, Q((√n + 0.12 + 0.11/√n) D) (accurate for n >= ~35).
 */
export function ksTest(samples: ArrayLike<number>, cdf: (x: number) => number): TestResult & { n: number } {
  const n = samples.length;
  if (n === 0) throw new Error('ksTest: need at least one sample');
  const sorted = Float64Array.from(samples).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    if (!Number.isFinite(f)) throw new Error(`ksTest: cdf(${sorted[i]}) is not finite`);
    // The empirical CDF jumps from i/n to (i+1)/n at sorted[i]: check both sides of the step.
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  const sn = Math.sqrt(n);
  return { statistic: d, pValue: kolmogorovQ((sn + 0.12 + 0.11 / sn) * d), n };
}

/** log Γ(x) for x > 0 (Lanczos approximation, g = 7; relative error ~1e-15). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x); // reflection
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x >= 0: the series
 * for P when x < a + 1, else the continued fraction (modified Lentz) for Q.
 */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new Error(`gammaQ: need a > 0 and x >= 0, got a=${a}, x=${x}`);
  if (x === 0) return 1;
  if (!Number.isFinite(x)) return 0;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 10000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.min(1, Math.max(0, 1 - sum * Math.exp(logPrefix)));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, Math.exp(logPrefix) * h));
}

/** Upper tail P(X > x) of the chi-square distribution with `dof` degrees of freedom. */
export function chiSquareSurvival(x: number, dof: number): number {
  if (!(dof > 0)) throw new Error(`chiSquareSurvival: dof must be > 0, got ${dof}`);
  return x <= 0 ? 1 : gammaQ(dof / 2, x / 2);
}

export interface ChiSquareOptions {
  /** Adjacent cells are merged until each expects at least this many counts (default 5). */
  minExpected?: number;
  /** Parameters estimated from the data, subtracted from the degrees of freedom (default 0). */
  ddof?: number;
}

/**
 * Pearson's chi-square test of observed counts against expected counts (same total). Cells with
 * small expectations are merged left to right first, so the chi-square approximation holds.
 * dof = (cells after merging) - 1 - ddof. Any count in a cell expecting 0 gives p = 0.
 */
export function chiSquareTest(
  observed: ArrayLike<number>, expected: ArrayLike<number>, opts: ChiSquareOptions = {},
): TestResult & { dof: number; cells: number } {
  if (observed.length !== expected.length) throw new Error(`chiSquareTest: ${observed.length} observed vs ${expected.length} expected cells`);
  const minExp = opts.minExpected ?? 5;
  if (!(minExp > 0)) throw new Error(`chiSquareTest: minExpected must be > 0, got ${minExp}`);
  // Merging would hide a count where none is possible; that alone rejects the fit.
  let impossible = false;
  for (let i = 0; i < observed.length; i++) if (!(expected[i] > 0) && observed[i] > 0) impossible = true;
  const cells: { o: number; e: number }[] = [];
  let acc = { o: 0, e: 0 };
  for (let i = 0; i < observed.length; i++) {
    acc.o += observed[i];
    acc.e += expected[i];
    if (acc.e >= minExp) {
      cells.push(acc);
      acc = { o: 0, e: 0 };
    }
  }
  if (acc.o > 0 || acc.e > 0) {
    if (cells.length > 0) {
      cells[cells.length - 1].o += acc.o;
      cells[cells.length - 1].e += acc.e;
    } else cells.push(acc);
  }
  const dof = cells.length - 1 - (opts.ddof ?? 0);
  if (dof < 1) throw new Error(`chiSquareTest: ${cells.length} cells after merging leave ${dof} degrees of freedom; need more data or cells`);
  if (impossible) return { statistic: Infinity, pValue: 0, dof, cells: cells.length };
  let stat = 0;
  for (const { o, e } of cells) stat += (o - e) ** 2 / e;
  return { statistic: stat, pValue: Number.isFinite(stat) ? chiSquareSurvival(stat, dof) : 0, dof, cells: cells.length };
}

/**
 * Chi-square goodness of fit of `samples` to the distribution `cdf`, binned at `edges`
 * (plus the two tails outside them, which matter when the distribution has mass there).
 */
export function chiSquareGof(
  samples: ArrayLike<number>, cdf: (x: number) => number, edges: ArrayLike<number>, opts: ChiSquareOptions = {},
): TestResult & { dof: number; cells: number } {
  const m = edges.length;
  if (m < 2) throw new Error('chiSquareGof: need at least 2 bin edges');
  const n = samples.length;
  const observed = new Array<number>(m + 1).fill(0); // [tail below, bins..., tail above]
  const sorted = Float64Array.from(samples).sort();
  let k = 0;
  for (let cell = 0; cell <= m; cell++) {
    const upper = cell < m ? edges[cell] : Infinity;
    // Bins are [edge_i, edge_i+1); the last bin also takes its right edge.
    while (k < n && (sorted[k] < upper || (cell === m - 1 && sorted[k] === upper))) {
      observed[cell]++;
      k++;
    }
  }
  const expected = new Array<number>(m + 1);
  let prev = 0;
  for (let cell = 0; cell <= m; cell++) {
    const f = cell < m ? cdf(edges[cell]) : 1;
    expected[cell] = Math.max(0, f - prev) * n;
    prev = Math.max(prev, f);
  }
  return chiSquareTest(observed, expected, opts);
}
