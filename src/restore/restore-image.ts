// Restoring the mosaicked regions of one image, with the shipped (or any) restorer or the
// classical method alone.
//
// Per region (in order, each on the result of the previous ones):
//  1. The block grid and the mosaic pixels are found from the region itself (smooth.ts:
//     estimateGrid, mosaicPixels); a region without a grid is left as it is.
//  2. The work area is the region's box grown by three blocks and the model's context, clipped
//     to the image; the classical estimate (classical.ts) is made there.
//  3. With a model, the area goes through the restorer in tiles (net/runner.ts).
//  4. The result is pasted over the region and a feathered band around it (alpha 1 on the region,
//     0 beyond the band: those pixels are bit-identical to the input).
//  5. For block-mean ('average') mosaics, the pasted mosaic pixels are made exactly consistent
//     with the block colours once more (classical.ts projectOntoMosaic), so rounding and the
//     feathered paste cannot move a block's mean away from its colour.
import type { Image } from '../data/image-core.js';
import type { BlockGrid } from '../mosaic/blocks.js';
import type { Box } from '../mosaic/mask.js';
import type { MosaicStyle } from '../mosaic/pixelate.js';
import { blockColours, classicalEstimate, projectOntoMosaic, type PlanarImage } from './classical.js';
import { DEFAULT_FEATHER, regionAlpha } from './paste.js';
import type { AreaRestorer } from './net/tiles.js';
import type { Region } from './regions.js';
import { estimateGrid, mosaicPixels } from './grid.js';

export interface RestoreRegionsOptions {
  /** The restorer (RestorerRunner in Node, an onnxruntime-web one in the browser), or null for the classical method alone. */
  runner: AreaRestorer | null;
  /** How the block colours were taken; default 'average' (block means, as image editors pixelate). */
  style?: MosaicStyle;
  /** Enforce block means for 'average' mosaics; default true. */
  consistency?: boolean;
  /** Width of the blend band outside each region, px (0 = hard edge); default 8. */
  feather?: number;
  /** Grid estimation: largest per-channel difference counted as equal (lossy inputs); default 0. */
  tolerance?: number;
  /**
   * Feathered alphas already made, reused when a region has the same box, shape and feather (a
   * video's regions repeat frame after frame); the caller owns it and its lifetime.
   */
  alphaCache?: AlphaCache;
}

/** Feathered region alphas by box and feather; see RestoreRegionsOptions.alphaCache. */
export type AlphaCache = Map<string, { local: Uint8Array; grown: Box; alpha: Float32Array }>;

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

function cachedAlpha(region: Region, feather: number, cache: AlphaCache | undefined): { grown: Box; alpha: Float32Array } {
  if (!cache) return regionAlpha(region, feather);
  const b = region.box, key = `${b.x},${b.y},${b.w},${b.h}|${feather}`;
  const hit = cache.get(key);
  if (hit && sameBytes(hit.local, region.local)) return hit;
  const made = regionAlpha(region, feather);
  if (cache.size >= 16) cache.delete(cache.keys().next().value!);
  cache.set(key, { local: region.local.slice(), ...made });
  return made;
}

/** Context around a region beyond its blocks, px: what the model's receptive field reaches. */
const MODEL_CONTEXT = 32;

/** What happened to one region. */
export interface RegionReport { label: string; grid: BlockGrid | null }

const grow = (b: Box, d: number, w: number, h: number): Box => {
  const x0 = Math.max(0, b.x - d), y0 = Math.max(0, b.y - d);
  return { x: x0, y: y0, w: Math.min(w, b.x + b.w + d) - x0, h: Math.min(h, b.y + b.h + d) - y0 };
};

/** `img` as 3-channel HWC bytes over `area` (grey replicated, alpha dropped). */
function rgbArea(img: Image, area: Box): Uint8Array {
  const { width: w, channels: c, data } = img;
  const out = new Uint8Array(area.w * area.h * 3);
  for (let y = 0; y < area.h; y++) {
    for (let x = 0; x < area.w; x++) {
      const s = ((area.y + y) * w + area.x + x) * c, d = (y * area.w + x) * 3;
      if (c >= 3) { out[d] = data[s]; out[d + 1] = data[s + 1]; out[d + 2] = data[s + 2]; } else out[d] = out[d + 1] = out[d + 2] = data[s];
    }
  }
  return out;
}

