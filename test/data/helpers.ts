// Shared fixtures for the data tests: temp folders and small synthetic images.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Channels, Image } from '../../src/data/image.js';

/** A fresh temp folder; remove it with the returned cleanup. */
export async function tempDir(prefix = 'img2img-data-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** An image whose pixel (x, y, c) is fn(x, y, c). */
export function makeImage(width: number, height: number, channels: Channels, fn: (x: number, y: number, c: number) => number): Image {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = fn(x, y, c);
    }
  }
  return { width, height, channels, data };
}

/** A pattern with no symmetry, so a wrong crop offset or flip changes it. */
export const pattern = (x: number, y: number, c: number): number => (x * 7 + y * 13 + c * 50 + ((x * y) % 11)) % 256;

/** PNG bytes of an image. */
export function png(img: Image): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } }).png().toBuffer();
}

/** PNG bytes of incompressible noise (makes archives big enough to cut in half). */
export function noisePng(size: number, seed = 1): Promise<Buffer> {
  let s = seed >>> 0 || 1;
  return png(makeImage(size, size, 3, () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s & 255;
  }));
}
