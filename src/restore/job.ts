// The restoration jobs: `train` (pairs from clean photos, then pix2pix; see train.ts) and `apply`
// (restore mosaicked regions of image files and folders; see files.ts).
import { z } from 'zod';
import { runtimeOptions, runtimeSchema } from '../runtime/options.js';
import { batchHooks, inputList, int, parseOptions } from '../util/options.js';
import { DEFAULT_FEATHER, DEFAULT_MARGIN } from './apply.js';
import { restoreFiles, type RestoredFile } from './files.js';

export { restoreTrain as train, restoreTrainSchema as trainSchema, type RestoreTrainOptions as TrainOptions } from './train.js';

export const applySchema = z.object({
  /** Image files or folders. */
  inputs: inputList,
  /** Output file (one input) or folder (PNG files). */
  output: z.string().min(1),
  /** Restoration generator: CHECKPOINTS/NAME/latest_net_G.safetensors. */
  checkpoint: z.string().min(1),
  /** Mask image of the input size (> 127 = mosaic); each connected component is one region. */
  mask: z.string().min(1).optional(),
  /** Mosaicked rectangles "x,y,w,h", each one region. */
  boxes: z.array(z.string()).default([]),
  /** Find the mosaics in each image (lossless inputs; see tolerance). */
  auto: z.boolean().default(false),
  /** auto and grid estimation: largest per-channel difference counted as equal (lossy files). */
  tolerance: int(0).default(0),
  /** Context around each region given to the model, px. */
  margin: int(0).default(DEFAULT_MARGIN),
  /** Blend band outside each region, px (0 = hard edge). */
  feather: int(0).default(DEFAULT_FEATHER),
  /**
   * Block colours are block means (true, the average style) or sampled pixels (false): force restored
   * block means to them or not. Default: as the model was trained (restore.json).
   */
  consistency: z.boolean().optional(),
  /** Model size (default: restore.json beside the checkpoint, else from its U-Net). */
  size: int(8).optional(),
  /** Average the model over the 8 mirrorings and rotations of each window (8x the model time). */
  ensemble: z.boolean().default(false),
  /** BatchNorm running statistics (default when the model was trained with batches > 1) or each window's own. */
  eval: z.boolean().optional(),
  runtime: runtimeSchema,
  ...batchHooks,
}).strict();
export type ApplyOptions = z.input<typeof applySchema>;

/**
 * Restores mosaicked regions (mask components, boxes or located mosaics) of each image; pixels
 * outside them and their feather band stay identical. Returns each image's output and region count.
 */
export async function apply(options: ApplyOptions): Promise<RestoredFile[]> {
  const o = parseOptions(applySchema, 'restore.apply', options);
  const { inputs, output, runtime, ...rest } = o;
  return restoreFiles(inputs, output, { ...rest, runtime: runtimeOptions(runtime) });
}
