import { Tensor } from '../tensor.js';
import { ShapeError } from '../shape.js';
import { currentNormOverride, currentState, recordStateUpdate, randomMask } from '../trace.js';
import { abs, add, detach, div, mul, neg, relu, softplus, sqrt, sub } from './elementwise.js';
import { mean, reduceMean, reduceSum, reshape } from './shape-ops.js';
import { logSoftmax } from './softmax.js';
import { normalizePlanes } from './instance-norm.js';

/** Shape [1, C, 1, 1] (or [1, C] for 2-D input) to broadcast per-channel vectors. */
const channelShape = (x: Tensor) => x.shape.map((d, i) => (i === 1 ? d : 1));

function affine(y: Tensor, weight: Tensor | null, bias: Tensor | null): Tensor {
  const shape = channelShape(y);
  const scaled = weight ? mul(y, reshape(weight, shape)) : y;
  return bias ? add(scaled, reshape(bias, shape)) : scaled;
}

export interface BatchNormOptions { training: boolean; momentum?: number; eps?: number }

/**
 * BatchNorm over all axes but the channel axis 1 (PyTorch BatchNorm1d/2d). In training mode it
 * normalizes by batch statistics and records the running-statistics update (unbiased variance,
 * as PyTorch) as a state update of the run.
 */
export function batchNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, runningMean: Tensor, runningVar: Tensor, o: BatchNormOptions): Tensor {
  const eps = o.eps ?? 1e-5;
  const c = x.shape[1];
  if (x.rank < 2 || runningMean.shape[0] !== c || runningVar.shape[0] !== c) {
    throw new ShapeError('BatchNorm', [x.shape, runningMean.shape], `running stats of size C = ${c}`);
  }
  if (!o.training) {
    const shape = channelShape(x);
    return affine(div(sub(x, reshape(runningMean, shape)), sqrt(add(reshape(runningVar, shape), eps))), weight, bias);
  }
  const override = currentNormOverride();
  if (override) return affine(override.normalize(x, eps), weight, bias);
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const count = x.shape.reduce((a, d, i) => (i === 1 ? a : a * d), 1);
  if (count < 2) throw new ShapeError('BatchNorm', [x.shape], 'more than one value per channel in training mode');
  const mu = reduceMean(x, axes, true);
  const centered = sub(x, mu);
  const variance = reduceMean(mul(centered, centered), axes, true);
  const y = affine(div(centered, sqrt(add(variance, eps))), weight, bias);
  const m = o.momentum ?? 0.1;
  const batchMean = reshape(detach(mu), [c]);
  const batchVar = mul(reshape(detach(variance), [c]), count / (count - 1));
  recordStateUpdate(runningMean, add(mul(currentState(runningMean), 1 - m), mul(batchMean, m)));
  recordStateUpdate(runningVar, add(mul(currentState(runningVar), 1 - m), mul(batchVar, m)));
  return y;
}

/** InstanceNorm2d (no running statistics): normalizes each sample's channel over H and W. */
export function instanceNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  if (x.rank !== 4) throw new ShapeError('InstanceNorm', [x.shape], 'x [N,C,H,W]');
  const override = currentNormOverride();
  return affine(override ? override.normalize(x, eps) : normalizePlanes(x, eps), weight, bias);
}

/** Inverted dropout with a mask fed from a seeded RNG: y = x * mask / (1 - p). */
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  if (!training || p === 0) return x;
  if (p < 0 || p >= 1) throw new Error(`dropout: p must be in [0, 1), got ${p}`);
  return mul(x, mul(randomMask(x.shape, 1 - p), 1 / (1 - p)));
}

/** Mean binary cross-entropy on logits, in the overflow-free form max(x,0) - x t + log(1 + e^-|x|). */
export function bceWithLogits(logits: Tensor, target: Tensor | number): Tensor {
  return mean(add(sub(relu(logits), mul(logits, target)), softplus(neg(abs(logits)))));
}

export function mseLoss(a: Tensor, b: Tensor | number): Tensor {
  const d = sub(a, b);
  return mean(mul(d, d));
}

export function l1Loss(a: Tensor, b: Tensor | number): Tensor {
  return mean(abs(sub(a, b)));
}

/** Mean cross-entropy of logits [N, K] against one-hot (or soft) targets [N, K]. */
export function crossEntropy(logits: Tensor, target: Tensor): Tensor {
  if (logits.rank !== 2) throw new ShapeError('CrossEntropy', [logits.shape, target.shape], 'logits [N, K]');
  return div(neg(reduceSum(mul(logSoftmax(logits, 1), target), [0, 1])), logits.shape[0]);
}
