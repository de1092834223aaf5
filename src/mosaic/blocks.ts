// Block grid geometry. Blocks are the cells [ox + i*bw, ox + (i+1)*bw) x [oy + j*bh, ...)
// for all integers i, j, clipped to the image; the origin is (0, 0) for an image-aligned
// grid or the region's bounding-box corner for a region-aligned one.
import type { Box } from './mask.js';

/** A block grid: block width/height and the origin of one block corner. */
export interface BlockGrid {
  bw: number;
  bh: number;
  ox: number;
  oy: number;
}

export type GridAlign = 'image' | 'region';

/**
 * Block width and height for a size and aspect ratio: the height is `size`, the width
 * round(size * aspect) (aspect 2 = twice as wide as tall), both at least 1.
 */
export function blockDims(size: number, aspect = 1): { bw: number; bh: number } {
  if (!(size >= 1)) throw new Error(`block size must be >= 1, got ${size}`);
  if (!(aspect > 0)) throw new Error(`block aspect must be > 0, got ${aspect}`);
  return { bw: Math.max(1, Math.round(size * aspect)), bh: Math.max(1, Math.round(size)) };
}

/** The grid for a region: origin (0,0) when aligned to the image, the region box corner otherwise. */
export function makeGrid(size: number, aspect: number, align: GridAlign, region: Box | null): BlockGrid {
  const { bw, bh } = blockDims(size, aspect);
  return align === 'region' && region ? { bw, bh, ox: region.x, oy: region.y } : { bw, bh, ox: 0, oy: 0 };
}

/**
 * Calls fn(x0, y0, x1, y1) (half-open, clipped to width x height) for every block that
 * intersects `area`, in raster order (rows of blocks top to bottom, left to right).
 */
export function forEachBlock(grid: BlockGrid, area: Box, width: number, height: number, fn: (x0: number, y0: number, x1: number, y1: number) => void): void {
  const { bw, bh, ox, oy } = grid;
  const i0 = Math.floor((area.x - ox) / bw), i1 = Math.floor((area.x + area.w - 1 - ox) / bw);
  const j0 = Math.floor((area.y - oy) / bh), j1 = Math.floor((area.y + area.h - 1 - oy) / bh);
  for (let j = j0; j <= j1; j++) {
    const y0 = Math.max(0, oy + j * bh), y1 = Math.min(height, oy + (j + 1) * bh);
    if (y1 <= y0) continue;
    for (let i = i0; i <= i1; i++) {
      const x0 = Math.max(0, ox + i * bw), x1 = Math.min(width, ox + (i + 1) * bw);
      if (x1 > x0) fn(x0, y0, x1, y1);
    }
  }
}
