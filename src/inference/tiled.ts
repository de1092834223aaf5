/**
 * Generators on images too large to run whole: the image is padded as a whole-image run would
 * pad it, cut into overlapping tiles whose sides and starts are multiples of the generator's
 * multiple (so every tile sees the whole image's down-sampling grid), each tile runs through the
 * network, and the tiles are blended with weights that ramp linearly across the middle of each
 * overlap (pixels next to a tile's inner edge, which miss context, get no weight).
 *
 * Normalization layers that normalize by their input's statistics (InstanceNorm, and BatchNorm
 * without --eval, which with one image is the same per-channel normalization) would normalize
 * each tile by its own statistics, which shifts tone and contrast from tile to tile. With
 * `normStats: 'image'` they use image-wide statistics instead, as the whole-image run does: a
 * first pass over the tiles normalizes each tile by its own statistics and sums each layer's
 * values over the tile's share of the image (its core: the tiles' cores partition the image);
 * the sums give image-wide means and variances for every layer; further passes (statsPasses)
 * repeat that with the previous estimate fed to every tile, and the final pass runs every tile
 * with the last estimate. The first layer's statistics are exact after one pass, the k-th layer's
 * after k; later layers converge quickly because their error comes only from the earlier ones'.
 */
import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { NormOverride } from '../graph/trace.js';

export const NORM_STATS = ['image', 'tile'] as const;
export type NormStats = (typeof NORM_STATS)[number];

export interface TilingOptions {
  /** Largest image (pixels after padding to the generator's multiple) that runs whole; larger ones are tiled. */
  maxPixels: number;
  /** Tile side, px: rounded up to a multiple of the generator's multiple. */
  tile: number;
  /** Least overlap of neighbouring tiles, px (rounded up to the multiple); tiles blend across its middle half. */
  overlap: number;
  /** Statistics of normalization layers in tiled runs: image-wide (as a whole-image run) or each tile's own. */
  normStats: NormStats;
  /** Passes over the tiles that measure image-wide statistics before the final pass (normStats 'image'). */
  statsPasses: number;
}

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/**
 * The default tiling of a generator whose inputs must be multiples of `multiple`: about 1 GB of
 * activations per tile or whole image at most (measured: a ResNet generator at ngf 64 needs about
 * 1.6 kB per pixel, a U-Net about 0.6 kB), tiles of 512 px (768 for unet_256, whose multiple is
 * 256), overlaps of 64 px (one multiple for U-Nets).
 */
export function defaultTiling(multiple: number, resnet: boolean): TilingOptions {
  return {
    maxPixels: resnet ? 640 * 1024 : 2048 * 1024,
    tile: roundUp(multiple >= 256 ? 3 * multiple : 512, multiple),
    overlap: roundUp(Math.max(64, resnet ? 0 : multiple), multiple),
    normStats: 'image',
    statsPasses: 1,
  };
}

/**
 * Tile starts along an axis of n px (tiles of `tile` px, starts multiples of `multiple`, the
 * overlap of neighbours at least `overlap`): as few tiles as that allows, spaced evenly.
 */
export function tileStarts(n: number, tile: number, overlap: number, multiple: number): number[] {
  if (n <= tile) return [0];
  const step = Math.floor((tile - overlap) / multiple);
  if (step < 1) throw new Error(`tiles of ${tile} px cannot overlap by ${overlap} px in steps of ${multiple} px`);
  const units = (n - tile) / multiple;
  if (!Number.isInteger(units)) throw new Error(`tileStarts: ${n} - ${tile} is not a multiple of ${multiple}`);
  const gaps = Math.ceil(units / step);
  const starts = [0];
  for (let i = 0, at = 0; i < gaps; i++) starts.push((at += Math.floor(units / gaps) + (i < units % gaps ? 1 : 0)) * multiple);
  return starts;
}

