// The classical restoration of a mosaic: no learning, only what the block grid says.
//
// A mosaic with block grid (bw, bh, ox, oy) keeps one colour per block:
//  - 'average': the block mean, i.e. box-downsampling by the block size on a known grid;
//  - 'center':  the pixel (x0 + floor(bw/2), y0 + floor(bh/2)), i.e. point sampling;
//  - 'random':  some pixel of the block, position unknown (a noisy estimate of the mean).
// So restoring it is super-resolution from the block grid. The estimate here:
//  1. Cubic (Catmull-Rom) interpolation through the block colours placed where they were taken:
//     the block centre for 'average' and 'random', the sampled pixel for 'center' (interpolating
//     through the true sample positions is what makes point-sampled mosaics come out sharp).
//  2. For 'average' only, consistency with the block means: rounds of iterative back-projection
//     (each block's error colour - mean, as a grid, interpolated the same way and added: a smooth
//     correction that draws no block edges), then one exact projection (a constant per block over
//     its mosaic pixels) so that every block's mean equals its colour. The exact step is the
//     orthogonal projection onto the images the mosaic could have come from, so for an 'average'
//     mosaic it can only bring the estimate closer (in squared error) to the original.
// Only the mosaic pixels (`mosaic` mask) change; other pixels of a block (outside the mosaic's
// region, or blended at a feathered edge) count in its mean as they are.
//
// Pure TypeScript on plain arrays: the browser build uses this same module.
import type { BlockGrid } from '../mosaic/blocks.js';
import type { MosaicStyle } from '../mosaic/pixelate.js';

/** Planar float image: channel k, pixel (x, y) at data[(k * height + y) * width + x]; values 0..255. */
export interface PlanarImage { width: number; height: number; channels: number; data: Float32Array }

/** Options of {@link classicalEstimate}. */
export interface ClassicalOptions {
  /** How the block colours were taken; default 'average'. */
  style?: MosaicStyle;
  /** Back-projection rounds before the exact projection ('average' only); default 2 (more changed < 0.01 dB). */
  passes?: number;
  /** Enforce block means ('average' only); default true. */
  consistency?: boolean;
}

/** Catmull-Rom weights (Keys, a = -0.5) of the samples at offsets -1, 0, 1, 2 for fraction t. */
export function cubicWeights(t: number, out: Float64Array = new Float64Array(4)): Float64Array {
  const t2 = t * t, t3 = t2 * t;
  out[0] = -0.5 * t3 + t2 - 0.5 * t;
  out[1] = 1.5 * t3 - 2.5 * t2 + 1;
  out[2] = -1.5 * t3 + 2 * t2 + 0.5 * t;
  out[3] = 0.5 * t3 - 0.5 * t2;
  return out;
}

/** Offset of a block's sample from its first pixel along one axis. */
export function sampleOffset(style: MosaicStyle, size: number): number {
  return style === 'center' ? Math.floor(size / 2) : (size - 1) / 2;
}

/** The blocks along one axis that meet pixels 0..n-1: first index and count. */
function blockRange(n: number, size: number, origin: number): { first: number; count: number } {
  const first = Math.floor((0 - origin) / size);
  const last = Math.floor((n - 1 - origin) / size);
  return { first, count: last - first + 1 };
}

/**
 * Per-pixel cubic taps along one axis: for pixel p, the 4 block indices (clamped to the range)
 * and their weights, interpolating samples placed at origin + i*size + offset.
 */
function axisTaps(n: number, size: number, origin: number, offset: number, first: number, count: number): { idx: Int32Array; w: Float32Array } {
  const idx = new Int32Array(n * 4), w = new Float32Array(n * 4);
  const t4 = new Float64Array(4);
  for (let p = 0; p < n; p++) {
    const u = (p - origin - offset) / size;
    const i = Math.floor(u);
    cubicWeights(u - i, t4);
    for (let a = 0; a < 4; a++) {
      idx[p * 4 + a] = Math.min(count - 1, Math.max(0, i - 1 + a - first));
      w[p * 4 + a] = t4[a];
    }
  }
  return { idx, w };
}

/** Pixel ranges [x0, x1) x [y0, y1) of an image. */
interface Rect { x0: number; x1: number; y0: number; y1: number }

/**
 * Cubic interpolation of a gw x gh grid (planar, `channels`) onto the pixels of `r` (default: all
 * w x h), separably; the result is planar over the rectangle.
 */
