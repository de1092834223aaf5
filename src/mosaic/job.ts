// The mosaic jobs: `add` (pixelate given regions), `auto` (pixelate what a classifier looks at),
// `locate` (find existing mosaic), `pairs` (mosaicked|clean training pairs, see pairs.ts).
import { join } from 'node:path';
import { z } from 'zod';
import { expandInputs } from '../data/file-list.js';
import { readImage, writeImage } from '../data/image.js';
import { explainFields } from '../cam/job.js';
import { batchHooks, callback, inputList, int, parseOptions } from '../util/options.js';
import { maxImagePixelsField } from '../util/limits.js';
import { mosaicFiles } from './add.js';
import { autoMosaicFiles, type AutoMosaicResult } from './auto.js';
import { parseBlockSize } from './block-size.js';
import { HEATMAP_MASK_DEFAULTS, REGION_CHOICES } from './cam-regions.js';
import { locateMosaic, type LocatedRegion } from './locate.js';
import { maskToImage } from './mask.js';
import { DEFAULT_BLOCK_SIZE } from './mosaic.js';
import { MOSAIC_STYLES, PIXELATE_DEFAULTS } from './pixelate.js';
import { MAX_FEATHER_RADIUS } from './feather.js';

import { autoMosaicVideos, mosaicVideos, videoInputs } from '../video/jobs.js';
import { videoFields } from '../video/options.js';
import type { VideoResult } from '../video/pipeline.js';

export { makePairs as pairs, pairsSchema, type PairsOptions } from './pairs.js';

