import { Tensor } from '../tensor.js';
import { defineOp } from './registry.js';
import { mul, sub } from './elementwise.js';
import { reduceMean } from './shape-ops.js';

/**
 * Normalization of each (sample, channel) plane over H and W, without affine parameters:
 * y = (x - mean) / sqrt(var + eps). Forward is ONNX InstanceNormalization (one fused kernel); the
 * VJP uses only y and the per-plane 1/std, so the input and the intermediate planes of a composite
 * version need not stay alive until the backward pass (GAN generators hold many of these).
 */
export function normalizePlanes(x: Tensor, eps: number): Tensor {
  const invStd = new Tensor('PlaneInvStd', [x], { epsilon: eps }, [x.shape[0], x.shape[1], 1, 1]);
  return new Tensor('InstanceNormalize', [x, invStd], { epsilon: eps }, x.shape);
}

defineOp('PlaneInvStd', {
  // 1 / sqrt(mean((x - mean(x))^2) + eps) per plane; a statistic for the VJP, not differentiated.
  emit: (n, ins, out, onnx) => {
    const axes = { axes: [2, 3], keepdims: 1 };
    const [mu] = onnx.node('ReduceMean', [ins[0]], 1, axes);
    const [xc] = onnx.node('Sub', [ins[0], mu], 1);
    const [sq] = onnx.node('Mul', [xc, xc], 1);
    const [v] = onnx.node('ReduceMean', [sq], 1, axes);
    const [ve] = onnx.node('Add', [v, onnx.float([n.attrs.epsilon as number], [])], 1);
    const [sd] = onnx.node('Sqrt', [ve], 1);
    onnx.node('Reciprocal', [sd], [out]);
  },
});

defineOp('InstanceNormalize', {
  emit: (n, ins, out, onnx) => {
    const c = n.shape[1];
    const ones = onnx.float(new Float32Array(c).fill(1), [c]);
    const zeros = onnx.float(new Float32Array(c), [c]);
    onnx.node('InstanceNormalization', [ins[0], ones, zeros], [out], { epsilon: n.attrs.epsilon as number });
  },
  // gx = (g - mean(g) - y * mean(g * y)) / std, means over each plane.
  vjp: (n, g) => {
    const invStd = n.inputs[1];
    const centered = sub(g, reduceMean(g, [2, 3], true));
    return [mul(sub(centered, mul(n, reduceMean(mul(g, n), [2, 3], true))), invStd), null];
  },
});
