// Running a restorer on an area of any size: the area is cut into windows (tiles) of a few fixed
// sizes, each run as one compiled graph (graphs are cached by shape, so a folder of images
// compiles a handful), and the tiles are blended with linear ramps where they overlap. Tiling
// keeps memory bounded for any region size (a 4096x4096 region is 64 tiles of 512).
import * as g from '../../graph/index.js';
import type { BlockGrid } from '../../mosaic/blocks.js';
import type { MosaicStyle } from '../../mosaic/pixelate.js';
import type { RuntimeOptions } from '../../runtime/session.js';
import { Step } from '../../runtime/step.js';
import type { PlanarImage } from '../classical.js';
import { membershipRows, windowInputs } from './features.js';
import { MosaicRestorer, RESTORER_FEATURES } from './restorer.js';

/** Largest tile side; larger areas are tiled. */
export const TILE = 512;
/** Overlap of neighbouring tiles, blended linearly. */
export const TILE_OVERLAP = 32;
/** Tile sides are rounded up to this, so few distinct graphs are compiled. */
const SIDE_STEP = 32;

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

export class RestorerRunner {
  private readonly graphs = new Map<string, Promise<Step>>();

  constructor(readonly net: MosaicRestorer, readonly runtime: RuntimeOptions = {}) {
    net.eval();
  }

  private graph(h: number, w: number, rows: number, cols: number): Promise<Step> {
    const key = `${h}x${w}x${rows}x${cols}`;
    let s = this.graphs.get(key);
    if (!s) {
      s = Step.compile({
        build: () => {
          const p = { rows: g.input('rows', [1, 1, rows, h]), cols: g.input('cols', [1, 1, cols, w]), mask: g.input('mask', [1, 1, h, w]), consistent: g.input('consistent', [1, 1, 1, 1]) };
          return { out: this.net.restore(g.input('features', [1, RESTORER_FEATURES, h, w]), p) };
        },
        modules: [this.net],
      }, this.runtime);
      this.graphs.set(key, s);
    }
    return s;
  }

  /** The restored area, planar 0..255 (unclamped floats clamped at the end). */
  async restoreArea(a: AreaInputs): Promise<PlanarImage> {
    const { width: w, height: h } = a.classical;
    const tileW = Math.min(TILE, roundUp(w, SIDE_STEP)), tileH = Math.min(TILE, roundUp(h, SIDE_STEP));
    const out = new Float32Array(3 * w * h), weight = new Float32Array(w * h);
    for (const ty of tileStarts(h, tileH)) {
      for (const tx of tileStarts(w, tileW)) {
        const tile = await this.runTile(a, tx, ty, tileW, tileH);
        blendTile(out, weight, tile, tx, ty, tileW, tileH, w, h);
      }
    }
    for (let p = 0; p < w * h; p++) for (let k = 0; k < 3; k++) out[k * w * h + p] = Math.min(255, Math.max(0, out[k * w * h + p] / weight[p]));
    return { width: w, height: h, channels: 3, data: out };
  }

  /** One tile at (x0, y0); parts beyond the area repeat its edge pixels (not mosaic, never kept). */
  private async runTile(a: AreaInputs, x0: number, y0: number, tw: number, th: number): Promise<Float32Array> {
    const { width: w, height: h } = a.classical;
    const bytes = new Uint8Array(tw * th * 3), mask = new Uint8Array(tw * th);
    const classical: PlanarImage = { width: tw, height: th, channels: 3, data: new Float32Array(3 * tw * th) };
    for (let y = 0; y < th; y++) {
      const sy = Math.min(h - 1, y0 + y);
      for (let x = 0; x < tw; x++) {
        const sx = Math.min(w - 1, x0 + x), s = sy * w + sx, d = y * tw + x;
        const inside = y0 + y < h && x0 + x < w;
        mask[d] = inside ? a.mosaic[s] : 0;
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
    const step = await this.graph(th, tw, rows, rows);
    const consistent = Float32Array.of((a.consistent ?? a.style === 'average') ? 1 : 0);
    const r = await step.run({ features: inputs.features, rows: inputs.rows, cols: inputs.cols, mask: inputs.mask, consistent });
    const out = r.out;
    for (let i = 0; i < out.length; i++) out[i] = (out[i] + 1) * 127.5;
    return out;
  }

  async release(): Promise<void> {
    for (const s of this.graphs.values()) await (await s).release();
    this.graphs.clear();
  }
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
