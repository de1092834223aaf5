// Finding a mosaic's block grid and its pixels inside a region, from the image alone: the grid
// from the constant runs inside the region (the mosaic locator's grid hypotheses), the mosaic
// pixels as those sharing their block's most frequent colour (so a block cut by the mosaic's
// edge counts only its mosaic part, and clean pixels of a generous box are left out).
import { cropImage, type Image } from '../data/image-core.js';
import type { BlockGrid } from '../mosaic/blocks.js';
import { equalityMaps, gridHypotheses } from '../mosaic/locate-grid.js';
import type { Box, Mask } from '../mosaic/mask.js';
import type { Region } from './regions.js';

const grow = (b: Box, d: number, w: number, h: number): Box => {
  const x0 = Math.max(0, b.x - d), y0 = Math.max(0, b.y - d);
  return { x: x0, y: y0, w: Math.min(w, b.x + b.w + d) - x0, h: Math.min(h, b.y + b.h + d) - y0 };
};

const mod = (v: number, m: number): number => ((v % m) + m) % m;

/** The block grid of the mosaic in `region` (image coordinates, offsets modulo the block), or null. */
export function estimateGrid(img: Image, region: Region, tolerance = 0): BlockGrid | null {
  const crop = grow(region.box, 1, img.width, img.height);
  const sub = cropImage(img, crop.x, crop.y, crop.w, crop.h);
  const maps = equalityMaps(sub, tolerance);
  const pixels: number[] = [];
  const { box, local } = region;
  for (let y = 0; y < box.h; y++) {
    for (let x = 0; x < box.w; x++) if (local[y * box.w + x]) pixels.push((box.y + y - crop.y) * crop.w + (box.x + x - crop.x));
  }
  const [g] = gridHypotheses(maps, pixels, 3, 64, 2);
  return g ? { bw: g.bw, bh: g.bh, ox: mod(g.ox + crop.x, g.bw), oy: mod(g.oy + crop.y, g.bh) } : null;
}

/** Calls fn(x0, y0, x1, y1) for each grid block (clipped to the image) that meets `box`. */
function forBlocks(grid: BlockGrid, box: Box, w: number, h: number, fn: (x0: number, y0: number, x1: number, y1: number) => void): void {
  const { bw, bh, ox, oy } = grid;
  for (let j = Math.floor((box.y - oy) / bh); j <= Math.floor((box.y + box.h - 1 - oy) / bh); j++) {
    const y0 = Math.max(0, oy + j * bh), y1 = Math.min(h, oy + (j + 1) * bh);
    for (let i = Math.floor((box.x - ox) / bw); i <= Math.floor((box.x + box.w - 1 - ox) / bw); i++) {
      const x0 = Math.max(0, ox + i * bw), x1 = Math.min(w, ox + (i + 1) * bw);
      if (x1 > x0 && y1 > y0) fn(x0, y0, x1, y1);
    }
  }
}

/**
 * The region pixels that belong to the mosaic: per grid block, the region pixels equal (per
 * channel within `tolerance`) to the block's most frequent colour, when at least 2 pixels and at
 * least a quarter of the block's region pixels have it. So a block cut by the mosaic's edge counts
 * only its mosaic part, and clean pixels of a region larger than the mosaic are left out.
 * An image-size mask.
 */
export function mosaicPixels(img: Image, region: Region, grid: BlockGrid, tolerance = 0): Mask {
  const { width: w, height: h, channels: c, data } = img;
  const { box, local } = region;
  const out: Mask = { width: w, height: h, data: new Uint8Array(w * h) };
  const inRegion = (x: number, y: number) =>
    x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h && local[(y - box.y) * box.w + (x - box.x)] === 1;
  const key = (p: number): number => {
    let k = 0;
    for (let ch = 0; ch < c; ch++) k = k * 256 + data[p * c + ch];
    return k;
  };
  forBlocks(grid, box, w, h, (x0, y0, x1, y1) => {
    const counts = new Map<number, number>();
    let n = 0, mode = -1, best = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        if (!inRegion(x, y)) continue;
        const p = y * w + x;
        const k = key(p);
        const cnt = (counts.get(k) ?? 0) + 1;
        counts.set(k, cnt);
        n++;
        if (cnt > best) [best, mode] = [cnt, p];
      }
    }
    if (mode < 0) return;
    const members: number[] = [];
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        if (!inRegion(x, y)) continue;
        const p = y * w + x;
        let same = true;
        for (let ch = 0; ch < c && same; ch++) if (Math.abs(data[p * c + ch] - data[mode * c + ch]) > tolerance) same = false;
        if (same) members.push(p);
      }
    }
    if (members.length >= 2 && members.length * 4 >= n) for (const p of members) out.data[p] = 1;
  });
  return out;
}
