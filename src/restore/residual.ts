// Residual targets. A restoration model mostly has to copy its input (everything outside the
// mosaic, and the mean colour of every block), which a pix2pix U-Net learns slowly: it has no
// full-resolution skip connection, so a plain 'image' model first spends thousands of steps on
// reproducing the input and shifts colours meanwhile. With target 'residual' the model is trained
// to output B = 128 + (clean - mosaicked) (an 8-bit image, grey where nothing changes) and
// `restore apply` adds that to its input: copying is then "output grey", the initial state, and
// all training goes into what the mosaic removed (as residual super-resolution networks do).
import type { Image } from '../data/image.js';

export const RESTORE_TARGETS = ['residual', 'image'] as const;
export type RestoreTarget = (typeof RESTORE_TARGETS)[number];

/** The grey level that means "no change". */
export const RESIDUAL_OFFSET = 128;

const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** 128 + (clean - mosaicked), clamped to 0..255 (exact for differences in -128..127). */
export function encodeResidual(mosaicked: Image, clean: Image): Image {
  if (mosaicked.width !== clean.width || mosaicked.height !== clean.height || mosaicked.channels !== clean.channels) {
    throw new Error(`encodeResidual: ${mosaicked.width}x${mosaicked.height}x${mosaicked.channels} vs ${clean.width}x${clean.height}x${clean.channels}`);
  }
  const data = new Uint8Array(clean.data.length);
  for (let i = 0; i < data.length; i++) data[i] = clamp8(RESIDUAL_OFFSET + clean.data[i] - mosaicked.data[i]);
  return { ...clean, data };
}

/** input + (residual - 128), clamped: the restored image from a residual model's output. */
export function applyResidual(input: Image, residual: Image): Image {
  if (input.width !== residual.width || input.height !== residual.height || input.channels !== residual.channels) {
    throw new Error(`applyResidual: ${input.width}x${input.height}x${input.channels} vs ${residual.width}x${residual.height}x${residual.channels}`);
  }
  const data = new Uint8Array(input.data.length);
  for (let i = 0; i < data.length; i++) data[i] = clamp8(input.data[i] + residual.data[i] - RESIDUAL_OFFSET);
  return { ...input, data };
}
