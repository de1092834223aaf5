// Connected components (8-connected) of a binary mask, by iterative flood fill.
import type { Box, Mask } from './mask.js';

/** One connected region: its pixel indices (y * width + x), area and bounding box. */
export interface Component {
  pixels: Int32Array;
  area: number;
  box: Box;
}

/** The 8-connected components of `mask`, in raster order of their first pixel. */
export function connectedComponents(mask: Mask): Component[] {
  const { width: w, height: h, data } = mask;
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const out: Component[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!data[start] || seen[start]) continue;
    let top = 0, n = 0;
    const pixels: number[] = [];
    stack[top++] = start;
    seen[start] = 1;
    let x0 = w, y0 = h, x1 = 0, y1 = 0;
    while (top > 0) {
      const p = stack[--top];
      pixels.push(p);
      n++;
      const px = p % w, py = (p - px) / w;
      if (px < x0) x0 = px;
      if (px > x1) x1 = px;
      if (py < y0) y0 = py;
      if (py > y1) y1 = py;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = py + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          if (nx < 0 || nx >= w) continue;
          const q = ny * w + nx;
          if (data[q] && !seen[q]) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    out.push({ pixels: Int32Array.from(pixels), area: n, box: { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 } });
  }
  return out;
}

/** A mask holding only the given component's pixels. */
export function componentMask(width: number, height: number, c: Component): Mask {
  const data = new Uint8Array(width * height);
  for (const p of c.pixels) data[p] = 1;
  return { width, height, data };
}
