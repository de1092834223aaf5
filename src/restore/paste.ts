// The alpha a restored region is pasted with: exactly 1 on the region (no mosaic shows through
// at its edge), fading to 0 over a band of `feather` px outside it, and exactly 0 beyond (those
// pixels are never written, so they stay bit-identical).
import { featherMask } from '../mosaic/feather.js';
import type { Box } from '../mosaic/mask.js';
import type { Region } from './regions.js';

/** Default width of the blend band outside each region, px. */
export const DEFAULT_FEATHER = 8;

/** Half the feather, rounded up: the dilation and the blur radius; the band is twice this. */
export const featherHalf = (feather: number): number => (feather > 0 ? Math.ceil(feather / 2) : 0);

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
