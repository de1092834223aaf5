/**
 * The 1-D inverse-CDF sampling demo: tabulate a density, draw samples through its inverse CDF,
 * plot density | histogram, and check the samples with Kolmogorov-Smirnov and chi-square tests.
 */
import { histogram } from '../plot/histogram.js';
import type { ChartSpec } from '../plot/types.js';
import { writeChartPng } from '../plot/write-png.js';
import { createRng } from '../util/rng.js';
import { sampleInverseCdf } from './cdf-sample.js';
import { gridMoments, type GridDensity } from './density.js';
import { resolveDensity } from './density-source.js';
import { chiSquareGof, ksTest } from './ks.js';

/** Defaults of CdfDemoOptions (also the `demo.cdf` job's). */
export const CDF_DEMO_DEFAULTS = { n: 10000, bins: 60, seed: 0 } as const;

export interface CdfDemoOptions {
  /** Expression in x, or a CSV file of x,density points; default: the built-in density. */
  pdf?: string;
  /** Number of samples, default 10000. */
  n?: number;
  /** Histogram bins (also the chi-square cells), default 60. */
  bins?: number;
  /** RNG seed, default 0. */
  seed?: number;
  /** PNG path to write. */
  out: string;
  /** Density grid points, default 2001. */
  grid?: number;
  /** x range of the density (see resolveDensity). */
  range?: [number, number];
}

export interface CdfDemoResult {
  out: string;
  /** Where the density came from. */
  density: string;
  n: number;
  bins: number;
  seed: number;
  /** Mean and std of the density vs of the samples. */
  mean: number;
  std: number;
  sampleMean: number;
  sampleStd: number;
  min: number;
  max: number;
  /** KS test against the density's CDF (exact for the default density). */
  ks: { statistic: number; pValue: number };
  /** Chi-square test over the histogram bins (sparse bins merged). */
  chiSquare: { statistic: number; pValue: number; dof: number };
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return v;
}

function sampleStats(s: Float64Array): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of s) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / s.length;
  let ss = 0;
  for (const v of s) ss += (v - mean) ** 2;
  return { mean, std: Math.sqrt(ss / Math.max(1, s.length - 1)), min, max };
}

/** The two-panel figure: density curve | histogram of samples with the density overlaid. */
export function cdfDemoFigure(d: GridDensity, samples: Float64Array, bins: number, ksText: string): { panels: ChartSpec[]; title: string } {
  const h = histogram(samples, bins, d.lo, d.hi, true);
  const title = d.label.length > 90 ? d.label.slice(0, 87) + '...' : d.label;
  // Shared y range from 0, so the two panels compare at a glance.
  let top = 0;
  for (const v of d.pdf) top = Math.max(top, v);
  for (const v of h.heights) top = Math.max(top, v);
  const yRange: [number, number] = [0, top * 1.08];
  return {
    title: `Inverse-CDF sampling: ${title}`,
    panels: [
      {
        width: 560,
        height: 400,
        title: 'density',
        xLabel: 'x',
        yLabel: 'p(x)',
        legend: 'none',
        yRange,
        layers: [{ kind: 'line', x: d.x, y: d.pdf, label: 'p(x)', color: '#1f77b4' }],
      },
      {
        width: 560,
        height: 400,
        title: `${samples.length} samples, ${ksText}`,
        xLabel: 'x',
        yLabel: 'density',
        yRange,
        legend: 'top-left',
        layers: [
          { kind: 'bars', edges: h.edges, heights: h.heights, label: 'samples', color: '#ff7f0e', opacity: 0.55 },
          { kind: 'line', x: d.x, y: d.pdf, label: 'true density', color: '#1f77b4', width: 2 },
        ],
      },
    ],
  };
}

/**
 * Runs the demo: samples `n` points from the density by inverse CDF, writes the density |
 * histogram PNG to `out`, and returns summary statistics with KS and chi-square results.
 */
export async function runCdfDemo(opts: CdfDemoOptions): Promise<CdfDemoResult> {
  const n = positiveInt('n', opts.n ?? CDF_DEMO_DEFAULTS.n);
  const bins = positiveInt('bins', opts.bins ?? CDF_DEMO_DEFAULTS.bins);
  const seed = opts.seed ?? CDF_DEMO_DEFAULTS.seed;
  const d = await resolveDensity(opts.pdf, { grid: opts.grid, range: opts.range });
  const samples = sampleInverseCdf(d, n, createRng(seed));

  const ks = ksTest(samples, d.cdfAt);
  const edges = histogram([], bins, d.lo, d.hi).edges;
  const chi = chiSquareGof(samples, d.cdfAt, edges);
  const ksText = `KS D=${ks.statistic.toFixed(4)}, p=${ks.pValue.toFixed(3)}`;
  await writeChartPng(opts.out, cdfDemoFigure(d, samples, bins, ksText));

  const { mean, std } = gridMoments(d);
  const s = sampleStats(samples);
  return {
    out: opts.out,
    density: d.label,
    n,
    bins,
    seed,
    mean,
    std,
    sampleMean: s.mean,
    sampleStd: s.std,
    min: s.min,
    max: s.max,
    ks: { statistic: ks.statistic, pValue: ks.pValue },
    chiSquare: { statistic: chi.statistic, pValue: chi.pValue, dof: chi.dof },
  };
}