/** A block size: pixels, 'auto' (ceil(long side / 100), >= 4) or 'area' (grows with the region); text is parsed. */
const blockSize = z.union([int(1), z.enum(['auto', 'area']), z.string().transform((s, ctx) => {
  try {
    return parseBlockSize(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
})]).default(DEFAULT_BLOCK_SIZE);

/** How the blocks look (pixelate's options). */
const mosaicLook = {
  /** Block colour: the block's mean, its centre pixel or a random pixel of it. */
  style: z.enum(MOSAIC_STYLES as ['average', 'center', 'random']).default(PIXELATE_DEFAULTS.style),
  blockSize,
  /** Feather the edge: Gaussian-blurred mask of this radius in px (0 = hard edge). */
  feather: z.number().min(0).max(MAX_FEATHER_RADIUS, { message: `feather radius is at most ${MAX_FEATHER_RADIUS} px` }).default(PIXELATE_DEFAULTS.feather),
  /** Seed for style 'random'. */
  seed: int(0).default(PIXELATE_DEFAULTS.seed),
};

/** Largest image decoded. */
const maxImagePixels = maxImagePixelsField;

export const addSchema = z.object({
  /** Image files or folders. */
  inputs: inputList,
  /** Output file (one input) or folder. */
  output: z.string().min(1),
  /** Rectangles "x,y,w,h". */
  boxes: z.array(z.string()).default([]),
  /** Polygons "x1,y1 x2,y2 ..." (even-odd fill). */
  polygons: z.array(z.string()).default([]),
  /** Ellipses "cx,cy,rx,ry". */
  ellipses: z.array(z.string()).default([]),
  /** Mask image of the input size; > 127 = pixelate. */
  mask: z.string().min(1).optional(),
  ...mosaicLook,
  /** Block width / height (2 = twice as wide as tall). */
  blockAspect: z.number().min(0.05).default(PIXELATE_DEFAULTS.blockAspect),
  /** Align blocks to the image origin or to the region's box. */
  grid: z.enum(['image', 'region']).default(PIXELATE_DEFAULTS.grid),
  /** Videos: a keyframe file of boxes over time, interpolated (see docs/video.md). */
  keyframes: z.string().min(1).optional(),
  ...videoFields,
  maxImagePixels,
  ...batchHooks,
}).strict();
export type AddJobOptions = z.input<typeof addSchema>;

/**
 * Pixelates the given regions (union of boxes, polygons, ellipses and a mask file) of each image.
 * Pixels outside the mask and its feather band stay bit-identical; writes are atomic. Returns the
 * written paths.
 */
export async function add(options: AddJobOptions): Promise<{ outputs: string[]; videos?: VideoResult[] }> {
  const o = parseOptions(addSchema, 'mosaic.add', options);
  const { inputs, output, mask, ...rest } = o;
  const videos = await videoInputs(inputs, output);
  if (videos.length) {
    const done = await mosaicVideos(videos, output, { boxes: o.boxes, polygons: o.polygons, ellipses: o.ellipses, maskFile: mask, keyframes: o.keyframes }, rest, o);
    return { outputs: done.map((v) => v.output), videos: done };
  }
  if (o.keyframes) throw new Error('mosaic.add: keyframes are for videos; the inputs are images');
  return { outputs: await mosaicFiles(inputs, output, { ...rest, maskFile: mask }) };
}

export const autoSchema = z.object({
  inputs: inputList,
  /** Output folder: OUT/<name>.png and OUT/<name>_mask.png. */
  output: z.string().min(1),
  ...explainFields,
  /** The class whose regions are mosaicked: an index or (with a sidecar) a class name. */
  class: z.union([int(0), z.string().min(1)]),
  /** Inside = CAM >= threshold * CAM max. */
  threshold: z.number().gt(0).max(1).default(HEATMAP_MASK_DEFAULTS.threshold),
  /** Keep the largest connected region or all. */
  regions: z.enum(REGION_CHOICES as ['largest', 'all']).default(HEATMAP_MASK_DEFAULTS.regions),
  /** Grow the regions by this many pixels. */
  dilate: z.number().min(0).default(HEATMAP_MASK_DEFAULTS.dilate),
  ...mosaicLook,
  /** Called with each image's result. */
  onResult: callback<(r: AutoMosaicResult) => void>().optional(),
  ...videoFields,
  ...batchHooks,
}).strict();
export type AutoJobOptions = z.input<typeof autoSchema>;

/** Mosaics the regions a classifier's CAM highlights for one class (see auto.ts). */
export async function auto(options: AutoJobOptions): Promise<AutoMosaicResult[] | VideoResult[]> {
  const o = parseOptions(autoSchema, 'mosaic.auto', options);
  const { inputs, output, class: classSpec, ...rest } = o;
  const videos = await videoInputs(inputs, output);
  if (videos.length) return autoMosaicVideos(videos, output, { ...rest, classSpec }, rest, o);
  return autoMosaicFiles(inputs, output, { ...rest, classSpec });
}

export const locateSchema = z.object({
  inputs: inputList,
  /** Also write each found mask as MASKS/<name>.png. */
  masks: z.string().min(1).optional(),
  /** Largest per-channel difference counted as equal (for lossy files). */
  tolerance: int(0).default(0),
  maxImagePixels,
  /** Called with each image's result. */
  onResult: callback<(r: LocateFileResult) => void>().optional(),
}).strict();
export type LocateJobOptions = z.input<typeof locateSchema>;

export interface LocateFileResult { file: string; blockSize: number | null; regions: LocatedRegion[] }

/** Finds existing mosaics in each image (block-structure detection; lossless inputs). */
export async function locate(options: LocateJobOptions): Promise<LocateFileResult[]> {
  const o = parseOptions(locateSchema, 'mosaic.locate', options);
  const { files } = await expandInputs(o.inputs);
  const results: LocateFileResult[] = [];
  for (const f of files) {
    const res = locateMosaic(await readImage(f.path, { maxPixels: o.maxImagePixels }), { tolerance: o.tolerance });
    if (o.masks) await writeImage(join(o.masks, f.rel.replace(/\.[^./\\]+$/, '') + '.png'), maskToImage(res.mask));
    const r = { file: f.path, blockSize: res.blockSize, regions: res.regions };
    o.onResult?.(r);
    results.push(r);
  }
  return results;
}
