import * as g from '../../graph/index.js';
import type { Tensor } from '../../graph/tensor.js';

/**
 * The Adam update as graph ops, for parameters that must be updated inside a compiled step (the
 * pix2pix discriminator, whose new weights the generator loss of the same step needs). Same
 * formula as Adam.step; stepSize = lr / (1 - beta1^t) and bc2Sqrt = sqrt(1 - beta2^t) are inputs,
 * so schedules never recompile.
 */
export function adamUpdate(w: Tensor, grad: Tensor, m: Tensor, v: Tensor, betas: [number, number], eps: number, stepSize: Tensor, bc2Sqrt: Tensor) {
  const [b1, b2] = betas;
  const m2 = g.add(g.mul(m, b1), g.mul(grad, 1 - b1));
  const v2 = g.add(g.mul(v, b2), g.mul(g.mul(grad, grad), 1 - b2));
  const w2 = g.sub(w, g.div(g.mul(m2, stepSize), g.add(g.div(g.sqrt(v2), bc2Sqrt), eps)));
  return { w: w2, m: m2, v: v2 };
}
