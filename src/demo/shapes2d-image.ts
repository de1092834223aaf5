/**
 * A 2-D distribution given by a grayscale picture: dark pixels are dense. Points are drawn by
 * inverse CDF with the 1-D sampler of the cdf demo: a row from the row marginal, then a column
 * from that row's conditional, each with uniform jitter within the pixel.
 */
import { basename } from 'node:path';
import { readImage, type Image } from '../data/image.js';
import type { Rng } from '../util/rng.js';
import { sampleInverseCdf } from './cdf-sample.js';
import { gridCdfAt, type GridDensity } from './density.js';
import type { Sampler2d } from './shapes2d.js';

/** Default cap on the longer side of the weight map (larger pictures are box-averaged down). */
export const DEFAULT_MAX_SIDE = 512;

/** Non-negative pixel weights, row-major, height x width. */
export interface WeightMap {
  width: number;
  height: number;
  data: Float64Array;
}

/** Weight of each pixel: darkness (1 - luminance) times opacity, in [0, 1]. */
export function darknessWeights(img: Image): WeightMap {
  const { width, height, channels, data } = img;
  const out = new Float64Array(width * height);
  for (let p = 0; p < width * height; p++) {
    const o = p * channels;
    let lum: number;
    let alpha = 1;
    if (channels === 1) lum = data[o] / 255;
    else {
      // Rec. 709 weights in integers, so that white is exactly 1.
      lum = (2126 * data[o] + 7152 * data[o + 1] + 722 * data[o + 2]) / 2550000;
      if (channels === 4) alpha = data[o + 3] / 255;
    }
    out[p] = (1 - lum) * alpha;
  }
  return { width, height, data: out };
}

/** Box-averages the map by the smallest integer factor that brings its longer side to <= maxSide. */
export function shrinkWeights(w: WeightMap, maxSide: number): WeightMap {
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new Error(`maxSide must be a positive integer, got ${maxSide}`);
  const f = Math.ceil(Math.max(w.width, w.height) / maxSide);
  if (f <= 1) return w;
  const width = Math.ceil(w.width / f);
  const height = Math.ceil(w.height / f);
  const data = new Float64Array(width * height);
  for (let y = 0; y < w.height; y++) {
    for (let x = 0; x < w.width; x++) data[Math.floor(y / f) * width + Math.floor(x / f)] += w.data[y * w.width + x];
  }
  return { width, height, data };
}

/**
 * The piecewise-uniform density over cells [i, i+1), i = 0..n-1, with the given masses, as a
 * GridDensity on the n+1 cell edges: its grid CDF is exact, so {@link sampleInverseCdf} picks a
 * cell with probability proportional to its mass and a uniform position inside it. `pdf[i]` is
 * the density of cell i (the last edge repeats the last cell's).
 */
export function cellDensity(masses: ArrayLike<number>, label: string): GridDensity {
  const n = masses.length;
  if (n === 0) throw new Error(`${label}: no cells`);
  const x = Float64Array.from({ length: n + 1 }, (_, i) => i);
  const cdf = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const m = masses[i];
    if (!(m >= 0) || !Number.isFinite(m)) throw new Error(`${label}: cell ${i} has mass ${m}; masses must be finite and >= 0`);
    cdf[i + 1] = cdf[i] + m;
  }
  const total = cdf[n];
  if (!(total > 0)) throw new Error(`${label}: total mass is 0`);
  const pdf = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    cdf[i] /= total;
    pdf[i] = masses[Math.min(i, n - 1)] / total;
  }
  cdf[n] = 1;
  const d: GridDensity = { label, lo: 0, hi: n, x, pdf, cdf, cdfAt: (v) => gridCdfAt(d, v) };
  return d;
}

/**
 * Samples points with density proportional to `w`, mapped to the plane: the longer side spans
 * [-1, 1], the picture keeps its aspect ratio and is centred, and y points up (row 0 is the top).
 */
export function weightSampler(w: WeightMap, label: string): Sampler2d {
  const { width, height, data } = w;
  const rowMass = new Float64Array(height);
  for (let y = 0; y < height; y++) {
    let s = 0;
    for (let x = 0; x < width; x++) s += data[y * width + x];
    rowMass[y] = s;
  }
  if (!(rowMass.reduce((a, b) => a + b, 0) > 0)) throw new Error(`${label}: the picture has no dark pixels (all white or transparent), nothing to sample`);
  const rows = cellDensity(rowMass, `${label} rows`);
  // Conditionals of the rows that can be drawn; empty rows never are.
  const cols: (GridDensity | null)[] = Array.from({ length: height }, (_, y) =>
    (rowMass[y] > 0 ? cellDensity(data.subarray(y * width, (y + 1) * width), `${label} row ${y}`) : null));
  const scale = 2 / Math.max(width, height);
  return {
    label,
    sample(n, rng, out = new Float32Array(2 * n)) {
      if (out.length < 2 * n) throw new Error(`${label}: output buffer holds ${out.length / 2} points, need ${n}`);
      const ys = sampleInverseCdf(rows, n, rng);
      for (let i = 0; i < n; i++) {
        const col = cols[Math.min(height - 1, Math.floor(ys[i]))]!;
        const x = sampleInverseCdf(col, 1, rng)[0];
        out[2 * i] = (x - width / 2) * scale;
        out[2 * i + 1] = (height / 2 - ys[i]) * scale;
      }
      return out;
    },
  };
}

/** Reads a picture and returns its darkness sampler (box-averaged down to `maxSide` first), labelled by file name. */
export async function imageSampler(path: string, maxSide = DEFAULT_MAX_SIDE): Promise<Sampler2d> {
  const img = await readImage(path);
  const w = shrinkWeights(darknessWeights(img), maxSide);
  if (!w.data.some((v) => v > 0)) throw new Error(`${path}: the picture has no dark pixels (all white or transparent), nothing to sample`);
  return weightSampler(w, basename(path));
}
