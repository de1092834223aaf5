// The restoration jobs: `apply` (restore mosaicked regions of image files and folders with a
// shipped model, a restorer of your own, or the classical method) and `train` (train a restorer
// on clean photos, or fine-tune a shipped one; see net/train.ts).
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { MOSAIC_STYLES } from '../mosaic/pixelate.js';
import { runtimeOptions, runtimeSchema } from '../runtime/options.js';
import { batchHooks, inputList, int, parseOptions } from '../util/options.js';
import { restoreFiles, type RestoredFile } from './files.js';
import { loadRestorer } from './net/checkpoint.js';
import { RestorerRunner } from './net/runner.js';
import { selfEnsemble } from './net/ensemble.js';
import { DEFAULT_FEATHER } from './paste.js';
import { SHIPPED_MODEL_NAMES, SHIPPED_MODELS } from './shipped.js';
import { restoreVideos, videoInputs } from '../video/jobs.js';
import { videoFields } from '../video/options.js';

export { trainRestorer as train, RestorerTrainSchema as trainSchema, type RestorerTrainOptions as TrainOptions } from './net/train.js';

export const RESTORE_METHODS = ['model', 'classical'] as const;

export const applySchema = z.object({
  /** Image files or folders. */
  inputs: inputList,
  /** Output file (one input) or folder (PNG files). */
  output: z.string().min(1),
  /** 'model' (a learned restorer on top of the classical estimate) or 'classical' (no model). */
  method: z.enum(RESTORE_METHODS).default('model'),
  /** Which shipped model: 'faithful' (closest to the original on average) or 'sharp' (adds texture). */
  model: z.enum(SHIPPED_MODEL_NAMES).default('faithful'),
  /** A restorer of your own (restore train's model.safetensors) instead of a shipped model. */
  checkpoint: z.string().min(1).optional(),
  /** Mask image of the input size (> 127 = mosaic); each connected component is one region. */
  mask: z.string().min(1).optional(),
  /** Mosaicked rectangles "x,y,w,h", each one region. */
  boxes: z.array(z.string()).default([]),
  /** Find the mosaics in each image (lossless inputs; see tolerance). */
  auto: z.boolean().default(false),
  /** auto and grid estimation: largest per-channel difference counted as equal (lossy files). */
  tolerance: int(0).max(64).default(0),
  /** How the block colours were made: 'average' (block means, as image editors pixelate), 'center' or 'random' (one pixel of the block). */
  style: z.enum(MOSAIC_STYLES as ['average', 'center', 'random']).default('average'),
  /** For 'average' mosaics: keep every restored block's mean equal to its colour. */
  consistency: z.boolean().default(true),
  /** Average the model over the mirrorings/rotations of each area (8x the model time; a little more faithful). */
  ensemble: z.boolean().default(false),
  /** Blend band outside each region, px (0 = hard edge). */
  feather: int(0).max(256).default(DEFAULT_FEATHER),
  /** Videos: a keyframe file of boxes over time (see docs/video.md). */
  keyframes: z.string().min(1).optional(),
  /** Videos: temporal smoothing of the model's detail on static content, 0 (off) .. 1. */
  temporal: z.number().min(0).max(1).default(0.8),
  ...videoFields,
  runtime: runtimeSchema,
  ...batchHooks,
}).strict();
export type ApplyOptions = z.input<typeof applySchema>;

/** The restorer file `apply` uses for these options, or null for the classical method. */
export function modelPath(o: Pick<z.output<typeof applySchema>, 'method' | 'model' | 'checkpoint'>): string | null {
  if (o.method === 'classical') return null;
  if (o.checkpoint) return o.checkpoint;
  const path = SHIPPED_MODELS[o.model];
  if (!existsSync(path)) throw new Error(`the shipped ${o.model} restoration model ${path} is missing (an incomplete install?); use method 'classical' or give a checkpoint`);
  return path;
}

/**
 * Restores mosaicked regions (mask components, boxes or located mosaics) of each image; pixels
 * outside them and their feather band stay identical. Restoration invents plausible detail: it
 * does not recover what the mosaic hid. Returns each image's output and region counts.
 */
export async function apply(options: ApplyOptions): Promise<RestoredFile[]> {
  const o = parseOptions(applySchema, 'restore.apply', options);
  const path = modelPath(o);
  const videos = await videoInputs(o.inputs, o.output);
  const runner = path ? new RestorerRunner((await loadRestorer(path)).net, runtimeOptions(o.runtime)) : null;
  const restorer = runner && o.ensemble ? selfEnsemble(runner) : runner;
  try {
    if (videos.length) return await restoreVideos(videos, o.output, o, restorer);
    return await restoreFiles(o.inputs, o.output, { ...o, runner: restorer });
  } finally {
    await runner?.release();
  }
}
