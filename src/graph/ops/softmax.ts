import { Tensor } from '../tensor.js';
import { normAxis } from '../shape.js';
import { defineOp, onnxOp } from './registry.js';
import { exp, mul, sub } from './elementwise.js';
import { reduceSum } from './shape-ops.js';

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return new Tensor('LogSoftmax', [x], { axis: normAxis('LogSoftmax', axis, x.rank) }, x.shape);
}

export const softmax = (x: Tensor, axis = -1) => exp(logSoftmax(x, axis));

defineOp('LogSoftmax', {
  emit: onnxOp('LogSoftmax'),
  vjp: (n, g) => [sub(g, mul(exp(n), reduceSum(g, [n.attrs.axis as number], true)))],
});
