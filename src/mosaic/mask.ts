// Binary masks: one byte per pixel, 1 = inside the region, 0 = outside. Pure (the browser page
// uses it); reading a mask file is mask-file.ts.
import type { Image } from '../data/image-core.js';

/** A binary mask, row-major: data[y * width + x] is 1 inside the region, 0 outside. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An axis-aligned rectangle in pixels; x, y is the top-left corner. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** An empty (all 0) mask. */
export function createMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}

/** Number of pixels inside the mask. */
export function maskArea(mask: Mask): number {
  let n = 0;
  for (let i = 0; i < mask.data.length; i++) n += mask.data[i] ? 1 : 0;
  return n;
}

/** Tight bounding box of the inside pixels, or null when the mask is empty. */
export function maskBoundingBox(mask: Mask): Box | null {
  let x0 = mask.width, y0 = mask.height, x1 = -1, y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (!mask.data[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** Pixel-wise OR of masks of equal size, into a new mask. */
export function unionMasks(width: number, height: number, masks: readonly Mask[]): Mask {
  const out = createMask(width, height);
  for (const m of masks) {
    if (m.width !== width || m.height !== height) throw new Error(`unionMasks: mask ${m.width}x${m.height} is not ${width}x${height}`);
    for (let i = 0; i < out.data.length; i++) if (m.data[i]) out.data[i] = 1;
  }
  return out;
}

/** A mask from a greyscale image (first channel): values > 127 are inside. */
export function maskFromImage(img: Image): Mask {
  const out = createMask(img.width, img.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = img.data[i * img.channels] > 127 ? 1 : 0;
  return out;
}

/** The mask as a black/white single-channel image (inside = 255), e.g. for saving. */
export function maskToImage(mask: Mask): Image {
  const data = new Uint8Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = mask.data[i] ? 255 : 0;
  return { width: mask.width, height: mask.height, channels: 1, data };
}
