// Finds existing mosaics (pixelated regions) in an image by their block structure:
// a mosaic is a grid of constant cells whose borders change. Steps:
//  1. pixels inside constant runs of >= minBlock px both horizontally and vertically
//     are candidates (textured content almost never has them);
//  2. per connected candidate area, block sizes and grid offsets are proposed from the
//     lengths and start positions of the constant runs (locate-grid.ts);
//  3. on each proposed grid, cells are checked (locate-cells.ts): constant inside, changing
//     across a vertical and a horizontal side, in groups of >= minBlocks spanning 2x2 cells;
//     enclosed constant cells and the constant parts of partially covered edge cells are
//     added. The grid that explains the most wins (GridDetection.score), and the rest of the
//     area is searched again for a mosaic on another grid;
//  4. connected regions smaller than minRegionArea are dropped.
// Works on lossless images; `tolerance` > 0 lets mildly compressed mosaics through.
import type { Image } from '../data/image-core.js';
import { connectedComponents } from './components.js';
import { detectOnGrid, type GridDetection } from './locate-cells.js';
import { equalityMaps, gridHypotheses } from './locate-grid.js';
import type { BlockGrid } from './blocks.js';
import { createMask, type Box, type Mask } from './mask.js';

/** Options of `locateMosaic`. */
export interface LocateOptions {
  /** Smallest block side considered, default 3. */
  minBlock?: number;
  /** Largest block side considered, default 48. */
  maxBlock?: number;
  /** Largest per-channel difference still counted as equal, default 0 (lossless input). */
  tolerance?: number;
  /** Fewest blocks a seed group needs, default 6. */
  minBlocks?: number;
  /** Regions with fewer pixels are dropped, default 64. */
  minRegionArea?: number;
}

/** A found mosaic region and the grid it sits on. */
export interface LocatedRegion {
  box: Box;
  /** Pixels in the region. */
  area: number;
  blockWidth: number;
  blockHeight: number;
  /** Grid origin modulo the block size. */
  offsetX: number;
  offsetY: number;
}

/** Result of `locateMosaic`. */
export interface LocateResult {
  /** 1 where a mosaic was found. */
  mask: Mask;
  /** Bounding boxes of the regions, largest region first. */
  boxes: Box[];
  /** Block height of the largest region (its width is regions[0].blockWidth), or null when nothing was found. */
  blockSize: number | null;
  regions: LocatedRegion[];
}

/** Locates pixelated regions in `img`. A clean image gives an empty mask. */
export function locateMosaic(img: Image, opts: LocateOptions = {}): LocateResult {
  const minBlock = Math.max(2, opts.minBlock ?? 3);
  const maxBlock = Math.max(minBlock, opts.maxBlock ?? 48);
  const minBlocks = opts.minBlocks ?? 6;
  const minRegionArea = opts.minRegionArea ?? 64;
  const { width: w, height: h } = img;
  const maps = equalityMaps(img, opts.tolerance ?? 0);

  const cand = createMask(w, h);
  for (let p = 0; p < w * h; p++) cand.data[p] = maps.hLen[p] >= minBlock && maps.vLen[p] >= minBlock ? 1 : 0;

  const found = createMask(w, h);
  const gridOf = new Int32Array(w * h).fill(-1);
  const grids: BlockGrid[] = [];
  for (const comp of connectedComponents(cand)) {
    if (comp.area < minBlocks * minBlock * minBlock) continue;
    let remaining: ArrayLike<number> = comp.pixels;
    // A candidate area may hold mosaics on different grids: peel them off one at a time.
    for (let round = 0; round < 3 && remaining.length >= minBlocks * minBlock * minBlock; round++) {
      let grid: BlockGrid | null = null;
      let det: GridDetection = { pixels: found.data, blocks: 0, score: 0 };
      for (const g of gridHypotheses(maps, remaining, minBlock, maxBlock, 8)) {
        const d = detectOnGrid(maps, g, comp.box, minBlocks, round > 0 ? found.data : undefined);
        if (d.blocks > 0 && d.score > det.score) [grid, det] = [g, d];
      }
      if (!grid) break;
      grids.push(grid);
      for (let p = 0; p < w * h; p++) {
        if (det.pixels[p] && !found.data[p]) {
          found.data[p] = 1;
          gridOf[p] = grids.length - 1;
        }
      }
      remaining = Int32Array.from(remaining as Int32Array).filter((p) => !found.data[p]);
    }
  }

  const mask = createMask(w, h);
  const regions: LocatedRegion[] = [];
  for (const comp of connectedComponents(found)) {
    if (comp.area < minRegionArea) continue;
    for (const p of comp.pixels) mask.data[p] = 1;
    const g = grids[gridOf[comp.pixels[0]]];
    regions.push({ box: comp.box, area: comp.area, blockWidth: g.bw, blockHeight: g.bh, offsetX: g.ox, offsetY: g.oy });
  }
  regions.sort((a, b) => b.area - a.area);
  return { mask, boxes: regions.map((r) => r.box), blockSize: regions[0]?.blockHeight ?? null, regions };
}
