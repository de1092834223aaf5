// The reference preprocessing (base_dataset.py get_params / get_transform): resize or scale the
// width, crop, make sizes a multiple of 4, flip, then map 0..255 to [-1, 1] as a CHW tensor.
import type { HostTensor } from '../io/host-tensor.js';
import { DEFAULT_MAX_IMAGE_PIXELS, pixelLimitMessage } from '../util/limits.js';
import { createImage, imageToCHW, pasteImage, resizeImage as resizeColour, type Channels, type Image } from './image.js';

/** The `--preprocess` modes of the reference. */
export const PREPROCESS_MODES = ['resize_and_crop', 'crop', 'scale_width', 'scale_width_and_crop', 'none'] as const;
export type Preprocess = (typeof PREPROCESS_MODES)[number];

/** The options that shape preprocessing (reference: --preprocess, --load_size, --crop_size, --no_flip). */
export interface TransformOptions {
  preprocess: Preprocess;
  /** Scale images to this size (resize_*) or width (scale_width*). Reference default 286. */
  loadSize: number;
  /** Then crop to this square size. Reference default 256. */
  cropSize: number;
  /** Disable the random horizontal flip. */
  noFlip: boolean;
  /** Largest image made on the way (a resize to loadSize, a crop); default DEFAULT_MAX_IMAGE_PIXELS. */
  maxImagePixels?: number;
}

/** The reference's training defaults. */
export const DEFAULT_TRANSFORM_OPTIONS: Readonly<TransformOptions> = {
  preprocess: 'resize_and_crop',
  loadSize: 286,
  cropSize: 256,
  noFlip: false,
};

/** The randomness the transforms draw from; src/util/rng.ts's Rng satisfies it. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  random(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/** One draw of the random choices, shared by A and B of an aligned pair (reference get_params). */
export interface TransformParams {
  /** Top-left corner of the crop, in the scaled image. */
  x: number;
  y: number;
  flip: boolean;
}

/** A float32 [C, H, W] tensor. */
export type FloatTensor = HostTensor & { data: Float32Array };

