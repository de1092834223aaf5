// Training examples for the restorer, made on the fly from clean photos: a random area is
// mosaicked with random block size, aspect, grid phase, style, region shape and edge, restored
// classically, and a crop of it becomes (inputs, target). Everything apply meets is covered:
// blocks 4-24 px (log-uniform, so each octave counts the same), square and stretched blocks,
// any grid phase (image- or region-aligned grids are just phases), the three styles, hard and
// feathered edges, regions larger than the crop and regions with clean context around them.
import type { Image } from '../../data/image-core.js';
import { blockDims, type BlockGrid } from '../../mosaic/blocks.js';
import { createMask, maskBoundingBox, type Mask } from '../../mosaic/mask.js';
import { pixelate, type MosaicStyle } from '../../mosaic/pixelate.js';
import { blobPolygon, fillEllipse, fillPolygon, fillRect } from '../../mosaic/shapes.js';
import type { Rng } from '../../util/rng.js';
import { classicalEstimate } from '../classical.js';
import { mosaicPixels } from '../grid.js';
import { membershipRows, windowInputs, type WindowInputs } from './features.js';

export interface SamplerOptions {
  /** Side of the training crop (a multiple of 4). */
  size: number;
  /** Smallest and largest block side, px. */
  minBlock: number;
  maxBlock: number;
  /** Probability of each style, in STYLE order average, center, random. */
  styleWeights: readonly [number, number, number];
  /** Back-projection rounds of the classical estimate (as apply uses). */
  passes: number;
}

export const DEFAULT_SAMPLER: SamplerOptions = { size: 96, minBlock: 4, maxBlock: 24, styleWeights: [0.5, 0.25, 0.25], passes: 2 };

/** One example: the model's inputs, the clean target ([3, S, S] in [-1, 1]) and per-pixel loss weights ([S, S]). */
export interface TrainingExample extends WindowInputs {
  target: Float32Array;
  weight: Float32Array;
  /** What was drawn, for logging per style and block size. */
  style: MosaicStyle;
  blockSize: number;
}

/** Context kept around the crop so that blocks and the cubic support near its edge are real. */
const CONTEXT = 48;

/** Side of the photo area an example is cut from. */
export const areaSide = (o: SamplerOptions): number => o.size + 2 * CONTEXT + o.maxBlock;

const pick = <T>(rng: Rng, items: readonly T[], weights: readonly number[]): T => {
  let u = rng.random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) if ((u -= weights[i]) < 0) return items[i];
  return items[items.length - 1];
};

/** A copy of the a x a area of `img` at (x, y), under one of the 8 symmetries of the square. */
function dihedralCrop(img: Image, x: number, y: number, a: number, t: number): Image {
  const out = new Uint8Array(a * a * 3);
  for (let v = 0; v < a; v++) {
    for (let u = 0; u < a; u++) {
      let su = t & 1 ? a - 1 - u : u, sv = t & 2 ? a - 1 - v : v;
      if (t & 4) [su, sv] = [sv, su];
      const s = ((y + sv) * img.width + x + su) * img.channels, d = (v * a + u) * 3;
      if (img.channels >= 3) { out[d] = img.data[s]; out[d + 1] = img.data[s + 1]; out[d + 2] = img.data[s + 2]; } else out[d] = out[d + 1] = out[d + 2] = img.data[s];
    }
  }
  return { width: a, height: a, channels: 3, data: out };
}

/** The mosaic region in an a x a area whose crop is [c, c + s)^2: the whole area, or one shape over the crop. */
function sampleRegion(rng: Rng, a: number, c: number, s: number): Mask {
  const mask = createMask(a, a);
  if (rng.random() < 0.3) return fillRect(mask, { x: 0, y: 0, w: a, h: a });
  const w = s * (0.4 + 0.8 * rng.random()), h = s * (0.4 + 0.8 * rng.random());
  const cx = c + s / 2 + (rng.random() - 0.5) * s * 0.5, cy = c + s / 2 + (rng.random() - 0.5) * s * 0.5;
  const kind = rng.random();
  if (kind < 0.5) return fillRect(mask, { x: cx - w / 2, y: cy - h / 2, w, h });
  if (kind < 0.8) return fillEllipse(mask, cx, cy, w / 2, h / 2);
  return fillPolygon(mask, blobPolygon(rng, cx, cy, Math.max(w, h) / 2));
}

