import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';

export const GAN_MODES = ['vanilla', 'lsgan'] as const;
export type GanMode = (typeof GAN_MODES)[number];

/**
 * The reference's GANLoss: the discriminator's patch predictions against an all-real (1) or
 * all-fake (0) target; BCE on logits for 'vanilla', least squares for 'lsgan'.
 */
export function ganLoss(prediction: Tensor, targetIsReal: boolean, mode: GanMode): Tensor {
  const target = targetIsReal ? 1 : 0;
  if (mode === 'vanilla') return g.bceWithLogits(prediction, target);
  if (mode === 'lsgan') return g.mseLoss(prediction, target);
  throw new Error(`--gan-mode ${mode as string}: unknown; choose ${GAN_MODES.join(' or ')}`);
}