/** Core boundaries: tile i owns [bounds[i], bounds[i + 1]) (the middle of each overlap, on the multiple). */
export function coreBounds(starts: readonly number[], tile: number, n: number, multiple: number): number[] {
  const b = [0];
  for (let i = 0; i + 1 < starts.length; i++) b.push(Math.round((starts[i + 1] + starts[i] + tile) / 2 / multiple) * multiple);
  b.push(n);
  return b;
}

/**
 * Blending weight along one axis at offset i of a tile [start, start + len) of an axis of n px:
 * 0 for the first quarter of the overlap from an edge inside the image (those pixels miss the
 * most context), then a linear ramp to 1 over the middle half of the overlap. Two tiles that
 * overlap by exactly `overlap` px sum to 1; wider overlaps are normalized by the weight sum.
 */
function ramp(i: number, len: number, start: number, n: number, overlap: number): number {
  const margin = Math.floor(overlap / 4), width = overlap - 2 * margin;
  const w = (d: number) => Math.min(1, Math.max(0, (d - margin + 0.5) / width));
  return Math.min(start > 0 ? w(i) : 1, start + len < n ? w(len - 1 - i) : 1);
}

/**
 * The normalization override of tile graphs. 'own': each tile's statistics; 'fed': statistics fed
 * as inputs norm_mean_k / norm_var_k ([1, C, 1, 1]) per layer k in build order. With `collect`,
 * each layer also outputs norm_sum_k and norm_sq_k, the sums of (x - shift) and (x - shift)^2 per
 * channel over the region that region_rows_H ([1, 1, H, 1]) and region_cols_W ([1, 1, 1, W])
 * select (0/1), and norm_shift_k, the mean it normalized by.
 */
export class TileNorm implements NormOverride {
  readonly layers: { c: number; h: number; w: number }[] = [];
  readonly outputs: Record<string, Tensor> = {};
  private readonly regionInputs = new Map<string, Tensor>();
  constructor(readonly mode: 'own' | 'fed', readonly collect: boolean) {}

  /** One graph input per name (layers of one resolution share their region vectors). */
  private regionInput(name: string, shape: number[]): Tensor {
    let t = this.regionInputs.get(name);
    if (!t) this.regionInputs.set(name, (t = g.input(name, shape)));
    return t;
  }

  normalize(x: Tensor, eps: number): Tensor {
    if (x.rank !== 4) throw new Error(`tiled inference: a normalization layer got a rank-${x.rank} input; only [N, C, H, W] feature maps tile`);
    const k = this.layers.length;
    const [, c, h, w] = x.shape;
    this.layers.push({ c, h, w });
    let mean: Tensor, variance: Tensor, xc: Tensor;
    if (this.mode === 'own') {
      mean = g.reduceMean(x, [2, 3], true);
      xc = g.sub(x, mean);
      variance = g.reduceMean(g.mul(xc, xc), [2, 3], true);
    } else {
      mean = g.input(`norm_mean_${k}`, [1, c, 1, 1]);
      variance = g.input(`norm_var_${k}`, [1, c, 1, 1]);
      xc = g.sub(x, mean);
    }
    if (this.collect) {
      const region = g.mul(this.regionInput(`region_rows_${h}`, [1, 1, h, 1]), this.regionInput(`region_cols_${w}`, [1, 1, 1, w]));
      const masked = g.mul(xc, region);
      this.outputs[`norm_sum_${k}`] = g.reduceSum(masked, [0, 2, 3]);
      this.outputs[`norm_sq_${k}`] = g.reduceSum(g.mul(masked, xc), [0, 2, 3]);
      if (this.mode === 'own') this.outputs[`norm_shift_${k}`] = g.reshape(mean, [c]);
    }
    return g.div(xc, g.sqrt(g.add(variance, eps)));
  }
}

/** Image-wide statistics of each normalization layer: per-channel mean and (biased) variance. */
export interface LayerStats { mean: Float32Array; variance: Float32Array }

