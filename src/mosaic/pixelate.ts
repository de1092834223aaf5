// The mosaic itself: every block that touches the region gets one colour, written
// only onto the region's pixels (alpha-blended where the edge is feathered).
//
// Block colour per style, always computed over the WHOLE block (clipped to the image),
// not just its masked pixels: that is what a mosaic over a selection looks like in
// image editors, and it keeps the grid visible as a grid of uniform cells, which the
// locator relies on.
//  - average: per-channel mean of the block, rounded to nearest.
//  - center:  the pixel at (x0 + floor(w/2), y0 + floor(h/2)) of the clipped block.
//  - random:  one pixel of the block picked with the seeded RNG (blocks in raster order).
import { cloneImage, type Image } from '../data/image-core.js';
import { createRng } from '../util/rng.js';
import { forEachBlock, makeGrid, type GridAlign } from './blocks.js';
import { featherMask } from './feather.js';
import { maskBoundingBox, type Box, type Mask } from './mask.js';

export type MosaicStyle = 'average' | 'center' | 'random';
export const MOSAIC_STYLES: readonly MosaicStyle[] = ['average', 'center', 'random'];

/** `s` as a MosaicStyle; throws naming it and the styles there are. */
export function parseMosaicStyle(s: string): MosaicStyle {
  if (!(MOSAIC_STYLES as readonly string[]).includes(s)) throw new Error(`bad style "${s}": use ${MOSAIC_STYLES.join(', ')}`);
  return s as MosaicStyle;
}

/** Defaults of the optional pixelate options (also the `mosaic` jobs' defaults). */
export const PIXELATE_DEFAULTS = { blockAspect: 1, style: 'average', grid: 'image', feather: 0, seed: 0 } as const;

/** Options of `pixelate`. */
export interface PixelateOptions {
  /** Block height in pixels (see blockDims for the width). */
  blockSize: number;
  /** Block width / height, default 1. */
  blockAspect?: number;
  /** How each block's colour is chosen, default 'average'. */
  style?: MosaicStyle;
  /** Grid origin: (0,0) ('image', default) or the mask's bounding-box corner ('region'). */
  grid?: GridAlign;
  /** Feather radius in px (Gaussian-blurred mask as alpha); default 0 = hard edge. */
  feather?: number;
  /** Random source for style 'random'; default a seeded Rng(seed). */
  rng?: { random(): number };
  /** Seed used when no rng is given, default 0. */
  seed?: number;
}

/**
 * A copy of `img` with the pixels under `mask` pixelated. Pixels where the (feathered)
 * alpha is 0 are bit-identical to the input.
 */
export function pixelate(img: Image, mask: Mask, opts: PixelateOptions): Image {
  if (mask.width !== img.width || mask.height !== img.height) {
    throw new Error(`pixelate: mask is ${mask.width}x${mask.height} but the image is ${img.width}x${img.height}`);
  }
  const out = cloneImage(img);
  const region = maskBoundingBox(mask);
  if (!region) return out;
  const feather = opts.feather ?? PIXELATE_DEFAULTS.feather;
  const alpha = featherMask(mask, feather);
  const r = Math.ceil(Math.max(0, feather));
  const support: Box = { x: Math.max(0, region.x - r), y: Math.max(0, region.y - r), w: 0, h: 0 };
  support.w = Math.min(img.width, region.x + region.w + r) - support.x;
  support.h = Math.min(img.height, region.y + region.h + r) - support.y;
  const grid = makeGrid(opts.blockSize, opts.blockAspect ?? PIXELATE_DEFAULTS.blockAspect, opts.grid ?? PIXELATE_DEFAULTS.grid, region);
  const style = opts.style ?? PIXELATE_DEFAULTS.style;
  const rng = opts.rng ?? createRng(opts.seed ?? PIXELATE_DEFAULTS.seed);
  const { width: w, channels: c, data: src } = img;
  const dst = out.data;
  const colour = new Float64Array(c);

  forEachBlock(grid, support, img.width, img.height, (x0, y0, x1, y1) => {
    if (!anyAlpha(alpha, w, x0, y0, x1, y1)) return;
    blockColour(src, w, c, x0, y0, x1, y1, style, rng, colour);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const a = alpha[y * w + x];
        if (a === 0) continue;
        const p = (y * w + x) * c;
        for (let k = 0; k < c; k++) dst[p + k] = a === 1 ? colour[k] : Math.round(src[p + k] * (1 - a) + colour[k] * a);
      }
    }
  });
  return out;
}

function anyAlpha(alpha: Float32Array, w: number, x0: number, y0: number, x1: number, y1: number): boolean {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (alpha[y * w + x] > 0) return true;
  return false;
}

/** Writes the block's colour (integers 0..255) into `out`. */
function blockColour(src: Uint8Array, w: number, c: number, x0: number, y0: number, x1: number, y1: number,
  style: MosaicStyle, rng: { random(): number }, out: Float64Array): void {
  if (style === 'average') {
    out.fill(0);
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) for (let k = 0; k < c; k++) out[k] += src[(y * w + x) * c + k];
    }
    const n = (x1 - x0) * (y1 - y0);
    for (let k = 0; k < c; k++) out[k] = Math.round(out[k] / n);
    return;
  }
  let px: number, py: number;
  if (style === 'center') {
    px = x0 + Math.floor((x1 - x0) / 2);
    py = y0 + Math.floor((y1 - y0) / 2);
  } else if (style === 'random') {
    px = x0 + Math.floor(rng.random() * (x1 - x0));
    py = y0 + Math.floor(rng.random() * (y1 - y0));
  } else {
    throw new Error(`unknown mosaic style "${style as string}" (use average, center or random)`);
  }
  for (let k = 0; k < c; k++) out[k] = src[(py * w + px) * c + k];
}
