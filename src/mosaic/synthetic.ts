// Synthetic "natural-looking" test images for tests and benches (the repo ships no
// photos): smooth colour gradients + sensor-like noise + shapes. Some shapes are
// perfectly flat and one band is a noise-free gradient, because real photos have
// clipped highlights and smooth skies, and those are what fool a mosaic detector.
import type { Image } from '../data/image-core.js';
import { createRng } from '../util/rng.js';

/** Options of `syntheticImage`. */
export interface SyntheticOptions {
  /** Noise standard deviation in 8-bit levels, default 6. */
  noise?: number;
  /** Add flat shapes and a noise-free gradient band (hard negatives), default true. */
  flatAreas?: boolean;
}

/** A deterministic RGB test image for the given seed. */
export function syntheticImage(width: number, height: number, seed: number, opts: SyntheticOptions = {}): Image {
  const rng = createRng(seed);
  const noise = opts.noise ?? 6;
  const flat = opts.flatAreas ?? true;
  const data = new Uint8Array(width * height * 3);
  // Low-frequency background: a few random plane waves per channel.
  const waves = [0, 1, 2].map(() => Array.from({ length: 3 }, () => ({
    fx: (rng.random() * 2 - 1) * 4 * Math.PI / width, fy: (rng.random() * 2 - 1) * 4 * Math.PI / height,
    ph: rng.random() * 2 * Math.PI, amp: 20 + rng.random() * 40,
  })));
  const base = [0, 1, 2].map(() => 70 + rng.random() * 110);
  // Textured discs (noisy) and flat shapes (noise-free).
  const discs = Array.from({ length: 6 }, () => ({
    cx: rng.random() * width, cy: rng.random() * height, r: (0.05 + rng.random() * 0.15) * Math.min(width, height),
    col: [0, 1, 2].map(() => rng.random() * 255), flat: flat && rng.random() < 0.4,
  }));
  const band = flat ? { y0: Math.floor(rng.random() * height * 0.7), h: Math.floor(height * 0.15) } : null;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      let flatPixel = false;
      const col = [0, 0, 0];
      for (let k = 0; k < 3; k++) {
        let v = base[k];
        for (const w of waves[k]) v += w.amp * Math.sin(w.fx * x + w.fy * y + w.ph);
        col[k] = v;
      }
      if (band && y >= band.y0 && y < band.y0 + band.h) {
        // Smooth, noise-free "sky": long runs of equal values after quantisation.
        for (let k = 0; k < 3; k++) col[k] = 150 + 40 * k + (x / width) * 30;
        flatPixel = true;
      }
      for (const d of discs) {
        if ((x - d.cx) ** 2 + (y - d.cy) ** 2 <= d.r * d.r) {
          for (let k = 0; k < 3; k++) col[k] = d.flat ? d.col[k] : 0.5 * col[k] + 0.5 * d.col[k];
          flatPixel = d.flat;
        }
      }
      for (let k = 0; k < 3; k++) {
        const v = Math.round(col[k] + (flatPixel ? 0 : rng.normal(0, noise)));
        data[p + k] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return { width, height, channels: 3, data };
}