/** Runs a tile graph: feeds (the tile, region vectors, statistics) -> outputs (output, sums). */
export type TileRunner = (feeds: Record<string, Float32Array>) => Promise<Record<string, Float32Array>>;

export interface TiledRun {
  /** [C, H, W] of the padded image. */
  channels: number; height: number; width: number;
  outChannels: number;
  /** Tile height and width (multiples of `multiple`, at most the padded size). */
  tileH: number; tileW: number;
  multiple: number;
  overlap: number;
}

/** Tile grid of a padded image. */
export function tileGrid(r: TiledRun) {
  const ys = tileStarts(r.height, r.tileH, r.overlap, r.multiple), xs = tileStarts(r.width, r.tileW, r.overlap, r.multiple);
  return { ys, xs, yb: coreBounds(ys, r.tileH, r.height, r.multiple), xb: coreBounds(xs, r.tileW, r.width, r.multiple) };
}

/** The tile at (y0, x0) of a planar [C, H, W] image. */
export function cutTile(img: Float32Array, r: TiledRun, y0: number, x0: number): Float32Array {
  const { channels: c, height: h, width: w, tileH: th, tileW: tw } = r;
  const t = new Float32Array(c * th * tw);
  for (let k = 0; k < c; k++) for (let y = 0; y < th; y++) t.set(img.subarray(k * h * w + (y0 + y) * w + x0, k * h * w + (y0 + y) * w + x0 + tw), (k * th + y) * tw);
  return t;
}

/**
 * One pass over every tile that measures image-wide statistics of `layers` normalization layers:
 * each tile contributes the sums over its core. `stats` null: tiles normalize by their own
 * statistics (the first estimate).
 */
export async function measureStats(img: Float32Array, r: TiledRun, layers: readonly { c: number; h: number; w: number }[],
  run: TileRunner, stats: readonly LayerStats[] | null): Promise<LayerStats[]> {
  const { ys, xs, yb, xb } = tileGrid(r);
  const s1 = layers.map((l) => new Float64Array(l.c)), s2 = layers.map((l) => new Float64Array(l.c));
  const fedStats = stats ? statFeeds(stats) : {};
  for (let i = 0; i < ys.length; i++) {
    for (let j = 0; j < xs.length; j++) {
      const feeds: Record<string, Float32Array> = { input: cutTile(img, r, ys[i], xs[j]), ...fedStats };
      // Region vectors: the core [yb[i], yb[i+1]) x [xb[j], xb[j+1]) at each layer's resolution.
      const region = (name: string, size: number, full: number, start: number, lo: number, hi: number) => {
        if (feeds[name]) return;
        const f = full / size, v = new Float32Array(size);
        for (let p = Math.round((lo - start) / f); p < Math.round((hi - start) / f); p++) v[p] = 1;
        feeds[name] = v;
      };
      for (const l of layers) {
        region(`region_rows_${l.h}`, l.h, r.tileH, ys[i], yb[i], yb[i + 1]);
        region(`region_cols_${l.w}`, l.w, r.tileW, xs[j], xb[j], xb[j + 1]);
      }
      const out = await run(feeds);
      layers.forEach((l, k) => {
        const rows = feeds[`region_rows_${l.h}`], cols = feeds[`region_cols_${l.w}`];
        const n = rows.reduce((a, v) => a + v, 0) * cols.reduce((a, v) => a + v, 0);
        const a1 = out[`norm_sum_${k}`], a2 = out[`norm_sq_${k}`];
        const shift = stats ? stats[k].mean : out[`norm_shift_${k}`];
        for (let ch = 0; ch < l.c; ch++) {
          const m = shift[ch];
          s1[k][ch] += a1[ch] + n * m;
          s2[k][ch] += a2[ch] + 2 * m * a1[ch] + n * m * m;
        }
      });
    }
  }
  return layers.map((l, k) => {
    const n = (r.height * r.width * l.h * l.w) / (r.tileH * r.tileW);
    const mean = new Float32Array(l.c), variance = new Float32Array(l.c);
    for (let ch = 0; ch < l.c; ch++) {
      const m = s1[k][ch] / n;
      mean[ch] = m;
      variance[ch] = Math.max(0, s2[k][ch] / n - m * m);
    }
    return { mean, variance };
  });
}

