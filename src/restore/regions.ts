// The regions `restore apply` works on, each restored on its own: a connected component of a
// mask, a box, or a mosaic found by the locator. A region is its bounding box plus a local mask
// of that box (1 = restore this pixel).
import type { Image } from '../data/image-core.js';
import { connectedComponents } from '../mosaic/components.js';
import { locateMosaic, type LocateOptions } from '../mosaic/locate.js';
import type { BlockGrid } from '../mosaic/blocks.js';
import type { Box, Mask } from '../mosaic/mask.js';

export interface Region {
  /** Bounding box in image pixels (inside the image). */
  box: Box;
  /** box.w * box.h bytes, row-major: 1 where the pixel belongs to the region. */
  local: Uint8Array;
  /** For messages: "box 10,10,20,20", "mask component 2", "located region 1". */
  label: string;
  /** The block grid when already known (video tracks reuse one per track); else it is estimated. */
  grid?: BlockGrid;
}

const boxText = (b: Box): string => `${b.x},${b.y},${b.w},${b.h}`;

/** One region per 8-connected component of `mask` (raster order of their first pixel). */
export function regionsFromMask(mask: Mask, what = 'mask component'): Region[] {
  return connectedComponents(mask).map((c, i) => {
    const local = new Uint8Array(c.box.w * c.box.h);
    for (const p of c.pixels) {
      const x = p % mask.width, y = (p - x) / mask.width;
      local[(y - c.box.y) * c.box.w + (x - c.box.x)] = 1;
    }
    return { box: c.box, local, label: `${what} ${i + 1} (box ${boxText(c.box)})` };
  });
}

/**
 * One region per box. A box must lie inside the image (integers, w and h > 0); otherwise the
 * error names the box and the image size.
 */
export function regionsFromBoxes(boxes: readonly Box[], width: number, height: number): Region[] {
  return boxes.map((b) => {
    if (![b.x, b.y, b.w, b.h].every(Number.isInteger)) throw new Error(`box ${boxText(b)} must be whole pixels (integers x,y,w,h)`);
    if (b.w <= 0 || b.h <= 0 || b.x < 0 || b.y < 0 || b.x + b.w > width || b.y + b.h > height) {
      throw new Error(`box ${boxText(b)} is outside the ${width}x${height} image (it must lie within x 0..${width}, y 0..${height})`);
    }
    return { box: { ...b }, local: new Uint8Array(b.w * b.h).fill(1), label: `box ${boxText(b)}` };
  });
}

/** The mosaics the locator finds in `img` (none in a clean image). */
export function regionsFromLocate(img: Image, opts: LocateOptions = {}): Region[] {
  return regionsFromMask(locateMosaic(img, opts).mask, 'located region');
}
