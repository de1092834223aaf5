// Image quality metrics for restoration, optionally restricted to a mask.
//
// PSNR: on 8-bit values (peak 255) over every channel of the selected pixels:
//   10 * log10(255^2 / MSE); identical inputs give Infinity.
// SSIM (Wang et al. 2004) with the standard settings: an 11x11 Gaussian window with
// sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255, computed PER CHANNEL and averaged over the
// channels (like scikit-image's structural_similarity with channel_axis and
// gaussian_weights=True). The SSIM map is computed at every pixel ("same" size); near the
// image border the window is cut at the border and its weights renormalised, so no pixel is
// dropped. With a mask, the map is averaged over the mask's pixels only; the windows still
// see the pixels around them (that is what "SSIM inside the region" means here).
import type { Image } from '../data/image-core.js';
import type { Mask } from '../mosaic/mask.js';

export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;

function checkPair(a: Image, b: Image, mask?: Mask): void {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`metrics: images differ in size: ${a.width}x${a.height}x${a.channels} vs ${b.width}x${b.height}x${b.channels}`);
  }
  if (mask && (mask.width !== a.width || mask.height !== a.height)) {
    throw new Error(`metrics: mask is ${mask.width}x${mask.height} but the images are ${a.width}x${a.height}`);
  }
}

/** Mean squared error over all channels of the pixels inside `mask` (all pixels without one). */
export function mse(a: Image, b: Image, mask?: Mask): number {
  checkPair(a, b, mask);
  const c = a.channels;
  let sum = 0, n = 0;
  for (let p = 0; p < a.width * a.height; p++) {
    if (mask && !mask.data[p]) continue;
    for (let k = 0; k < c; k++) {
      const d = a.data[p * c + k] - b.data[p * c + k];
      sum += d * d;
    }
    n += c;
  }
  if (n === 0) throw new Error('metrics: the mask selects no pixel');
  return sum / n;
}

/** PSNR in dB on 8-bit values, inside `mask` if given; Infinity when identical there. */
export function psnr(a: Image, b: Image, mask?: Mask): number {
  const m = mse(a, b, mask);
  return m === 0 ? Infinity : 10 * Math.log10((255 * 255) / m);
}

/** The normalised 1-D Gaussian of the SSIM window. */
function gauss1d(size: number, sigma: number): Float64Array {
  const r = (size - 1) / 2;
  const k = new Float64Array(size);
  let s = 0;
  for (let i = 0; i < size; i++) s += k[i] = Math.exp(-((i - r) ** 2) / (2 * sigma * sigma));
  for (let i = 0; i < size; i++) k[i] /= s;
  return k;
}

/** Separable Gaussian filter with the window cut at the border and renormalised. */
function blur(src: Float64Array, w: number, h: number, k: Float64Array): Float64Array {
  const r = (k.length - 1) / 2;
  const tmp = new Float64Array(w * h);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0, ws = 0;
      for (let d = -r; d <= r; d++) {
        const xx = x + d;
        if (xx < 0 || xx >= w) continue;
        s += k[d + r] * src[y * w + xx];
        ws += k[d + r];
      }
      tmp[y * w + x] = s / ws;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0, ws = 0;
      for (let d = -r; d <= r; d++) {
        const yy = y + d;
        if (yy < 0 || yy >= h) continue;
        s += k[d + r] * tmp[yy * w + x];
        ws += k[d + r];
      }
      out[y * w + x] = s / ws;
    }
  }
  return out;
}

/** The SSIM map of one channel (values in [-1, 1], 1 where the windows are identical). */
export function ssimMap(a: Image, b: Image, channel: number): Float64Array {
  checkPair(a, b);
  const { width: w, height: h, channels: c } = a;
  const n = w * h;
  const x = new Float64Array(n), y = new Float64Array(n), xx = new Float64Array(n), yy = new Float64Array(n), xy = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const u = a.data[p * c + channel], v = b.data[p * c + channel];
    x[p] = u;
    y[p] = v;
    xx[p] = u * u;
    yy[p] = v * v;
    xy[p] = u * v;
  }
  const k = gauss1d(SSIM_WINDOW, SSIM_SIGMA);
  const mx = blur(x, w, h, k), my = blur(y, w, h, k), sxx = blur(xx, w, h, k), syy = blur(yy, w, h, k), sxy = blur(xy, w, h, k);
  const C1 = (SSIM_K1 * 255) ** 2, C2 = (SSIM_K2 * 255) ** 2;
  const out = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const vx = sxx[p] - mx[p] * mx[p], vy = syy[p] - my[p] * my[p], cxy = sxy[p] - mx[p] * my[p];
    out[p] = ((2 * mx[p] * my[p] + C1) * (2 * cxy + C2)) / ((mx[p] * mx[p] + my[p] * my[p] + C1) * (vx + vy + C2));
  }
  return out;
}

/** Mean SSIM, averaged over channels and over the pixels inside `mask` (all pixels without one). */
export function ssim(a: Image, b: Image, mask?: Mask): number {
  checkPair(a, b, mask);
  let total = 0;
  for (let ch = 0; ch < a.channels; ch++) {
    const map = ssimMap(a, b, ch);
    let s = 0, n = 0;
    for (let p = 0; p < map.length; p++) {
      if (mask && !mask.data[p]) continue;
      s += map[p];
      n++;
    }
    if (n === 0) throw new Error('metrics: the mask selects no pixel');
    total += s / n;
  }
  return total / a.channels;
}