export function statFeeds(stats: readonly LayerStats[]): Record<string, Float32Array> {
  const f: Record<string, Float32Array> = {};
  stats.forEach((s, k) => {
    f[`norm_mean_${k}`] = s.mean;
    f[`norm_var_${k}`] = s.variance;
  });
  return f;
}

/** The final pass: every tile through `run` (its `output`), blended; returns the planar [outChannels, H, W] padded image. */
export async function blendTiles(img: Float32Array, r: TiledRun, run: TileRunner, extra: Record<string, Float32Array>,
  onTile?: (y0: number, x0: number, tile: Float32Array) => void): Promise<Float32Array> {
  const { ys, xs } = tileGrid(r);
  const { height: h, width: w, tileH: th, tileW: tw, outChannels: oc } = r;
  const out = new Float32Array(oc * h * w), weight = new Float32Array(h * w);
  const wy = new Float32Array(th), wx = new Float32Array(tw);
  for (const y0 of ys) {
    for (let y = 0; y < th; y++) wy[y] = ramp(y, th, y0, h, r.overlap);
    for (const x0 of xs) {
      for (let x = 0; x < tw; x++) wx[x] = ramp(x, tw, x0, w, r.overlap);
      const t = (await run({ input: cutTile(img, r, y0, x0), ...extra })).output;
      onTile?.(y0, x0, t);
      for (let y = 0; y < th; y++) {
        const row = (y0 + y) * w + x0;
        for (let x = 0; x < tw; x++) {
          const wt = wy[y] * wx[x];
          weight[row + x] += wt;
          for (let k = 0; k < oc; k++) out[k * h * w + row + x] += wt * t[(k * th + y) * tw + x];
        }
      }
    }
  }
  for (let p = 0; p < h * w; p++) {
    const inv = 1 / weight[p];
    for (let k = 0; k < oc; k++) out[k * h * w + p] *= inv;
  }
  return out;
}

/**
 * Pads a planar [C, H, W] image to [C, PH, PW] as forwardAnySize pads a graph input: split evenly
 * between both sides, reflected (or repeating the edge when the pad reaches the side's length).
 * Returns the image and the offsets of the original inside it.
 */
export function padPlanar(x: Float32Array, c: number, h: number, w: number, ph: number, pw: number): { data: Float32Array; top: number; left: number } {
  const axis = (n: number, target: number) => {
    const total = target - n, before = Math.floor(total / 2), reflect = Math.max(before, total - before) < n;
    const src = new Int32Array(target);
    for (let i = 0; i < target; i++) {
      let p = i - before;
      if (reflect) p = p < 0 ? -p : p >= n ? 2 * n - 2 - p : p;
      else p = Math.min(n - 1, Math.max(0, p));
      src[i] = p;
    }
    return { src, before };
  };
  const ay = axis(h, ph), ax = axis(w, pw);
  const data = new Float32Array(c * ph * pw);
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < ph; y++) {
      const s = k * h * w + ay.src[y] * w, d = (k * ph + y) * pw;
      for (let xx = 0; xx < pw; xx++) data[d + xx] = x[s + ax.src[xx]];
    }
  }
  return { data, top: ay.before, left: ax.before };
}

/** The [C, h, w] window at (top, left) of a planar [C, H, W] image. */
export function cropPlanar(x: Float32Array, c: number, ph: number, pw: number, top: number, left: number, h: number, w: number): Float32Array {
  const out = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) out.set(x.subarray((k * ph + top + y) * pw + left, (k * ph + top + y) * pw + left + w), (k * h + y) * w);
  return out;
}
