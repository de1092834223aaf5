// Geometry on 8-bit images: crop, paste, side-by-side concat, and resizing via sharp.
import sharp from 'sharp';
import type { Image } from './image.js';

export type ResizeKernel = 'bicubic' | 'bilinear' | 'nearest';

const KERNELS = { bicubic: 'cubic', bilinear: 'linear', nearest: 'nearest' } as const;

/** Copies the w x h rectangle at (x, y); it must lie inside the image. */
export function cropImage(img: Image, x: number, y: number, w: number, h: number): Image {
  if (!Number.isInteger(x) || !Number.isInteger(y) || !Number.isInteger(w) || !Number.isInteger(h) ||
      x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > img.width || y + h > img.height) {
    throw new Error(`cropImage: rectangle ${x},${y},${w},${h} is not inside the ${img.width}x${img.height} image`);
  }
  const c = img.channels;
  const out = new Uint8Array(w * h * c);
  for (let r = 0; r < h; r++) {
    const from = ((y + r) * img.width + x) * c;
    out.set(img.data.subarray(from, from + w * c), r * w * c);
  }
  return { width: w, height: h, channels: c, data: out };
}

/** Pastes `src` into `dst` with its top-left corner at (x, y), clipped to `dst`; modifies and returns `dst`. */
export function pasteImage(dst: Image, src: Image, x: number, y: number): Image {
  if (src.channels !== dst.channels) throw new Error(`pasteImage: ${src.channels} channels into ${dst.channels}`);
  const c = dst.channels;
  const x0 = Math.max(0, x), x1 = Math.min(dst.width, x + src.width);
  const y0 = Math.max(0, y), y1 = Math.min(dst.height, y + src.height);
  if (x1 <= x0) return dst;
  for (let yy = y0; yy < y1; yy++) {
    const from = ((yy - y) * src.width + (x0 - x)) * c;
    dst.data.set(src.data.subarray(from, from + (x1 - x0) * c), (yy * dst.width + x0) * c);
  }
  return dst;
}

/** Images of equal height and channels, placed left to right. */
export function hconcat(images: readonly Image[]): Image {
  const first = images[0];
  if (!first) throw new Error('hconcat: no images');
  for (const im of images) {
    if (im.height !== first.height || im.channels !== first.channels) {
      throw new Error(`hconcat: ${im.width}x${im.height}x${im.channels} does not match height ${first.height}, ${first.channels} channels`);
    }
  }
  const width = images.reduce((s, im) => s + im.width, 0);
  const out: Image = { width, height: first.height, channels: first.channels, data: new Uint8Array(width * first.height * first.channels) };
  let x = 0;
  for (const im of images) {
    pasteImage(out, im, x, 0);
    x += im.width;
  }
  return out;
}

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
