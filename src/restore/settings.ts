// Training settings for mosaic restoration, with the reason for each. `restore train` passes
// these to the ordinary pix2pix training (runTraining); docs/restoration.md explains them too.

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
   * The reference pix2pix weight: L1 to the original keeps the output faithful in colour and
   * layout; the (weight 1) GAN term keeps it from being a blur.
   */
  lambdaL1: 100,
  /**
   * No dropout: restoration wants the single most likely image, not a sample; dropout noise
   * at test time only costs PSNR, and without it `restore apply` is deterministic.
   */
  dropout: false,
  /** BatchNorm like the reference pix2pix; `restore apply` runs it as the reference test.py (batch statistics) unless --eval. */
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
  ngf: 64,
  ndf: 64,
  nEpochs: 100,
  nEpochsDecay: 100,
  batchSize: 1,
  lr: 0.0002,
  seed: 0,
} as const;

/** Written next to the checkpoints (CHECKPOINTS/NAME/restore.json) so `restore apply` knows the model size. */
export const RESTORE_INFO_FILE = 'restore.json';