function interpolateGrid(grid: Float32Array, gw: number, gh: number, channels: number, tx: ReturnType<typeof axisTaps>, ty: ReturnType<typeof axisTaps>, w: number, h: number,
  r: Rect = { x0: 0, x1: w, y0: 0, y1: h }): Float32Array {
  const rw = r.x1 - r.x0, rh = r.y1 - r.y0;
  const rows = new Float32Array(channels * gh * rw);
  for (let k = 0; k < channels; k++) {
    for (let j = 0; j < gh; j++) {
      const g = (k * gh + j) * gw, o = (k * gh + j) * rw;
      for (let x = r.x0; x < r.x1; x++) {
        const q = x * 4;
        rows[o + x - r.x0] = tx.w[q] * grid[g + tx.idx[q]] + tx.w[q + 1] * grid[g + tx.idx[q + 1]] + tx.w[q + 2] * grid[g + tx.idx[q + 2]] + tx.w[q + 3] * grid[g + tx.idx[q + 3]];
      }
    }
  }
  const out = new Float32Array(channels * rh * rw);
  for (let k = 0; k < channels; k++) {
    for (let y = r.y0; y < r.y1; y++) {
      const q = y * 4, o = (k * rh + y - r.y0) * rw;
      const r0 = (k * gh + ty.idx[q]) * rw, r1 = (k * gh + ty.idx[q + 1]) * rw, r2 = (k * gh + ty.idx[q + 2]) * rw, r3 = (k * gh + ty.idx[q + 3]) * rw;
      const w0 = ty.w[q], w1 = ty.w[q + 1], w2 = ty.w[q + 2], w3 = ty.w[q + 3];
      for (let x = 0; x < rw; x++) out[o + x] = w0 * rows[r0 + x] + w1 * rows[r1 + x] + w2 * rows[r2 + x] + w3 * rows[r3 + x];
    }
  }
  return out;
}

/** The block grid over an image: per block its colour and whether it holds mosaic pixels. */
export interface BlockColours {
  grid: BlockGrid;
  /** Index of the first block column and row that meet the image. */
  first: [number, number];
  /** Blocks along x and y. */
  count: [number, number];
  /** Planar [channels, gh, gw]. */
  colour: Float32Array;
  /** 1 for blocks with mosaic pixels. */
  hasMosaic: Uint8Array;
}

/**
 * Per block: its colour (first mosaic pixel), or, for blocks without mosaic pixels, what the
 * clean pixels say (their mean; the sampled pixel for 'center'). Blocks are clipped to the image.
 */
export function blockColours(img: { width: number; height: number; channels: number; data: Uint8Array }, mosaic: Uint8Array, grid: BlockGrid, style: MosaicStyle): BlockColours {
  const { width: w, height: h, channels: c, data } = img;
  const { bw, bh, ox, oy } = grid;
  const bx = blockRange(w, bw, ox), by = blockRange(h, bh, oy);
  const gw = bx.count, gh = by.count;
  const colour = new Float32Array(c * gw * gh);
  const hasMosaic = new Uint8Array(gw * gh);
  for (let j = 0; j < gh; j++) {
    const y0 = Math.max(0, oy + (j + by.first) * bh), y1 = Math.min(h, oy + (j + by.first + 1) * bh);
    for (let i = 0; i < gw; i++) {
      const x0 = Math.max(0, ox + (i + bx.first) * bw), x1 = Math.min(w, ox + (i + bx.first + 1) * bw);
      const b = j * gw + i;
      let hit = -1;
      for (let y = y0; y < y1 && hit < 0; y++) for (let x = x0; x < x1; x++) if (mosaic[y * w + x]) { hit = y * w + x; break; }
      if (hit >= 0) {
        hasMosaic[b] = 1;
        for (let k = 0; k < c; k++) colour[k * gw * gh + b] = data[hit * c + k];
      } else if (style === 'center') {
        const p = (y0 + Math.floor((y1 - y0) / 2)) * w + x0 + Math.floor((x1 - x0) / 2);
        for (let k = 0; k < c; k++) colour[k * gw * gh + b] = data[p * c + k];
      } else {
        const n = (x1 - x0) * (y1 - y0);
        for (let k = 0; k < c; k++) {
          let s = 0;
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += data[(y * w + x) * c + k];
          colour[k * gw * gh + b] = s / n;
        }
      }
    }
  }
  return { grid, first: [bx.first, by.first], count: [gw, gh], colour, hasMosaic };
}

