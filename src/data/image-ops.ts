// Resizing 8-bit images via sharp (Node only). Crop, paste and side-by-side concat are pure
// (image-core.ts) and re-exported here.
import sharp from 'sharp';
import type { Image } from './image-core.js';

export { cropImage, pasteImage, hconcat } from './image-core.js';

export type ResizeKernel = 'bicubic' | 'bilinear' | 'nearest';

const KERNELS = { bicubic: 'cubic', bilinear: 'linear', nearest: 'nearest' } as const;

/** Resizes to exactly width x height (aspect ratio not kept) with the given kernel (default bicubic). */
export async function resizeImage(img: Image, width: number, height: number, kernel: ResizeKernel = 'bicubic'): Promise<Image> {
  if (width === img.width && height === img.height) return { ...img, data: img.data.slice() };
  let pipe = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .resize(width, height, { kernel: KERNELS[kernel], fit: 'fill' });
  // Without this sharp widens one-channel input to sRGB on output.
  if (img.channels === 1) pipe = pipe.toColourspace('b-w');
  const { data, info } = await pipe
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== img.channels) throw new Error(`resizeImage: got ${info.channels} channels back, expected ${img.channels}`);
  return { width: info.width, height: info.height, channels: img.channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
