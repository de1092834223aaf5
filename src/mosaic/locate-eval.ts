// Scoring for the mosaic locator against known masks, and the synthetic cases the
// bench and tests score it on (textured image + 1-2 mosaicked rectangles/ellipses).
import type { Image } from '../data/image-core.js';
import { createRng } from '../util/rng.js';
import { connectedComponents } from './components.js';
import { createMask, type Box, type Mask } from './mask.js';
import { pixelate, type MosaicStyle } from './pixelate.js';
import { fillEllipse, fillRect } from './shapes.js';
import { forEachBlock, makeGrid } from './blocks.js';
import { syntheticImage } from './synthetic.js';

/** Counts for precision/recall at pixel and region level. */
export interface LocateScore {
  tp: number; fp: number; fn: number;
  /** Ground-truth regions matched by a found box (IoU >= 0.5), and their total. */
  regionsHit: number; regionsTrue: number;
  /** Found boxes matching a ground-truth region, and their total. */
  boxesRight: number; boxesFound: number;
}

/** Intersection over union of two boxes. */
export function boxIoU(a: Box, b: Box): number {
  const iw = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const ih = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

/** Scores found mask/boxes against the true mask (regions = its connected components). */
export function scoreLocate(truth: Mask, found: Mask, boxes: readonly Box[]): LocateScore {
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < truth.data.length; i++) {
    if (truth.data[i] && found.data[i]) tp++;
    else if (found.data[i]) fp++;
    else if (truth.data[i]) fn++;
  }
  const trueBoxes = connectedComponents(truth).map((c) => c.box);
  const hit = (b: Box, set: readonly Box[]): boolean => set.some((t) => boxIoU(b, t) >= 0.5);
  return {
    tp, fp, fn,
    regionsHit: trueBoxes.filter((t) => hit(t, boxes)).length, regionsTrue: trueBoxes.length,
    boxesRight: boxes.filter((b) => hit(b, trueBoxes)).length, boxesFound: boxes.length,
  };
}

/** Sums scores. */
export function addScores(a: LocateScore, b: LocateScore): LocateScore {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof LocateScore)[]) out[k] += b[k];
  return out;
}

/** Precision and recall (pixel and region level) of a summed score; 1 when undefined (0/0). */
export function rates(s: LocateScore): { pixelP: number; pixelR: number; regionP: number; regionR: number } {
  const r = (a: number, b: number): number => (b === 0 ? 1 : a / b);
  return { pixelP: r(s.tp, s.tp + s.fp), pixelR: r(s.tp, s.tp + s.fn), regionP: r(s.boxesRight, s.boxesFound), regionR: r(s.regionsHit, s.regionsTrue) };
}

/**
 * A synthetic image with 1-2 non-overlapping mosaicked regions (rectangle or ellipse, each
 * at least 5 blocks across, random image/region grid), the true mask, and its visible part:
 * the blocks where the mosaic changed any pixel (over a flat area a mosaic changes nothing,
 * and no detector can see it).
 */
export function syntheticMosaicCase(
  seed: number, style: MosaicStyle, blockSize: number, width = 256, height = 256,
): { image: Image; truth: Mask; visible: Mask } {
  const rng = createRng(seed * 7919 + blockSize);
  let image = syntheticImage(width, height, seed);
  const truth = createMask(width, height), visible = createMask(width, height);
  const count = 1 + rng.int(2);
  const boxes: Box[] = [];
  for (let r = 0; r < count; r++) {
    const minSide = Math.min(5 * blockSize, width - 2);
    let box: Box | null = null;
    // Regions do not overlap: a mosaic painted over most of another leaves slivers of
    // partial blocks that no detector could call a mosaic.
    for (let attempt = 0; attempt < 20 && !box; attempt++) {
      const rw = minSide + rng.int(Math.max(1, Math.floor(width * 0.45) - minSide + 1));
      const rh = minSide + rng.int(Math.max(1, Math.floor(height * 0.45) - minSide + 1));
      const b = { x: rng.int(width - rw + 1), y: rng.int(height - rh + 1), w: rw, h: rh };
      if (boxes.every((o) => boxIoU(o, b) === 0)) box = b;
    }
    if (!box) break;
    boxes.push(box);
    const { x, y, w: rw, h: rh } = box;
    const region = createMask(width, height);
    if (rng.random() < 0.5) fillRect(region, { x, y, w: rw, h: rh });
    else fillEllipse(region, x + rw / 2, y + rh / 2, rw / 2, rh / 2);
    const align = rng.random() < 0.5 ? 'image' : 'region';
    const before = image;
    image = pixelate(image, region, { blockSize, style, grid: align, rng });
    for (let i = 0; i < region.data.length; i++) if (region.data[i]) truth.data[i] = 1;
    // Visible part: the region's pixels in blocks where the mosaic changed at least one pixel.
    forEachBlock(makeGrid(blockSize, 1, align, box), box, width, height, (x0, y0, x1, y1) => {
      let changed = false;
      for (let y = y0; y < y1 && !changed; y++) {
        for (let x = x0; x < x1; x++) {
          const p = (y * width + x) * 3;
          if (before.data[p] !== image.data[p] || before.data[p + 1] !== image.data[p + 1] || before.data[p + 2] !== image.data[p + 2]) changed = true;
        }
      }
      if (!changed) return;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (region.data[y * width + x]) visible.data[y * width + x] = 1;
    });
  }
  return { image, truth, visible };
}