/**
 * A copy of `img` with each region restored. Pixels farther than the feather band from every
 * region are bit-identical to `img`; an alpha channel is kept as it is.
 */
export async function restoreRegions(img: Image, regions: readonly Region[], o: RestoreRegionsOptions): Promise<{ image: Image; reports: RegionReport[] }> {
  const feather = o.feather ?? DEFAULT_FEATHER, tolerance = o.tolerance ?? 0, style = o.style ?? 'average';
  if (!(feather >= 0)) throw new Error(`feather must be >= 0 px, got ${feather}`);
  const out: Image = { ...img, data: img.data.slice() };
  const reports: RegionReport[] = [];
  const colour = Math.min(img.channels, 3);
  for (const region of regions) {
    const grid = region.grid ?? estimateGrid(out, region, tolerance);
    reports.push({ label: region.label, grid });
    if (!grid) continue;
    const mosaicFull = mosaicPixels(out, region, grid, tolerance);
    const { grown, alpha } = cachedAlpha(region, feather, o.alphaCache);
    const area = grow(region.box, 3 * Math.max(grid.bw, grid.bh) + MODEL_CONTEXT + Math.max(0, region.box.x - grown.x), out.width, out.height);
    const bytes = rgbArea(out, area);
    const mosaic = new Uint8Array(area.w * area.h);
    for (let y = 0; y < area.h; y++) {
      const from = (area.y + y) * out.width + area.x;
      mosaic.set(mosaicFull.data.subarray(from, from + area.w), y * area.w);
    }
    const local: BlockGrid = { ...grid, ox: grid.ox - area.x, oy: grid.oy - area.y };
    const consistent = style === 'average' && (o.consistency ?? true);
    const areaImg = { width: area.w, height: area.h, channels: 3, data: bytes };
    const classical = classicalEstimate(areaImg, mosaic, local, { style, consistency: consistent });
    const restored: PlanarImage = o.runner ? await o.runner.restoreArea({ mosaicked: bytes, classical, mosaic, grid: local, style, consistent }) : classical;
    // Paste with the feathered alpha, into the area copy first so the final projection sees the result.
    const plane = area.w * area.h;
    const pasted: PlanarImage = { width: area.w, height: area.h, channels: 3, data: new Float32Array(3 * plane) };
    const pd = pasted.data, rd = restored.data;
    for (let k = 0; k < 3; k++) for (let p = 0, q = k * plane; p < plane; p++, q++) pd[q] = bytes[p * 3 + k];
    const touched = new Uint8Array(plane);
    // Only the rows and columns of the area inside the feathered box can have alpha.
    const y0 = Math.max(0, grown.y - area.y), y1 = Math.min(area.h, grown.y + grown.h - area.y);
    const x0 = Math.max(0, grown.x - area.x), x1 = Math.min(area.w, grown.x + grown.w - area.x);
    for (let y = y0; y < y1; y++) {
      const arow = (area.y + y - grown.y) * grown.w + area.x - grown.x;
      for (let x = x0; x < x1; x++) {
        const a = alpha[arow + x];
        if (a === 0) continue;
        const p = y * area.w + x;
        touched[p] = 1;
        for (let k = 0, q = p; k < 3; k++, q += plane) pd[q] = a === 1 ? rd[q] : pd[q] * (1 - a) + rd[q] * a;
      }
    }
    if (consistent) projectOntoMosaic(pasted, blockColours(areaImg, mosaic, local, style), mosaic, 0);
    for (let y = 0; y < area.h; y++) {
      for (let x = 0; x < area.w; x++) {
        const p = y * area.w + x;
        if (!touched[p]) continue;
        const d = ((area.y + y) * out.width + area.x + x) * out.channels;
        if (colour === 1) out.data[d] = Math.round((pasted.data[p] + pasted.data[plane + p] + pasted.data[2 * plane + p]) / 3);
        else for (let k = 0; k < 3; k++) out.data[d + k] = Math.round(pasted.data[k * plane + p]);
      }
    }
  }
  return { image: out, reports };
}
