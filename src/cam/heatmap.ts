// Heatmaps: bilinear upsampling of a coarse class map, normalization to [0, 1], a jet-like
// colormap and the overlay blended over the image.
import type { Image } from '../data/image.js';
import { toRgb } from './preprocess.js';

/**
 * Bilinear resize of an h x w map to H x W with half-pixel centres (align_corners = false,
 * edges clamped), as torch.nn.functional.interpolate and cv2.resize do.
 */
export function upsampleBilinear(src: ArrayLike<number>, h: number, w: number, H: number, W: number): Float32Array {
  if (src.length !== h * w) throw new Error(`upsampleBilinear: ${src.length} values for a ${w}x${h} map`);
  const out = new Float32Array(H * W);
  const xs = axisWeights(w, W);
  const ys = axisWeights(h, H);
  for (let y = 0; y < H; y++) {
    const { i0: r0, i1: r1, t: ty } = ys[y];
    for (let x = 0; x < W; x++) {
      const { i0: c0, i1: c1, t: tx } = xs[x];
      const top = src[r0 * w + c0] * (1 - tx) + src[r0 * w + c1] * tx;
      const bot = src[r1 * w + c0] * (1 - tx) + src[r1 * w + c1] * tx;
      out[y * W + x] = top * (1 - ty) + bot * ty;
    }
  }
  return out;
}

function axisWeights(inLen: number, outLen: number): { i0: number; i1: number; t: number }[] {
  return Array.from({ length: outLen }, (_, o) => {
    const src = Math.min(Math.max(((o + 0.5) * inLen) / outLen - 0.5, 0), inLen - 1);
    const i0 = Math.floor(src);
    return { i0, i1: Math.min(i0 + 1, inLen - 1), t: src - i0 };
  });
}

/** max(v, 0) elementwise, in a new array. */
export function reluMap(map: ArrayLike<number>): Float32Array {
  const out = new Float32Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = map[i] > 0 ? map[i] : 0;
  return out;
}

/** Divides by the maximum so the map spans [0, 1]; an all-non-positive map becomes all 0. Negative values clamp to 0. */
export function normalizeHeatmap(map: ArrayLike<number>): Float32Array {
  let max = 0;
  for (let i = 0; i < map.length; i++) if (map[i] > max) max = map[i];
  const out = new Float32Array(map.length);
  if (!(max > 0) || !Number.isFinite(max)) return out;
  for (let i = 0; i < map.length; i++) out[i] = map[i] > 0 ? map[i] / max : 0;
  return out;
}

/** The position and value of the largest entry (first in raster order on ties). */
export function heatmapPeak(map: ArrayLike<number>, width: number): { x: number; y: number; value: number } {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  return { x: best % width, y: Math.floor(best / width), value: map[best] };
}

/** Jet-like colormap: 0 = dark blue, 0.5 = green/cyan-yellow, 1 = dark red. Returns 0..255 RGB. */
export function jet(v: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  const ch = (c: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - c))));
  return [ch(3), ch(2), ch(1)];
}

/** The heatmap (values in [0, 1], image-sized) in jet colours blended over the image: (1-alpha)*image + alpha*colour. */
export function overlayHeatmap(img: Image, heat: ArrayLike<number>, alpha = 0.5): Image {
  const rgb = toRgb(img);
  const n = rgb.width * rgb.height;
  if (heat.length !== n) throw new Error(`overlayHeatmap: ${heat.length} heat values for a ${rgb.width}x${rgb.height} image`);
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = jet(heat[i]);
    for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.round((1 - alpha) * rgb.data[i * 3 + k] + alpha * c[k]);
  }
  return { width: rgb.width, height: rgb.height, channels: 3, data: out };
}

/** The heatmap as a greyscale image (0..255). */
export function heatmapToImage(heat: ArrayLike<number>, width: number, height: number): Image {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(255 * Math.min(1, Math.max(0, heat[i])));
  return { width, height, channels: 1, data };
}
