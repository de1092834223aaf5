// Restoring an area of any size with a window model: the area is cut into windows (tiles) of a
// few fixed sizes, each window's inputs are built (features.ts), the model runs on each, and
// the tiles are blended with linear ramps where they overlap. Tiling keeps memory bounded for
// any region size and keeps the number of distinct window shapes (compiled graphs) small.
// Pure TypeScript: Node (runner.ts, ONNX Runtime through the engine) and the browser
// (onnxruntime-web) supply only `WindowModel`.
import type { BlockGrid } from '../../mosaic/blocks.js';
import type { MosaicStyle } from '../../mosaic/pixelate.js';
import type { PlanarImage } from '../classical.js';
import { membershipRows, windowInputs, type WindowInputs } from './features.js';

/** Largest tile side; larger areas are tiled. */
export const TILE = 512;
/** Overlap of neighbouring tiles, blended linearly. */
export const TILE_OVERLAP = 32;
/** Tile sides are rounded up to this, so few distinct graphs are compiled. */
export const SIDE_STEP = 32;

/** What one area restoration needs: the area's bytes (HWC, 3 channels), classical estimate, mosaic mask and grid. */
export interface AreaInputs {
  mosaicked: Uint8Array;
  classical: PlanarImage;
  mosaic: Uint8Array;
  grid: BlockGrid;
  style: MosaicStyle;
  /** Block-mean consistency inside the model (average mosaics); default: style === 'average'. */
  consistent?: boolean;
}

/** Runs the restorer on one window of `height` x `width` px; returns [3, H, W] in [-1, 1]. */
export type WindowModel = (inputs: WindowInputs, height: number, width: number, rows: number) => Promise<Float32Array>;

/** Something that restores a whole area (the restorer, tiled). */
export interface AreaRestorer { restoreArea(a: AreaInputs): Promise<PlanarImage> }

/** Tile starts along one axis of length n (tiles of `tile` px, overlapping by TILE_OVERLAP). */
export function tileStarts(n: number, tile: number): number[] {
  if (n <= tile) return [0];
  const stride = tile - TILE_OVERLAP;
  const starts: number[] = [];
  for (let s = 0; s + tile < n; s += stride) starts.push(s);
  starts.push(n - tile);
  return starts;
}

const roundUp = (v: number, m: number): number => Math.ceil(v / m) * m;

/** How many windows restoreAreaTiled runs for a w x h area (progress reports). */
export function tileCount(w: number, h: number, tile = TILE): number {
  const tileW = Math.min(tile, roundUp(w, SIDE_STEP)), tileH = Math.min(tile, roundUp(h, SIDE_STEP));
  return tileStarts(h, tileH).length * tileStarts(w, tileW).length;
}

/** The restored area, planar 0..255, from a window model run on each tile. */
export async function restoreAreaTiled(a: AreaInputs, model: WindowModel, tile = TILE): Promise<PlanarImage> {
  const { width: w, height: h } = a.classical;
  const tileW = Math.min(tile, roundUp(w, SIDE_STEP)), tileH = Math.min(tile, roundUp(h, SIDE_STEP));
  const out = new Float32Array(3 * w * h), weight = new Float32Array(w * h);
  for (const ty of tileStarts(h, tileH)) {
    for (const tx of tileStarts(w, tileW)) {
      const t = tileInputs(a, tx, ty, tileW, tileH);
      const y = await model(t.inputs, tileH, tileW, t.rows);
      for (let i = 0; i < y.length; i++) y[i] = (y[i] + 1) * 127.5;
      blendTile(out, weight, y, tx, ty, tileW, tileH, w, h);
    }
  }
  for (let p = 0; p < w * h; p++) for (let k = 0; k < 3; k++) out[k * w * h + p] = Math.min(255, Math.max(0, out[k * w * h + p] / weight[p]));
  return { width: w, height: h, channels: 3, data: out };
}

/** The model inputs of the tile at (x0, y0); parts beyond the area repeat its edge pixels (not mosaic, never kept). */
export function tileInputs(a: AreaInputs, x0: number, y0: number, tw: number, th: number): { inputs: WindowInputs; rows: number } {
  const { width: w, height: h } = a.classical;
  const bytes = new Uint8Array(tw * th * 3), mask = new Uint8Array(tw * th);
  const classical: PlanarImage = { width: tw, height: th, channels: 3, data: new Float32Array(3 * tw * th) };
  for (let y = 0; y < th; y++) {
    const sy = Math.min(h - 1, y0 + y);
    for (let x = 0; x < tw; x++) {
      const sx = Math.min(w - 1, x0 + x), s = sy * w + sx, d = y * tw + x;
      mask[d] = y0 + y < h && x0 + x < w ? a.mosaic[s] : 0;
      for (let k = 0; k < 3; k++) {
        bytes[d * 3 + k] = a.mosaicked[s * 3 + k];
        classical.data[k * tw * th + d] = a.classical.data[k * w * h + s];
      }
    }
  }
  const grid: BlockGrid = { ...a.grid, ox: a.grid.ox - x0, oy: a.grid.oy - y0 };
  // Rows for the smallest block the model was trained on (4 px), so one graph serves every block size.
  const rows = membershipRows(Math.max(tw, th), Math.min(4, a.grid.bw, a.grid.bh));
  const inputs = windowInputs(bytes, classical, mask, grid, a.style, rows);
  if (a.consistent !== undefined) inputs.consistent = a.consistent ? 1 : 0;
  return { inputs, rows };
}

/** Adds a tile into the running sums with weights that ramp linearly over the overlap (1 at area edges). */
function blendTile(out: Float32Array, weight: Float32Array, tile: Float32Array, x0: number, y0: number, tw: number, th: number, w: number, h: number): void {
  const ramp = (i: number, n: number, start: number, total: number): number => {
    const lo = start > 0 ? Math.min(1, (i + 0.5) / TILE_OVERLAP) : 1;
    const hi = start + n < total ? Math.min(1, (n - i - 0.5) / TILE_OVERLAP) : 1;
    return Math.min(lo, hi);
  };
  for (let y = 0; y < th && y0 + y < h; y++) {
    const wy = ramp(y, th, y0, h);
    for (let x = 0; x < tw && x0 + x < w; x++) {
      const wt = wy * ramp(x, tw, x0, w), p = (y0 + y) * w + x0 + x;
      weight[p] += wt;
      for (let k = 0; k < 3; k++) out[k * w * h + p] += wt * tile[k * tw * th + y * tw + x];
    }
  }
}