/** One training example from a clean photo (at least areaSide(o) px on each side). */
export function sampleExample(photo: Image, rng: Rng, o: SamplerOptions = DEFAULT_SAMPLER): TrainingExample {
  const a = areaSide(o), s = o.size;
  if (photo.width < a || photo.height < a) throw new Error(`photo of ${photo.width}x${photo.height} is smaller than the ${a}x${a} area an example needs`);
  const area = dihedralCrop(photo, rng.int(photo.width - a + 1), rng.int(photo.height - a + 1), a, rng.int(8));
  const k = Math.round(Math.exp(Math.log(o.minBlock) + rng.random() * (Math.log(o.maxBlock + 0.5) - Math.log(o.minBlock))));
  const aspect = rng.random() < 0.85 ? 1 : Math.exp((rng.random() * 2 - 1) * Math.log(2));
  const dims = blockDims(Math.min(o.maxBlock, Math.max(o.minBlock, k)), aspect);
  const bw = Math.min(o.maxBlock, Math.max(o.minBlock, dims.bw)), bh = dims.bh;
  const style = pick(rng, ['average', 'center', 'random'] as const, o.styleWeights);
  const feather = rng.random() < 0.25 ? 1 + rng.int(8) : 0;
  // The crop starts anywhere in [CONTEXT, CONTEXT + maxBlock], so the grid phase in it is random.
  const cx = CONTEXT + rng.int(o.maxBlock + 1), cy = CONTEXT + rng.int(o.maxBlock + 1);
  const region = sampleRegion(rng, a, CONTEXT + o.maxBlock / 2, s);
  const mosaicked = pixelate(area, region, { blockSize: bh, blockAspect: bw / bh, style, feather, grid: 'image', rng });
  const grid: BlockGrid = { bw, bh, ox: 0, oy: 0 };
  const box = maskBoundingBox(region)!;
  const local = new Uint8Array(box.w * box.h);
  for (let y = 0; y < box.h; y++) for (let x = 0; x < box.w; x++) local[y * box.w + x] = region.data[(box.y + y) * a + box.x + x];
  const mosaic = mosaicPixels(mosaicked, { box, local, label: 'training region' }, grid).data;
  const classical = classicalEstimate(mosaicked, mosaic, grid, { style, passes: o.passes });
  // Cut the crop out of everything.
  const cropBytes = new Uint8Array(s * s * 3), cropMosaic = new Uint8Array(s * s);
  const cropClassical = { width: s, height: s, channels: 3, data: new Float32Array(3 * s * s) };
  const target = new Float32Array(3 * s * s), weight = new Float32Array(s * s);
  let wsum = 0;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const p = (cy + y) * a + cx + x, q = y * s + x;
      cropMosaic[q] = mosaic[p];
      for (let c = 0; c < 3; c++) {
        cropBytes[q * 3 + c] = mosaicked.data[p * 3 + c];
        cropClassical.data[c * s * s + q] = classical.data[c * a * a + p];
        target[c * s * s + q] = area.data[p * 3 + c] / 127.5 - 1;
      }
      // The loss goes where apply uses the output: the region and its feathered band.
      const changed = mosaicked.data[p * 3] !== area.data[p * 3] || mosaicked.data[p * 3 + 1] !== area.data[p * 3 + 1] || mosaicked.data[p * 3 + 2] !== area.data[p * 3 + 2];
      weight[q] = region.data[p] || changed ? 1 : 0.1;
      wsum += weight[q];
    }
  }
  for (let q = 0; q < s * s; q++) weight[q] *= (s * s) / wsum;
  const phase: BlockGrid = { bw, bh, ox: ((0 - cx) % bw + bw) % bw, oy: ((0 - cy) % bh + bh) % bh };
  const inputs = windowInputs(cropBytes, cropClassical, cropMosaic, phase, style, membershipRows(s, o.minBlock));
  return { ...inputs, target, weight, style, blockSize: bh };
}
