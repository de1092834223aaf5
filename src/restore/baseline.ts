// The smooth baseline restoration: the mosaic holds one colour per block, so take one sample per
// block (the block grid as a small image) and bicubic-upsample it back to full size. This is the
// best a "no learning" method does with the same information, and it knows the exact grid.
import { resizeImage, type Image } from '../data/image.js';
import type { BlockGrid } from '../mosaic/blocks.js';
import { maskBoundingBox, type Mask } from '../mosaic/mask.js';

/**
 * A copy of `mosaicked` whose pixels inside `mask` are replaced by the bicubic upsampling of the
 * block grid. A block's sample is its colour where the mask covers it (any masked pixel: a
 * hard-edged mosaic is constant there), else the mean of the block (pixels left as they were).
 */
export async function blockGridBaseline(mosaicked: Image, mask: Mask, grid: BlockGrid): Promise<Image> {
  const out: Image = { ...mosaicked, data: mosaicked.data.slice() };
  const box = maskBoundingBox(mask);
  if (!box) return out;
  const { width: w, height: h, channels: c, data } = mosaicked;
  const { bw, bh, ox, oy } = grid;
  const i0 = Math.floor((box.x - ox) / bw), i1 = Math.floor((box.x + box.w - 1 - ox) / bw);
  const j0 = Math.floor((box.y - oy) / bh), j1 = Math.floor((box.y + box.h - 1 - oy) / bh);
  const gw = i1 - i0 + 1, gh = j1 - j0 + 1;
  const small = new Uint8Array(gw * gh * c);
  for (let j = j0; j <= j1; j++) {
    const y0 = Math.max(0, oy + j * bh), y1 = Math.min(h, oy + (j + 1) * bh);
    for (let i = i0; i <= i1; i++) {
      const x0 = Math.max(0, ox + i * bw), x1 = Math.min(w, ox + (i + 1) * bw);
      const dst = ((j - j0) * gw + (i - i0)) * c;
      let hit = -1;
      for (let y = y0; y < y1 && hit < 0; y++) for (let x = x0; x < x1; x++) if (mask.data[y * w + x]) { hit = y * w + x; break; }
      if (hit >= 0) {
        for (let k = 0; k < c; k++) small[dst + k] = data[hit * c + k];
      } else {
        const n = Math.max(1, (x1 - x0) * (y1 - y0));
        for (let k = 0; k < c; k++) {
          let s = 0;
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += data[(y * w + x) * c + k];
          small[dst + k] = Math.round(s / n);
        }
      }
    }
  }
  const up = await resizeImage({ width: gw, height: gh, channels: c, data: small }, gw * bw, gh * bh, 'bicubic');
  const ux = ox + i0 * bw, uy = oy + j0 * bh;
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) {
      if (!mask.data[y * w + x]) continue;
      const sp = ((y - uy) * up.width + (x - ux)) * c;
      for (let k = 0; k < c; k++) out.data[(y * w + x) * c + k] = up.data[sp + k];
    }
  }
  return out;
}
