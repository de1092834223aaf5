// Per-frame pixel moves: turning frames between stored and display orientation (the display
// matrix's rotation), and padding odd sizes for 4:2:0 encoders by repeating the edge.
import type { Image } from '../data/image.js';

/**
 * `img` (RGB, HWC) turned counter-clockwise by `deg` (0, 90, 180, 270): the stored frame of a video
 * whose display rotation is `deg` becomes what a player shows; turning by 360 - deg undoes it.
 */
export function rotateImage(img: Image, deg: number): Image {
  const d = ((deg % 360) + 360) % 360;
  if (d === 0) return img;
  const { width: w, height: h, channels: c, data } = img;
  const swap = d === 90 || d === 270;
  const W = swap ? h : w, H = swap ? w : h;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // counter-clockwise 90: (x, y) -> (y, w - 1 - x)
      let X: number, Y: number;
      if (d === 90) { X = y; Y = w - 1 - x; } else if (d === 180) { X = w - 1 - x; Y = h - 1 - y; } else { X = h - 1 - y; Y = x; }
      const s = (y * w + x) * c, t = (Y * W + X) * c;
      for (let k = 0; k < c; k++) out[t + k] = data[s + k];
    }
  }
  return { width: W, height: H, channels: c, data: out };
}

/** RGB bytes of `img` grown to width x height, the last column and row repeated. */
export function padImage(img: Image, width: number, height: number): Uint8Array {
  const { width: w, height: h, channels: c, data } = img;
  if (w === width && h === height) return data;
  const out = new Uint8Array(width * height * c);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(y, h - 1);
    out.set(data.subarray(sy * w * c, (sy + 1) * w * c), y * width * c);
    for (let x = w; x < width; x++) out.set(data.subarray((sy * w + w - 1) * c, (sy * w + w) * c), (y * width + x) * c);
  }
  return out;
}
