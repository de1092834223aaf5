// Restoring mosaicked regions of one image with a trained generator.
//
// Per region (in order, each on the result of the previous ones):
//  0. For models trained on smoothed input (input 'smooth', smooth.ts), the region is first
//     replaced by its block-grid smoothing.
//  1. Window: the region's box grown by max(margin, feather band) on every side, made square
//     (side S = the larger of that and the model size, rounded up to a multiple of the model
//     size) around the region's centre and shifted to lie inside the image where it fits. Parts
//     of the window outside the image are filled by mirroring the image (reflect-101), so the
//     model sees plausible context, not a black frame. Squaring instead of stretching keeps the
//     aspect ratio of the content (and of the blocks).
//  2. The model runs on the window at the image's own scale (the U-Net takes any multiple of its
//     size), so nothing is resampled; only a window larger than maxSide (8x the model size) is
//     resized down to maxSide and the output back up.
//  3. Paste with a feathered edge: the region mask is grown by ceil(feather/2) px (square) and
//     blurred with a Gaussian of radius ceil(feather/2) (featherMask). The alpha is exactly 1 on
//     the whole region (so no mosaic shows through at its edge), fades to 0 within about `feather`
//     px outside it, and is exactly 0 beyond: those pixels are never written, bit-identical.
//  4. Consistency (default on): the restored mosaic blocks' means are set to their colours
//     (enforceBlockMeans in smooth.ts); region pixels only.
import { type Channels, type Image, chwToImage, imageToCHW, resizeImage } from '../data/image.js';
import { featherMask } from '../mosaic/feather.js';
import type { Box } from '../mosaic/mask.js';
import type { Region } from './regions.js';
import { enforceBlockMeans, estimateGrid, mosaicPixels, smoothRegion, type RegionMosaic } from './smooth.js';

/** Runs the model on a size x size image with the model's channels; returns the same size. */
export type WindowModel = (window: Image) => Promise<Image>;

export interface RestoreImageOptions {
  /** The model's training size: the smallest window, and windows are multiples of it. */
  size: number;
  /** Windows larger than this are resized to it; default 8 * size. */
  maxSide?: number;
  /** Channels the model takes and gives (1 or 3). */
  modelChannels: 1 | 3;
  /** Context around each region, px; default 16. */
  margin?: number;
  /** Width of the blend band outside each region, px (0 = hard edge); default 8. */
  feather?: number;
  /** Replace each region by its block-grid smoothing before the model sees it (models trained with input 'smooth'). */
  smoothInput?: boolean;
  /**
   * Make each mosaic block's mean equal its colour (smooth.ts), in the smoothed input and after the
   * model; default true. Off for mosaics whose block colour is a sampled pixel ('center', 'random').
   */
  consistency?: boolean;
  /** Grid estimation: largest per-channel difference counted as equal (lossy inputs). */
  tolerance?: number;
}

/** Where a region's work happens. */
export interface RegionPlan {
  /** The square window (may extend past the image; that part is mirrored). */
  window: Box;
  /** Pixels that may change: the region box grown by the feather band, clipped to the image. */
  band: Box;
  /** Side the model runs at (the window side, or maxSide for a window resized down). */
  modelSide: number;
}

export const DEFAULT_MARGIN = 16;
export const DEFAULT_FEATHER = 8;

/** Half the feather, rounded up: the dilation and the blur radius; the band is twice this. */
const featherHalf = (feather: number): number => (feather > 0 ? Math.ceil(feather / 2) : 0);

/**
 * The window and the writable band of a region in a width x height image. The window side is
 * the grown region's longer side, at least `size`, rounded up to a multiple of `size` (the
 * model runs at the image's own scale; few distinct window sizes, so few compiled graphs).
 * Past `maxSide` (default 8 * size) the window keeps the exact side and is resized to maxSide.
 */
export function planRegion(box: Box, width: number, height: number, size: number, margin: number, feather: number, maxSide = 8 * size): RegionPlan {
  const bandPx = 2 * featherHalf(feather);
  const grow = Math.max(margin, bandPx);
  const need = Math.max(box.w + 2 * grow, box.h + 2 * grow, size);
  const side = need <= maxSide ? Math.ceil(need / size) * size : need;
  const place = (start: number, len: number, total: number): number => {
    const centred = Math.round(start + len / 2 - side / 2);
    return side <= total ? Math.min(Math.max(centred, 0), total - side) : Math.floor((total - side) / 2);
  };
  const window = { x: place(box.x, box.w, width), y: place(box.y, box.h, height), w: side, h: side };
  const bx0 = Math.max(0, box.x - bandPx), by0 = Math.max(0, box.y - bandPx);
  const bx1 = Math.min(width, box.x + box.w + bandPx), by1 = Math.min(height, box.y + box.h + bandPx);
  return { window, band: { x: bx0, y: by0, w: bx1 - bx0, h: by1 - by0 }, modelSide: side <= maxSide ? side : maxSide };
}

/** Reflect-101 index into 0..n-1 (…2 1 | 0 1 2 … n-1 | n-2 …), for any i. */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const p = 2 * n - 2;
  const j = ((i % p) + p) % p;
  return j < n ? j : p - j;
}

