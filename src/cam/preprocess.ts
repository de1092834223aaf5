// Image -> model input tensor. Two normalizations:
//  - 'default': x / 127.5 - 1, values in [-1, 1] (img2img's convention; `classifier train` uses it);
//  - 'imagenet': (x / 255 - mean) / std per channel, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)
//    (torchvision's pretrained classifiers).
// The image is resized (bilinear, aspect ratio not kept) to the model's input size.
import { resizeImage, type Image } from '../data/image.js';

export type Normalization = 'default' | 'imagenet';
export const NORMALIZATIONS: readonly Normalization[] = ['default', 'imagenet'];

const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];

export function parseNormalization(s: string): Normalization {
  if (!(NORMALIZATIONS as readonly string[]).includes(s)) throw new Error(`bad normalization "${s}": use ${NORMALIZATIONS.join(' or ')}`);
  return s as Normalization;
}

/** The image as 3-channel RGB (grey is replicated, alpha dropped); the same object when already RGB. */
export function toRgb(img: Image): Image {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const s = i * img.channels;
    if (img.channels === 1) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = img.data[s];
    else for (let c = 0; c < 3; c++) out[i * 3 + c] = img.data[s + c];
  }
  return { width: img.width, height: img.height, channels: 3, data: out };
}

/** HWC 8-bit RGB pixels of exactly the model size -> CHW float32 with the given normalization. */
export function normalizePixels(img: Image, norm: Normalization = 'default', channels: 1 | 3 = 3): Float32Array {
  const plane = img.width * img.height;
  const out = new Float32Array(channels * plane);
  const c0 = img.channels;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < channels; c++) {
      // Grey models get the mean of RGB.
      const v = channels === 1 && c0 >= 3 ? (img.data[i * c0] + img.data[i * c0 + 1] + img.data[i * c0 + 2]) / 3 : img.data[i * c0 + Math.min(c, c0 - 1)];
      out[c * plane + i] = norm === 'imagenet' ? (v / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c] : v / 127.5 - 1;
    }
  }
  return out;
}

/** Resizes `img` to width x height (bilinear) and normalizes it: a [1, C, H, W] input. */
export async function preprocessImage(img: Image, width: number, height: number, norm: Normalization = 'default', channels: 1 | 3 = 3): Promise<Float32Array> {
  const rgb = toRgb(img);
  const sized = rgb.width === width && rgb.height === height ? rgb : await resizeImage(rgb, width, height, 'bilinear');
  return normalizePixels(sized, norm, channels);
}