/**
 * The classical restoration of the mosaic pixels of `img` (HWC bytes, `channels` per pixel),
 * as a planar float image of the same size; pixels outside `mosaic` are copied. `grid` is in
 * this image's coordinates. Blocks are clipped to the image, as the mosaic tools clip them.
 */
export function classicalEstimate(img: { width: number; height: number; channels: number; data: Uint8Array }, mosaic: Uint8Array, grid: BlockGrid, o: ClassicalOptions = {}): PlanarImage {
  const { width: w, height: h, channels: c, data } = img;
  const style = o.style ?? 'average';
  const blocks = blockColours(img, mosaic, grid, style);
  const [gw, gh] = blocks.count;
  const tx = axisTaps(w, grid.bw, grid.ox, sampleOffset(style, grid.bw), blocks.first[0], gw);
  const ty = axisTaps(h, grid.bh, grid.oy, sampleOffset(style, grid.bh), blocks.first[1], gh);
  const smooth = interpolateGrid(blocks.colour, gw, gh, c, tx, ty, w, h);
  const out = new Float32Array(c * w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x, m = mosaic[p];
      for (let k = 0; k < c; k++) out[k * w * h + p] = m ? smooth[k * w * h + p] : data[p * c + k];
    }
  }
  const result: PlanarImage = { width: w, height: h, channels: c, data: out };
  if (style === 'average' && (o.consistency ?? true)) projectOntoMosaic(result, blocks, mosaic, o.passes ?? 2);
  clamp255(out);
  return result;
}

const clamp255 = (a: Float32Array): void => {
  for (let i = 0; i < a.length; i++) a[i] = a[i] < 0 ? 0 : a[i] > 255 ? 255 : a[i];
};

/**
 * Makes the mosaic pixels of `img` (planar, in place) consistent with the block colours: each
 * block's mean (its other pixels as they are) becomes its colour. `passes` rounds of smooth
 * back-projection first, then the exact per-block projection; clamped to 0..255.
 */
export function projectOntoMosaic(img: PlanarImage, blocks: BlockColours, mosaic: Uint8Array, passes: number): void {
  const { width: w, height: h } = img;
  const { grid, first, count } = blocks;
  const tx = axisTaps(w, grid.bw, grid.ox, (grid.bw - 1) / 2, first[0], count[0]);
  const ty = axisTaps(h, grid.bh, grid.oy, (grid.bh - 1) / 2, first[1], count[1]);
  projectBlockMeans(img, blocks.colour, blocks.hasMosaic, mosaic, grid, first[0], first[1], count[0], count[1], tx, ty, passes);
  clamp255(img.data);
}

/**
 * Back-projection rounds, then the exact per-block projection (see the top of this file). Only
 * the blocks that hold mosaic pixels matter, so the work is limited to the rectangle they cover.
 */