/** The window of `img` (mirrored past the border) in the model's channels. */
function cutWindow(img: Image, win: Box, nc: 1 | 3): Image {
  const { width: w, height: h, channels: c, data } = img;
  const out = new Uint8Array(win.w * win.h * nc);
  for (let y = 0; y < win.h; y++) {
    const sy = mirror(win.y + y, h);
    for (let x = 0; x < win.w; x++) {
      const sp = (sy * w + mirror(win.x + x, w)) * c;
      const dp = (y * win.w + x) * nc;
      if (nc === 3) {
        if (c === 1) out[dp] = out[dp + 1] = out[dp + 2] = data[sp];
        else for (let k = 0; k < 3; k++) out[dp + k] = data[sp + k];
      } else {
        out[dp] = c === 1 ? data[sp] : Math.round(0.299 * data[sp] + 0.587 * data[sp + 1] + 0.114 * data[sp + 2]);
      }
    }
  }
  return { width: win.w, height: win.h, channels: nc, data: out };
}

/** Chebyshev (square) dilation of a w x h mask by r px. */
function dilate(m: Uint8Array, w: number, h: number, r: number): Uint8Array {
  if (r <= 0) return m;
  const tmp = new Uint8Array(w * h), out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let d = Math.max(0, x - r); d <= Math.min(w - 1, x + r); d++) if (m[y * w + d]) { tmp[y * w + x] = 1; break; }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let d = Math.max(0, y - r); d <= Math.min(h - 1, y + r); d++) if (tmp[d * w + x]) { out[y * w + x] = 1; break; }
    }
  }
  return out;
}

/**
 * The alpha of a region over its box grown by the feather band (NOT clipped to the image, so a
 * region touching the image border still gets alpha 1 up to the border): 1 on the region, fading
 * over the band, 0 beyond. Returns the grown box and alpha (grown.w * grown.h).
 */
export function regionAlpha(region: Region, feather: number): { grown: Box; alpha: Float32Array } {
  const r = featherHalf(feather);
  const { box, local } = region;
  const grown = { x: box.x - 2 * r, y: box.y - 2 * r, w: box.w + 4 * r, h: box.h + 4 * r };
  const m = new Uint8Array(grown.w * grown.h);
  for (let y = 0; y < box.h; y++) {
    for (let x = 0; x < box.w; x++) if (local[y * box.w + x]) m[(y + 2 * r) * grown.w + (x + 2 * r)] = 1;
  }
  return { grown, alpha: featherMask({ width: grown.w, height: grown.h, data: dilate(m, grown.w, grown.h, r) }, r) };
}

/**
 * A copy of `img` with each region restored by `model`. Pixels where no region's alpha reaches
 * (farther than the feather band from every region) are bit-identical to `img`.
 */
export async function restoreImage(img: Image, regions: readonly Region[], model: WindowModel, o: RestoreImageOptions): Promise<Image> {
  const margin = o.margin ?? DEFAULT_MARGIN, feather = o.feather ?? DEFAULT_FEATHER;
  if (!(margin >= 0) || !(feather >= 0)) throw new Error(`margin and feather must be >= 0, got ${margin} and ${feather}`);
  let out: Image = { ...img, data: img.data.slice() };
  const c = img.channels;
  const colour = Math.min(c, 3);
  const consistency = o.consistency ?? true;
  for (const region of regions) {
    const { window: win, band, modelSide } = planRegion(region.box, img.width, img.height, o.size, margin, feather, o.maxSide);
    const reference = consistency ? { ...out, data: out.data.slice() } : out;
    let source = out;
    let found: RegionMosaic | null = null;
    if (o.smoothInput) ({ image: source, found } = await smoothRegion(out, region, o.tolerance ?? 0, consistency));
    else if (consistency) {
      const grid = estimateGrid(out, region, o.tolerance ?? 0);
      if (grid) found = { grid, mosaic: mosaicPixels(out, region, grid, o.tolerance ?? 0) };
    }
    let input = cutWindow(source, win, o.modelChannels);
    if (modelSide !== win.w) input = await resizeImage(input, modelSide, modelSide, 'bicubic');
    let res = await model(input);
    if (res.width !== modelSide || res.height !== modelSide || res.channels !== o.modelChannels) {
      throw new Error(`model gave a ${res.width}x${res.height}x${res.channels} image for a ${modelSide}x${modelSide}x${o.modelChannels} input`);
    }
    if (modelSide !== win.w) res = await resizeImage(res, win.w, win.h, 'bicubic');
    const { grown, alpha } = regionAlpha(region, feather);
    const nc = o.modelChannels;
    const value = new Float64Array(colour);
    for (let y = 0; y < band.h; y++) {
      for (let x = 0; x < band.w; x++) {
        const ix = band.x + x, iy = band.y + y;
        const a = alpha[(iy - grown.y) * grown.w + (ix - grown.x)];
        if (a === 0) continue;
        const rp = ((iy - win.y) * win.w + (ix - win.x)) * nc;
        if (nc === 3 && c === 1) value[0] = (res.data[rp] + res.data[rp + 1] + res.data[rp + 2]) / 3;
        else for (let k = 0; k < colour; k++) value[k] = res.data[rp + (nc === 3 ? k : 0)];
        const p = (iy * img.width + ix) * c;
        for (let k = 0; k < colour; k++) out.data[p + k] = a === 1 ? Math.round(value[k]) : Math.round(out.data[p + k] * (1 - a) + value[k] * a);
      }
    }
    // Region pixels only (alpha is 1 there), so the feather band and beyond stay as blended.
    if (consistency && found && c === 3) enforceBlockMeans(out, reference, found.mosaic, region.box, found.grid);
  }
  return out;
}

/** A WindowModel from a translator-like runner on [-1, 1] CHW tensors. */
export function windowModel(run: (x: Float32Array, shape: readonly number[]) => Promise<Float32Array>, outChannels: Channels): WindowModel {
  return async (window) => {
    const x = imageToCHW(window);
    const y = await run(x.data, [1, ...x.shape]);
    return chwToImage({ shape: [outChannels, window.height, window.width], data: y });
  };
}
