// The restorer's inputs for one window: per-pixel feature planes and the block-membership
// matrices of the in-graph projection (restorer.ts). Training (sampler.ts) and apply build them
// with this one function, so the model sees the same thing in both. Pure TypeScript.
import type { BlockGrid } from '../../mosaic/blocks.js';
import type { MosaicStyle } from '../../mosaic/pixelate.js';
import type { PlanarImage } from '../classical.js';

/** Input feature planes per pixel (listed in restorer.ts). */
export const RESTORER_FEATURES = 14;

/** What the model is told about one window. */
export interface WindowInputs {
  /** [14, H, W] feature planes (see restorer.ts). */
  features: Float32Array;
  /** [G, H] block-row membership. */
  rows: Float32Array;
  /** [G, W] block-column membership. */
  cols: Float32Array;
  /** [H, W] 1 on mosaic pixels. */
  mask: Float32Array;
  /** 1 when the block colours are block means ('average'), else 0. */
  consistent: number;
}

/** Styles in the order of the one-hot feature planes. */
export const STYLE_ORDER: readonly MosaicStyle[] = ['average', 'center', 'random'];

/** Block sizes are given to the model divided by this. */
const BLOCK_SCALE = 16;

/** Rows of the membership matrices a window of side n needs for blocks of at least `minBlock` px. */
export const membershipRows = (n: number, minBlock: number): number => Math.ceil(n / minBlock) + 1;

/**
 * Inputs for a window of `mosaicked` (HWC bytes, 3 channels) whose classical estimate is
 * `classical` (planar 0..255) and whose mosaic pixels are `mosaic` (1 = mosaic). `grid` is in
 * window coordinates; `g` is the number of membership rows (>= the blocks along each side).
 */
export function windowInputs(mosaicked: Uint8Array, classical: PlanarImage, mosaic: Uint8Array, grid: BlockGrid, style: MosaicStyle, g: number): WindowInputs {
  const { width: w, height: h } = classical;
  const plane = w * h;
  const f = new Float32Array(RESTORER_FEATURES * plane);
  for (let k = 0; k < 3; k++) {
    for (let p = 0; p < plane; p++) {
      f[k * plane + p] = classical.data[k * plane + p] / 127.5 - 1;
      f[(3 + k) * plane + p] = mosaicked[p * 3 + k] / 127.5 - 1;
    }
  }
  const mask = new Float32Array(plane);
  for (let p = 0; p < plane; p++) mask[p] = mosaic[p] ? 1 : 0;
  f.set(mask, 6 * plane);
  const { bw, bh, ox, oy } = grid;
  const phase = (v: number, size: number, origin: number) => ((((v - origin) % size) + size) % size + 0.5) / size - 0.5;
  for (let y = 0; y < h; y++) {
    const py = phase(y, bh, oy);
    for (let x = 0; x < w; x++) {
      f[7 * plane + y * w + x] = phase(x, bw, ox);
      f[8 * plane + y * w + x] = py;
    }
  }
  f.fill(bw / BLOCK_SCALE, 9 * plane, 10 * plane);
  f.fill(bh / BLOCK_SCALE, 10 * plane, 11 * plane);
  f.fill(1, (11 + STYLE_ORDER.indexOf(style)) * plane, (12 + STYLE_ORDER.indexOf(style)) * plane);
  return { features: f, rows: membership(h, bh, oy, g, 'rows'), cols: membership(w, bw, ox, g, 'columns'), mask, consistent: style === 'average' ? 1 : 0 };
}

/** [g, n]: entry (j, p) is 1 when pixel p lies in the j-th block that meets 0..n-1. */
function membership(n: number, size: number, origin: number, g: number, what: string): Float32Array {
  const first = Math.floor((0 - origin) / size);
  const count = Math.floor((n - 1 - origin) / size) - first + 1;
  if (count > g) throw new Error(`window of ${n} px holds ${count} block ${what} of ${size} px, more than the ${g} the model was built for`);
  const m = new Float32Array(g * n);
  for (let p = 0; p < n; p++) m[(Math.floor((p - origin) / size) - first) * n + p] = 1;
  return m;
}
