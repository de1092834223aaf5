// Smoothed model input and block-mean consistency.
//
// A mosaic is one colour per block. Under the pix2pix L1 loss the best guess for a pixel whose
// neighbourhood is uncertain is the median, which stays close to its block's colour, so a model
// fed the raw mosaic keeps the blocks for a long time. Instead each region is first replaced by
// the smooth restoration (one sample per block, bicubic back up: baseline.ts) on the block grid
// estimated from the region itself, made consistent (below), and the model (trained on inputs
// made the same way) only adds what that lacks.
//
// Consistency: an 'average' mosaic block holds the mean of the original block, so a restoration
// whose block means differ from the block colours is certainly wrong there. Shifting the
// restored pixels of each block by one constant so that the block mean (the pixels outside the
// region counted as they are in the mosaicked image) equals its colour is the orthogonal
// projection onto all images consistent with the mosaic: for an 'average' mosaic it can only
// bring the result closer (in mean squared error) to the original. For 'center' or 'random'
// mosaics the colour is one pixel of the block, an unbiased but noisy estimate of the mean.
//
// Only blocks whose region pixels are all equal (within the tolerance) count as mosaic; other
// pixels of a region (a box larger than the mosaic, a feathered edge) are left as they are.
// The grid comes from the constant runs inside the region (the mosaic locator's gridHypotheses);
// a region with no detectable grid (not a mosaic, or a lossy copy without --tolerance) is left
// unchanged.
import { cropImage, pasteImage, type Image } from '../data/image.js';
import type { BlockGrid } from '../mosaic/blocks.js';
import { equalityMaps, gridHypotheses } from '../mosaic/locate-grid.js';
import type { Box, Mask } from '../mosaic/mask.js';
import { blockGridBaseline } from './baseline.js';
import type { Region } from './regions.js';

/** The input a restoration model expects: the mosaic itself, or the region smoothed first. */
export const RESTORE_INPUTS = ['smooth', 'mosaic'] as const;
export type RestoreInput = (typeof RESTORE_INPUTS)[number];

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
 * The region pixels that lie in mosaic blocks: blocks whose region pixels all have the same
 * colour (per channel within `tolerance`). An image-size mask.
 */
export function mosaicPixels(img: Image, region: Region, grid: BlockGrid, tolerance = 0): Mask {
  const { width: w, height: h, channels: c, data } = img;
  const { box, local } = region;
  const out: Mask = { width: w, height: h, data: new Uint8Array(w * h) };
  const inRegion = (x: number, y: number) => x >= box.x && x < box.x + box.w && y >= box.y && y < box.y + box.h && local[(y - box.y) * box.w + (x - box.x)] === 1;
  forBlocks(grid, box, w, h, (x0, y0, x1, y1) => {
    let first = -1, same = true;
    for (let y = y0; y < y1 && same; y++) {
      for (let x = x0; x < x1 && same; x++) {
        if (!inRegion(x, y)) continue;
        const p = y * w + x;
        if (first < 0) first = p;
        else for (let k = 0; k < c; k++) if (Math.abs(data[p * c + k] - data[first * c + k]) > tolerance) same = false;
      }
    }
    if (first < 0 || !same) return;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (inRegion(x, y)) out.data[y * w + x] = 1;
  });
  return out;
}

/**
 * Block-mean consistency (see the top of this file), in place on `out`: for every block with
 * pixels in `mosaic` (a mask from mosaicPixels), those pixels are shifted by one constant per
 * channel so that the block's mean, with its other pixels taken from `reference` (the mosaicked
 * image), equals the block colour in `reference`. Clamped to 0..255 and rounded.
 */
export function enforceBlockMeans(out: Image, reference: Image, mosaic: Mask, box: Box, grid: BlockGrid): void {
  const { width: w, height: h, channels: c } = out;
  forBlocks(grid, box, w, h, (x0, y0, x1, y1) => {
    let inside = 0, colourAt = -1;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (mosaic.data[y * w + x]) { inside++; colourAt = y * w + x; }
    if (!inside) return;
    const n = (x1 - x0) * (y1 - y0);
    for (let k = 0; k < c; k++) {
      let sum = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const p = y * w + x;
          sum += (mosaic.data[p] ? out.data : reference.data)[p * c + k];
        }
      }
      const d = (reference.data[colourAt * c + k] * n - sum) / inside;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const p = (y * w + x) * c + k;
          if (mosaic.data[y * w + x]) out.data[p] = Math.max(0, Math.min(255, Math.round(out.data[p] + d)));
        }
      }
    }
  });
}

/** What smoothRegion found: the grid and the mosaic pixels, or null when the region holds no mosaic. */
export interface RegionMosaic { grid: BlockGrid; mosaic: Mask }

/**
 * A copy of `img` whose region's mosaic pixels are replaced by the block-grid bicubic
 * restoration, made consistent with the block colours. Nothing else changes. Returns the copy
 * (or `img` itself when no grid is found) and what was found, for enforceBlockMeans later.
 */
export async function smoothRegion(img: Image, region: Region, tolerance = 0): Promise<{ image: Image; found: RegionMosaic | null }> {
  const grid = estimateGrid(img, region, tolerance);
  if (!grid) return { image: img, found: null };
  const mosaic = mosaicPixels(img, region, grid, tolerance);
  // Work on the region grown by two blocks, so the blocks around it are whole.
  const crop = grow(region.box, 2 * Math.max(grid.bw, grid.bh), img.width, img.height);
  const sub = cropImage(img, crop.x, crop.y, crop.w, crop.h);
  const subMask: Mask = { width: crop.w, height: crop.h, data: new Uint8Array(crop.w * crop.h) };
  for (let y = 0; y < crop.h; y++) for (let x = 0; x < crop.w; x++) subMask.data[y * crop.w + x] = mosaic.data[(crop.y + y) * img.width + crop.x + x];
  const smoothed = await blockGridBaseline(sub, subMask, { bw: grid.bw, bh: grid.bh, ox: grid.ox - crop.x, oy: grid.oy - crop.y });
  const out: Image = { ...img, data: img.data.slice() };
  pasteImage(out, smoothed, crop.x, crop.y);
  enforceBlockMeans(out, img, mosaic, region.box, grid);
  return { image: out, found: { grid, mosaic } };
}
