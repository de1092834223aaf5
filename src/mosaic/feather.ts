// Feathered mosaic edges: the binary mask is blurred with a truncated Gaussian and
// used as alpha. The kernel is cut at `radius` (sigma = radius / 3), so alpha is
// exactly 0 farther than `radius` px (Chebyshev distance) from the mask and the
// pixels there are never touched.
import { maskBoundingBox, type Mask } from './mask.js';

/**
 * Largest feather radius: the kernel has 2r+1 weights (--feather 1e9 asked for 16 GB), and a
 * radius beyond the image's size only fades the whole image.
 */
export const MAX_FEATHER_RADIUS = 10_000;

/** Gaussian weights for offsets -r..r (r = ceil(radius)), sigma = radius / 3, summing to 1. */
export function gaussianKernel(radius: number): Float64Array {
  if (!(radius <= MAX_FEATHER_RADIUS)) throw new Error(`feather radius ${radius} is over the limit of ${MAX_FEATHER_RADIUS} px`);
  const r = Math.ceil(radius);
  const sigma = Math.max(radius / 3, 1e-6);
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * Alpha in [0, 1] per pixel: the mask blurred by a separable Gaussian of the given radius
 * (pixels past the image border count as outside). radius <= 0 gives the mask itself.
 * Values within 1e-6 of 0 or 1 snap to exactly 0 or 1, so untouched pixels stay bit-identical.
 */
export function featherMask(mask: Mask, radius: number): Float32Array {
  const { width: w, height: h, data } = mask;
  const out = new Float32Array(w * h);
  if (!(radius > 0)) {
    for (let i = 0; i < out.length; i++) out[i] = data[i] ? 1 : 0;
    return out;
  }
  const box = maskBoundingBox(mask);
  if (!box) return out;
  const k = gaussianKernel(radius);
  const r = (k.length - 1) / 2;
  // Only the mask's box grown by r can be non-zero.
  const x0 = Math.max(0, box.x - r), x1 = Math.min(w, box.x + box.w + r);
  const y0 = Math.max(0, box.y - r), y1 = Math.min(h, box.y + box.h + r);
  const tmp = new Float64Array(w * h);
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = x0; x < x1; x++) {
      let s = 0;
      // Offsets outside the image add nothing: skip them (same sums, same order).
      for (let d = Math.max(-r, -x), dEnd = Math.min(r, w - 1 - x); d <= dEnd; d++) {
        if (data[y * w + x + d]) s += k[d + r];
      }
      tmp[y * w + x] = s;
    }
  }
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      let s = 0;
      for (let d = Math.max(-r, -y), dEnd = Math.min(r, h - 1 - y); d <= dEnd; d++) {
        s += k[d + r] * tmp[(y + d) * w + x];
      }
      out[y * w + x] = s < 1e-6 ? 0 : s > 1 - 1e-6 ? 1 : s;
    }
  }
  return out;
}
