// Conversions between 8-bit HWC images and the float CHW tensors the GAN models
// take: x/127.5 - 1 maps 0..255 onto [-1, 1] (pix2pix/CycleGAN convention).
import { floatTensor, type HostTensor } from '../io/host-tensor.js';
import type { Channels, Image } from './image-core.js';

/** An 8-bit image as a float32 tensor of shape [C, H, W] with values x/127.5 - 1 in [-1, 1]. */
export function imageToCHW(img: Image): HostTensor & { data: Float32Array } {
  const { width: w, height: h, channels: c, data } = img;
  const out = new Float32Array(c * h * w);
  const plane = h * w;
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < c; k++) out[k * plane + i] = data[i * c + k] / 127.5 - 1;
  }
  return floatTensor([c, h, w], out);
}

/**
 * The inverse of imageToCHW: shape [C, H, W] or [1, C, H, W], values in [-1, 1]
 * (clamped), rounded to the nearest 8-bit level. C must be 1, 3 or 4.
 */
export function chwToImage(t: { shape: readonly number[]; data: ArrayLike<number> }): Image {
  const shape = t.shape.length === 4 && t.shape[0] === 1 ? t.shape.slice(1) : t.shape;
  if (shape.length !== 3) throw new Error(`chwToImage: expected shape [C,H,W] or [1,C,H,W], got [${t.shape.join(', ')}]`);
  const [c, h, w] = shape;
  if (c !== 1 && c !== 3 && c !== 4) throw new Error(`chwToImage: ${c} channels (need 1, 3 or 4)`);
  if (t.data.length !== c * h * w) throw new Error(`chwToImage: data has ${t.data.length} values, shape needs ${c * h * w}`);
  const out = new Uint8Array(c * h * w);
  const plane = h * w;
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < c; k++) {
      const v = Math.round((t.data[k * plane + i] + 1) * 127.5);
      out[i * c + k] = v < 0 ? 0 : v > 255 ? 255 : v; // NaN also lands on 0 via the Uint8Array store
    }
  }
  return { width: w, height: h, channels: c as Channels, data: out };
}

/** The first image of a [N, C, H, W] batch as an 8-bit image. */
export function firstImage(t: { shape: readonly number[]; data: Float32Array }): Image {
  const [, c, h, w] = t.shape;
  return chwToImage({ shape: [c, h, w], data: t.data.subarray(0, c * h * w) });
}
