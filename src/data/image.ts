// Image IO through sharp (Node only). Pixels live in a plain HWC Uint8Array (image-core.ts, pure,
// shared with the browser page) so the mosaic code and the tensor conversions never depend on
// sharp's types.
import sharp from 'sharp';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { checkImage, type Channels, type Image } from './image-core.js';
import { DEFAULT_MAX_IMAGE_PIXELS, pixelLimitMessage } from '../util/limits.js';

export * from './image-core.js';

export interface ReadImageOptions {
  /** Convert to 1 (grey), 3 (RGB) or 4 (RGBA) channels; default: keep the file's (grey+alpha becomes RGBA). */
  channels?: Channels;
  /**
   * Refuse images of more pixels (checked from the header, before decoding); default
   * DEFAULT_MAX_IMAGE_PIXELS (40 MP). A small file can claim 16383 x 16383 and decode to 0.8 GB.
   */
  maxPixels?: number;
}

/** Extensions `writeImage` accepts, mapped to the sharp encoder. */
const FORMATS: Record<string, 'png' | 'jpeg' | 'webp'> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };

/** File extensions treated as images when scanning folders. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.bmp', '.tif', '.tiff', '.gif'];

/** True when the path has an image extension (see IMAGE_EXTENSIONS). */
export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(path).toLowerCase());
}

/**
 * Decodes an encoded image (any format sharp reads) into raw pixels, EXIF-oriented.
 * `name` is only used in the error message: `cannot read image <name>: <reason>`. Images over
 * `opts.maxPixels` are refused from their header (every job reading images, restoration too).
 */
export async function decodeImage(bytes: Uint8Array, name: string, opts: ReadImageOptions = {}): Promise<Image> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  try {
    const meta = await sharp(bytes).metadata();
    if (meta.width !== undefined && meta.height !== undefined && meta.width * meta.height > maxPixels) {
      throw new Error(pixelLimitMessage(meta.width, meta.height, maxPixels, 'maxImagePixels'));
    }
    // sharp checks the same limit itself while decoding (formats whose header can lie).
    let pipe = sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels }).autoOrient();
    const srcChannels = meta.channels ?? 3;
    const want: Channels = opts.channels ?? (srcChannels === 1 ? 1 : srcChannels === 3 ? 3 : 4);
    if (want === 1) pipe = pipe.removeAlpha().toColourspace('b-w');
    else if (want === 3) pipe = pipe.removeAlpha().toColourspace('srgb');
    else pipe = pipe.ensureAlpha().toColourspace('srgb');
    const { data, info } = await pipe.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== want) throw new Error(`decoder gave ${info.channels} channels, expected ${want}`);
    return { width: info.width, height: info.height, channels: want, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    const why = /exceeds pixel limit/i.test(reason(err))
      ? `more than ${maxPixels} pixels, the limit (raise it with maxImagePixels / --max-image-pixels)`
      : reason(err);
    throw new Error(`cannot read image ${name}: ${why}`);
  }
}

/** Reads an image file. Errors read `cannot read image <path>: <reason>`. */
export async function readImage(path: string, opts: ReadImageOptions = {}): Promise<Image> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read image ${path}: ${reason(err)}`);
  }
  return decodeImage(bytes, path, opts);
}

/** Encodes `img` as png, jpeg or webp (quality applies to jpeg/webp). */
export async function encodeImage(img: Image, format: 'png' | 'jpeg' | 'webp', quality = 95): Promise<Buffer> {
  checkImage(img);
  let pipe = sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
  // Without this sharp widens one-channel input to sRGB on output.
  if (img.channels === 1) pipe = pipe.toColourspace('b-w');
  if (format === 'png') return pipe.png().toBuffer();
  // JPEG has no alpha: drop it rather than let the encoder flatten onto black silently.
  if (format === 'jpeg') return pipe.removeAlpha().jpeg({ quality }).toBuffer();
  return pipe.webp({ quality }).toBuffer();
}

/**
 * Writes `img` to `path`; the format comes from the extension (.png, .jpg/.jpeg, .webp).
 * Atomic (writeFileAtomic): a crash or an encoder error never leaves a partial file. Parent
 * folders are created.
 */
export async function writeImage(path: string, img: Image, opts: { quality?: number } = {}): Promise<void> {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format) throw new Error(`cannot write image ${path}: unsupported extension (use .png, .jpg or .webp)`);
  let bytes: Buffer;
  try {
    bytes = await encodeImage(img, format, opts.quality);
  } catch (err) {
    throw new Error(`cannot write image ${path}: ${reason(err)}`);
  }
  await writeFileAtomic(path, bytes);
}

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/^Input buffer contains unsupported image format$/, 'not an image (unsupported or unrecognised format)');
}

export { imageToCHW, chwToImage, firstImage } from './image-tensor.js';
export { resizeImage } from './image-ops.js';
export type { ResizeKernel } from './image-ops.js';
