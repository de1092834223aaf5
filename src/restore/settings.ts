// Training settings for mosaic restoration, with the reason for each. `restore train` passes
// these to the ordinary pix2pix training (runTraining); docs/restoration.md explains them too.
import type { MosaicStyle } from '../mosaic/pixelate.js';
import type { ReconstructionLoss } from '../train/pix2pix.js';
import type { RestoreTarget } from './residual.js';
import type { RestoreInput } from './smooth.js';

/** Sides the restoration model can be trained at (one U-Net per size). */
export const RESTORE_SIZES = [128, 256] as const;
export type RestoreSize = (typeof RESTORE_SIZES)[number];

/**
 * The generator for a pair size: the U-Net whose bottleneck is 1x1 at that size, so every
 * skip connection carries the exact pixels of the input; the mosaic is only in the masked
 * part, and the U-Net copies the rest through the skips nearly unchanged.
 */
export function netGForSize(size: number): 'unet_128' | 'unet_256' {
  if (size === 128) return 'unet_128';
  if (size === 256) return 'unet_256';
  throw new Error(`bad size ${size}: restoration models are trained at 128 (unet_128) or 256 (unet_256)`);
}

/** The pix2pix options `restore train` fixes (everything else keeps the `train` defaults). */
export const RESTORE_TRAIN_SETTINGS = {
  /** Paired training: every mosaicked crop has its clean original. */
  model: 'pix2pix',
  /** `mosaic pairs` writes A|B = mosaicked|clean, and we learn mosaicked -> clean. */
  direction: 'AtoB',
  /**
   * The pairs are already size x size crops: no resize (a resize would blur the block edges
   * and the target) and no random crop. `none` only rounds to a multiple of 4, a no-op here.
   */
  preprocess: 'none',
  /** A mirrored mosaic over a mirrored photo is as valid a pair as the original: flip on. */
  flip: true,
  /**
   * 10000, not the reference's 100: with 100 the GAN term (weight 1) makes the generator paint a
   * checkerboard-like texture into the regions, which measured clearly worse (PSNR and SSIM,
   * bench/restore) than leaving them smooth; at 10000 the reconstruction term dominates and the
   * output stays faithful. The GAN term is kept (it is pix2pix), just weak. (The name is the
   * reference's; it weights whichever reconstruction loss is chosen.)
   */
  lambdaL1: 10000,
  /**
   * No dropout: restoration wants the single most likely image, not a sample; dropout noise
   * at test time only costs PSNR, and without it `restore apply` is deterministic.
   */
  dropout: false,
  /** BatchNorm like the reference pix2pix; `restore apply` uses running statistics when trained with batches > 1 (defaultEvalMode). */
  norm: 'batch',
  /** The PatchGAN discriminator of pix2pix (70x70 receptive field): judges texture, which is what a mosaic removes. */
  netD: 'basic',
  ganMode: 'vanilla',
  /** Every pair goes to training; hold images out by not putting them in --images (see bench/restore). */
  split: [1, 0, 0] as [number, number, number],
} as const;

/** Defaults of the `restore train` options that a user may change. */
export const RESTORE_TRAIN_DEFAULTS = {
  name: 'restore',
  checkpointsDir: './checkpoints',
  size: 256,
  /** Pairs per source image: each has its own crop, shapes, block size and style, so more pairs = more variety. */
  pairsPerImage: 10,
  /**
   * Share of pairs with one large region (see largeRegions in train.ts); the rest get makePairs'
   * small shapes. 1: apply only uses the output inside the region, so training on crops that are
   * mostly mosaic spends the loss where it matters (measured better than 0.5 and than 0).
   */
  largeRegionShare: 1,
  /** B = the residual clean - mosaicked (see residual.ts): the model starts from "copy the input". */
  target: 'residual' as RestoreTarget,
  /** A = the mosaic replaced by its block-grid smoothing (see smooth.ts); the model adds detail to it. */
  input: 'smooth' as RestoreInput,
  ngf: 64,
  ndf: 64,
  nEpochs: 100,
  nEpochsDecay: 100,
  /**
   * 8, not 1: BatchNorm then normalises over several crops, so the model keeps absolute colours
   * (with batch 1 it shifted them for thousands of steps), and a step of 8 costs less than 8
   * steps of 1 on a CPU. `restore apply` then uses the running statistics (eval mode).
   */
  batchSize: 8,
  /** Above the reference 0.0002, for the larger batch. */
  lr: 0.0005,
  /**
   * Mosaic styles of the training pairs: all three (block mean, centre pixel, random pixel), so
   * the model sees every kind of block colour. With average-style pairs only, the same recipe
   * gave a model that measured worse on held-out photos (docs/restoration.md, What was tried).
   */
  styles: ['average', 'center', 'random'] as readonly MosaicStyle[],
  /**
   * Block-mean consistency in the smoothed inputs and at apply time: on, the block colour is the
   * block mean ('average' style). `--no-consistency` for sampled-pixel (center/random) mosaics.
   */
  consistency: true as boolean,
  /**
   * Reconstruction loss (weighted by lambdaL1): 'l1', the reference's. On these mosaics the
   * residual's median is zero and the L1 model outputs exactly "no change"; 'l2' (conditional
   * mean) added GAN-driven texture and measured worse on held-out photos (docs/restoration.md).
   */
  loss: 'l1' as ReconstructionLoss,
  seed: 0,
} as const;

/** Written next to the checkpoints (CHECKPOINTS/NAME/restore.json) so `restore apply` knows the model size. */
export const RESTORE_INFO_FILE = 'restore.json';