function projectBlockMeans(img: PlanarImage, colour: Float32Array, hasMosaic: Uint8Array, mosaic: Uint8Array, grid: BlockGrid, fi: number, fj: number, gw: number, gh: number,
  tx: ReturnType<typeof axisTaps>, ty: ReturnType<typeof axisTaps>, passes: number): void {
  const { width: w, height: h, channels: c, data } = img;
  const { bw, bh, ox, oy } = grid;
  const plane = w * h, cells = gw * gh;
  // The rectangle of whole blocks (clipped to the image) around the mosaic pixels.
  let mx0 = w, mx1 = -1, my0 = h, my1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mosaic[y * w + x]) continue;
      if (x < mx0) mx0 = x;
      if (x > mx1) mx1 = x;
      if (y < my0) my0 = y;
      if (y > my1) my1 = y;
    }
  }
  if (mx1 < 0) return;
  const r: Rect = {
    x0: Math.max(0, ox + Math.floor((mx0 - ox) / bw) * bw), x1: Math.min(w, ox + (Math.floor((mx1 - ox) / bw) + 1) * bw),
    y0: Math.max(0, oy + Math.floor((my0 - oy) / bh) * bh), y1: Math.min(h, oy + (Math.floor((my1 - oy) / bh) + 1) * bh),
  };
  const rw = r.x1 - r.x0, rh = r.y1 - r.y0;
  // Each column's and row's block in the rectangle (cell index = rowBlock[y] + colBlock[x]); the
  // loops below walk the rectangle row by row, in the same pixel order throughout.
  const colBlock = new Int32Array(rw), rowBlock = new Int32Array(rh);
  for (let x = 0; x < rw; x++) colBlock[x] = Math.floor((r.x0 + x - ox) / bw) - fi;
  for (let y = 0; y < rh; y++) rowBlock[y] = (Math.floor((r.y0 + y - oy) / bh) - fj) * gw;
  const sum = new Float64Array(c * cells), count = new Float64Array(cells);
  for (let y = 0; y < rh; y++) for (let x = 0; x < rw; x++) count[rowBlock[y] + colBlock[x]]++;
  const errors = (): Float32Array => {
    sum.fill(0);
    for (let k = 0; k < c; k++) {
      const s0 = k * cells;
      for (let y = 0; y < rh; y++) {
        const row = k * plane + (r.y0 + y) * w + r.x0, rb = s0 + rowBlock[y];
        for (let x = 0; x < rw; x++) sum[rb + colBlock[x]] += data[row + x];
      }
    }
    const e = new Float32Array(c * cells);
    for (let k = 0; k < c; k++) for (let b = 0; b < cells; b++) e[k * cells + b] = hasMosaic[b] ? colour[k * cells + b] - sum[k * cells + b] / count[b] : 0;
    return e;
  };
  for (let pass = 0; pass < passes; pass++) {
    const d = interpolateGrid(errors(), gw, gh, c, tx, ty, w, h, r);
    for (let k = 0; k < c; k++) {
      for (let y = 0; y < rh; y++) {
        const p0 = (r.y0 + y) * w + r.x0, q0 = k * plane + p0, d0 = (k * rh + y) * rw;
        for (let x = 0; x < rw; x++) if (mosaic[p0 + x]) data[q0 + x] += d[d0 + x];
      }
    }
  }
  // Exact projection with clamping to 0..255: a block's error is shared by its mosaic pixels
  // that can still move that way (a pixel at 255 cannot go up), so blocks next to saturated
  // areas still get their mean; a few rounds settle what clamping leaves.
  const free = new Float64Array(cells);
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < rh; y++) {
      const q0 = k * plane + (r.y0 + y) * w + r.x0;
      for (let x = 0; x < rw; x++) {
        const q = q0 + x;
        data[q] = data[q] < 0 ? 0 : data[q] > 255 ? 255 : data[q];
      }
    }
  }
  for (let round = 0; round < 12; round++) {
    const e = errors();
    if (e.every((v) => Math.abs(v) < 0.005)) break;
    for (let k = 0; k < c; k++) {
      free.fill(0);
      const e0 = k * cells;
      for (let y = 0; y < rh; y++) {
        const p0 = (r.y0 + y) * w + r.x0, q0 = k * plane + p0, rb = rowBlock[y];
        for (let x = 0; x < rw; x++) {
          if (!mosaic[p0 + x]) continue;
          const b = rb + colBlock[x], v = data[q0 + x], eb = e[e0 + b];
          if ((eb > 0 && v < 255) || (eb < 0 && v > 0)) free[b]++;
        }
      }
      for (let y = 0; y < rh; y++) {
        const p0 = (r.y0 + y) * w + r.x0, q0 = k * plane + p0, rb = rowBlock[y];
        for (let x = 0; x < rw; x++) {
          if (!mosaic[p0 + x]) continue;
          const b = rb + colBlock[x], v = data[q0 + x], eb = e[e0 + b];
          if (!free[b] || !((eb > 0 && v < 255) || (eb < 0 && v > 0))) continue;
          const u = v + (eb * count[b]) / free[b];
          data[q0 + x] = u < 0 ? 0 : u > 255 ? 255 : u;
        }
      }
    }
  }
}

/** Planar float (0..255) back to HWC bytes, rounded and clamped. */
export function planarToBytes(img: PlanarImage): Uint8Array {
  const { width: w, height: h, channels: c, data } = img;
  const out = new Uint8Array(w * h * c);
  for (let k = 0; k < c; k++) {
    for (let p = 0; p < w * h; p++) {
      const v = Math.round(data[k * w * h + p]);
      out[p * c + k] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
