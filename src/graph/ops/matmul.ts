import { Tensor } from '../tensor.js';
import { ShapeError, broadcastShapes } from '../shape.js';
import { defineOp, onnxOp } from './registry.js';
import { sumTo } from './elementwise.js';
import { reduceSum, transpose } from './shape-ops.js';

/** Swaps the last two axes. */
export const mT = (x: Tensor) => transpose(x, x.shape.map((_, i) => (i === x.rank - 2 ? x.rank - 1 : i === x.rank - 1 ? x.rank - 2 : i)));

/** Matrix product of the last two axes, batch axes broadcast (rank >= 2). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2 || a.shape[a.rank - 1] !== b.shape[b.rank - 2]) {
    throw new ShapeError('MatMul', [a.shape, b.shape], '[..., M, K] and [..., K, N] (rank >= 2)');
  }
  const batch = broadcastShapes('MatMul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return new Tensor('MatMul', [a, b], {}, [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]]);
}

/** PyTorch Linear: x [N, in] @ w[out, in]^T + b[out]. */
export function linear(x: Tensor, w: Tensor, b: Tensor | null = null): Tensor {
  const shapes = b ? [x.shape, w.shape, b.shape] : [x.shape, w.shape];
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[1]) throw new ShapeError('Gemm', shapes, 'x [N, in] and weight [out, in]');
  if (b && (b.rank !== 1 || b.shape[0] !== w.shape[0])) throw new ShapeError('Gemm', shapes, `bias [${w.shape[0]}]`);
  return new Tensor('Gemm', b ? [x, w, b] : [x, w], {}, [x.shape[0], w.shape[0]]);
}

defineOp('MatMul', {
  emit: onnxOp('MatMul'),
  vjp: (n, g, need) => {
    const [a, b] = n.inputs;
    return [need[0] ? sumTo(matmul(g, mT(b)), a.shape) : null, need[1] ? sumTo(matmul(mT(a), g), b.shape) : null];
  },
});

defineOp('Gemm', {
  emit: (_n, ins, out, onnx) => onnx.node('Gemm', ins, [out], { transB: 1 }),
  vjp: (n, g, need) => {
    const [x, w] = n.inputs;
    return [need[0] ? matmul(g, w) : null, need[1] ? matmul(mT(g), x) : null, need[2] ? reduceSum(g, [0]) : null];
  },
});