/** Throws when the options are inconsistent, as the reference asserts load_size >= crop_size. */
export function checkTransformOptions(opt: TransformOptions): void {
  if (!PREPROCESS_MODES.includes(opt.preprocess)) {
    throw new Error(`unknown preprocess mode '${opt.preprocess}'; use one of ${PREPROCESS_MODES.join(', ')}`);
  }
  for (const [k, v] of [['loadSize', opt.loadSize], ['cropSize', opt.cropSize]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer, got ${v}`);
  }
  if (opt.preprocess === 'resize_and_crop' && opt.loadSize < opt.cropSize) {
    throw new Error(`load size ${opt.loadSize} is smaller than crop size ${opt.cropSize}`);
  }
  const max = opt.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (opt.preprocess === 'resize_and_crop' && opt.loadSize * opt.loadSize > max) {
    throw new Error(`load size ${opt.loadSize}: ${pixelLimitMessage(opt.loadSize, opt.loadSize, max, 'maxImagePixels')}`);
  }
  if (opt.preprocess !== 'none' && opt.preprocess !== 'scale_width' && opt.cropSize * opt.cropSize > max) {
    throw new Error(`crop size ${opt.cropSize}: ${pixelLimitMessage(opt.cropSize, opt.cropSize, max, 'maxImagePixels')}`);
  }
}

/** Throws before an image of width x height is made on the way, when it is over the limit. */
function checkSize(opt: TransformOptions, width: number, height: number, what: string): void {
  const max = opt.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
  if (width * height > max) throw new Error(`${what}: ${pixelLimitMessage(width, height, max, 'maxImagePixels')}`);
}

/**
 * Draws crop position and flip for an image of `size` before scaling, exactly like the
 * reference: x, y uniform in [0, max(0, scaled - crop)] inclusive, then flip = random() > 0.5.
 * It draws all three even when the mode neither crops nor flips, so streams stay aligned.
 */
export function getParams(opt: TransformOptions, size: { width: number; height: number }, rng: RandomSource): TransformParams {
  let newW = size.width;
  let newH = size.height;
  if (opt.preprocess === 'resize_and_crop') {
    newW = newH = opt.loadSize;
  } else if (opt.preprocess === 'scale_width_and_crop') {
    newW = opt.loadSize;
    newH = Math.floor((opt.loadSize * size.height) / size.width);
  }
  const x = rng.int(Math.max(0, newW - opt.cropSize) + 1);
  const y = rng.int(Math.max(0, newH - opt.cropSize) + 1);
  const flip = rng.random() > 0.5;
  return { x, y, flip };
}

/** Options of {@link transformImage} beyond the preprocessing ones. */
export interface TransformRunOptions {
  /** Called when 'none' had to resize to a multiple of 4 (the reference prints this once). */
  warn?: (message: string) => void;
}

/**
 * Applies the reference transform to `img` with fixed `params` and returns a [C, H, W] float
 * tensor in [-1, 1], C = `channels` (1: grey by PIL's ITU-R 601 weights, 3: RGB, 4: RGBA).
 * Order as in get_transform: grey, resize or scale width, crop, multiple of 4, flip, normalize.
 */
export async function transformImage(
  img: Image,
  opt: TransformOptions,
  params: TransformParams,
  channels: Channels,
  run: TransformRunOptions = {},
): Promise<FloatTensor> {
  let out = toChannels(img, channels);
  const mode = opt.preprocess;
  if (mode === 'resize_and_crop') {
    checkSize(opt, opt.loadSize, opt.loadSize, `load size ${opt.loadSize}`);
    out = await resizeBicubic(out, opt.loadSize, opt.loadSize);
  } else if (mode === 'scale_width' || mode === 'scale_width_and_crop') {
    const h = Math.max(opt.cropSize, Math.floor((opt.loadSize * out.height) / out.width));
    checkSize(opt, opt.loadSize, h, `load size ${opt.loadSize} (scale_width)`);
    out = await scaleWidth(out, opt.loadSize, opt.cropSize);
  }
  if (mode === 'resize_and_crop' || mode === 'crop' || mode === 'scale_width_and_crop') {
    checkSize(opt, opt.cropSize, opt.cropSize, `crop size ${opt.cropSize}`);
    out = cropPadded(out, params.x, params.y, opt.cropSize);
  }
  if (mode === 'none') out = await makeMultipleOf(out, 4, run.warn);
  if (!opt.noFlip && params.flip) out = flipHorizontal(out);
  return imageToCHW(out);
}

/**
 * Converts to 1, 3 or 4 channels like PIL's convert: RGBA to RGB drops alpha, RGB to L uses
 * L = (19595 R + 38470 G + 7471 B + 2^15) >> 16, grey to RGB replicates, alpha added is 255.
 */
export function toChannels(img: Image, channels: Channels): Image {
  if (img.channels === channels) return img;
  const n = img.width * img.height;
  const src = img.data;
  const c = img.channels;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const r = src[i * c];
    const g = c >= 3 ? src[i * c + 1] : r;
    const b = c >= 3 ? src[i * c + 2] : r;
    if (channels === 1) {
      out[i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    } else {
      out[i * channels] = r;
      out[i * channels + 1] = g;
      out[i * channels + 2] = b;
      if (channels === 4) out[i * 4 + 3] = c === 4 ? src[i * 4 + 3] : 255;
    }
  }
  return { width: img.width, height: img.height, channels, data: out };
}

/** Reference __scale_width: width becomes `target`, height keeps the aspect but is at least `cropSize`. */
export async function scaleWidth(img: Image, target: number, cropSize: number): Promise<Image> {
  if (img.width === target && img.height >= cropSize) return img;
  const h = Math.floor(Math.max((target * img.height) / img.width, cropSize));
  return resizeBicubic(img, target, h);
}

/**
 * Reference __crop: a size x size square at (x, y) when the image is larger than `size` in
 * either dimension, else the image unchanged. Like PIL, area outside the image is black (0).
 */
export function cropPadded(img: Image, x: number, y: number, size: number): Image {
  if (!(img.width > size || img.height > size)) return img;
  if (x >= 0 && y >= 0 && x + size <= img.width && y + size <= img.height) {
    const c = img.channels;
    const out = new Uint8Array(size * size * c);
    for (let r = 0; r < size; r++) {
      const from = ((y + r) * img.width + x) * c;
      out.set(img.data.subarray(from, from + size * c), r * size * c);
    }
    return { width: size, height: size, channels: img.channels, data: out };
  }
  return pasteImage(createImage(size, size, img.channels), img, -x, -y);
}

/**
 * Reference __make_power_2: rounds each side to the nearest multiple of `base` (Python's
 * round, ties to even) and resizes bicubically if that changed anything.
 */
export async function makeMultipleOf(img: Image, base: number, warn?: (message: string) => void): Promise<Image> {
  const w = Math.max(base, roundHalfEven(img.width / base) * base);
  const h = Math.max(base, roundHalfEven(img.height / base) * base);
  if (w === img.width && h === img.height) return img;
  warn?.(
    `The image size needs to be a multiple of ${base}. The loaded image size was (${img.width}, ${img.height}), ` +
      `so it was adjusted to (${w}, ${h}). This adjustment will be done to all images whose sizes are not multiples of ${base}`,
  );
  return resizeBicubic(img, w, h);
}

/** Mirrors left to right. */
export function flipHorizontal(img: Image): Image {
  const { width: w, height: h, channels: c, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    const row = y * w * c;
    for (let x = 0; x < w; x++) {
      const from = row + x * c;
      const to = row + (w - 1 - x) * c;
      for (let k = 0; k < c; k++) out[to + k] = data[from + k];
    }
  }
  return { width: w, height: h, channels: c, data: out };
}

/**
 * Bicubic resize for 1, 3 or 4 channels. Grey goes through RGB because sharp hands single-channel
 * raw input back as sRGB; each channel is resized independently, so channel 0 is the grey result.
 */
export async function resizeBicubic(img: Image, width: number, height: number): Promise<Image> {
  if (img.channels !== 1) return resizeColour(img, width, height, 'bicubic');
  const rgb = await resizeColour(toChannels(img, 3), width, height, 'bicubic');
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = rgb.data[i * 3];
  return { width, height, channels: 1, data: out };
}

/** Python 3's round(): halves go to the even neighbour. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
