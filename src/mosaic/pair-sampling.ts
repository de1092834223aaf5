// Random choices for one training pair: the crop, the region shapes and the mosaic
// parameters. Kept apart from the file handling so the distribution is easy to read.
import type { Rng } from '../util/rng.js';
import type { BlockSizeSpec } from './block-size.js';
import type { GridAlign } from './blocks.js';
import { createMask, type Box, type Mask } from './mask.js';
import { MOSAIC_STYLES, parseMosaicStyle, type MosaicStyle } from './pixelate.js';
import { blobPolygon, fillEllipse, fillPolygon, fillRect } from './shapes.js';

/** A region shape as recorded in the manifest. */
export type ShapeRecord =
  | { kind: 'rect'; box: Box }
  | { kind: 'ellipse'; cx: number; cy: number; rx: number; ry: number }
  | { kind: 'blob'; points: [number, number][] }
  | { kind: 'source' };

/** Mosaic parameters of one pair. */
export interface MosaicParams {
  style: MosaicStyle;
  blockSize: BlockSizeSpec;
  blockAspect: number;
  grid: GridAlign;
  feather: number;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * A square crop: side between `size` and the short side (so the pair sees several scales),
 * anywhere in the image. The caller resizes it to size x size.
 */
export function sampleCrop(rng: Rng, width: number, height: number, size: number): Box {
  const short = Math.min(width, height);
  const side = short <= size ? short : size + rng.int(short - size + 1);
  return { x: rng.int(width - side + 1), y: rng.int(height - side + 1), w: side, h: side };
}

/** 1-3 random rectangles, ellipses or blobs, each 15-55% of the side, as a mask and records. */
export function sampleShapes(rng: Rng, size: number): { mask: Mask; shapes: ShapeRecord[] } {
  const mask = createMask(size, size);
  const shapes: ShapeRecord[] = [];
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const w = size * (0.15 + rng.random() * 0.4), h = size * (0.15 + rng.random() * 0.4);
    const cx = w / 2 + rng.random() * (size - w), cy = h / 2 + rng.random() * (size - h);
    const kind = rng.int(3);
    if (kind === 0) {
      const box = { x: Math.round(cx - w / 2), y: Math.round(cy - h / 2), w: Math.round(w), h: Math.round(h) };
      fillRect(mask, box);
      shapes.push({ kind: 'rect', box });
    } else if (kind === 1) {
      fillEllipse(mask, cx, cy, w / 2, h / 2);
      shapes.push({ kind: 'ellipse', cx: r2(cx), cy: r2(cy), rx: r2(w / 2), ry: r2(h / 2) });
    } else {
      const points = blobPolygon(rng, cx, cy, Math.min(w, h) / 2).map(([x, y]): [number, number] => [r2(x), r2(y)]);
      fillPolygon(mask, points);
      shapes.push({ kind: 'blob', points });
    }
  }
  return { mask, shapes };
}

/**
 * Mosaic parameters: one of `styles` (default all); block size 4-24 px but at most size/8 (60%), 'auto' (20%) or 'area' (20%);
 * square blocks 80% of the time, else aspect 0.5-2; either grid; hard edge half the time,
 * else a feather radius of 1-6 px.
 */
export function sampleParams(rng: Rng, size: number, styles: readonly MosaicStyle[] = MOSAIC_STYLES): MosaicParams {
  if (styles.length === 0) throw new Error('sampleParams: no mosaic styles to choose from');
  const style = styles[rng.int(styles.length)];
  const u = rng.random();
  const maxBlock = Math.max(4, Math.min(24, Math.floor(size / 8)));
  const blockSize: BlockSizeSpec = u < 0.6 ? 4 + rng.int(maxBlock - 3) : u < 0.8 ? 'auto' : 'area';
  const blockAspect = rng.random() < 0.8 ? 1 : [0.5, 0.75, 1.5, 2][rng.int(4)];
  const grid: GridAlign = rng.random() < 0.5 ? 'image' : 'region';
  const feather = rng.random() < 0.5 ? 0 : 1 + rng.int(6);
  return { style, blockSize, blockAspect, grid, feather };
}

/** Parses a comma-separated style list ("average,center"); throws naming a bad entry. */
export function parseStyleList(s: string): MosaicStyle[] {
  const styles = s.split(',').map((x) => x.trim()).filter(Boolean);
  if (styles.length === 0) throw new Error(`bad styles "${s}": give one or more of ${MOSAIC_STYLES.join(', ')}`);
  return [...new Set(styles.map(parseMosaicStyle))];
}
