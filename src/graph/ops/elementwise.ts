import { Tensor, constant, type DType } from '../tensor.js';
import { broadcastShapes, broadcastAxes, sameShape, ShapeError, type Shape } from '../shape.js';
import { defineOp, onnxOp } from './registry.js';
import { reduceSum, reshape } from './shape-ops.js';

export type TensorLike = Tensor | number;

const asTensor = (x: TensorLike): Tensor => (typeof x === 'number' ? constant(x) : x);

/** Sums a broadcast gradient back down to `shape` (the adjoint of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const axes = broadcastAxes(shape, g.shape);
  const summed = axes.length ? reduceSum(g, axes, true) : g;
  return sameShape(summed.shape, shape) ? summed : reshape(summed, shape);
}

function binary(op: string, a: TensorLike, b: TensorLike, dtype: DType = 'float32'): Tensor {
  const ta = asTensor(a);
  const tb = asTensor(b);
  return new Tensor(op, [ta, tb], {}, broadcastShapes(op, ta.shape, tb.shape), dtype);
}

function unary(op: string, x: Tensor, attrs: Record<string, number> = {}): Tensor {
  return new Tensor(op, [x], attrs, x.shape);
}

export const add = (a: TensorLike, b: TensorLike) => binary('Add', a, b);
export const sub = (a: TensorLike, b: TensorLike) => binary('Sub', a, b);
export const mul = (a: TensorLike, b: TensorLike) => binary('Mul', a, b);
export const div = (a: TensorLike, b: TensorLike) => binary('Div', a, b);
/** x ** p, with p a number or a tensor (both differentiable). */
export const pow = (x: TensorLike, p: TensorLike) => binary('Pow', x, p);
export const greater = (a: TensorLike, b: TensorLike) => binary('Greater', a, b, 'bool');
export const less = (a: TensorLike, b: TensorLike) => binary('Less', a, b, 'bool');
export const equal = (a: TensorLike, b: TensorLike) => binary('Equal', a, b, 'bool');

export const neg = (x: Tensor) => unary('Neg', x);
export const exp = (x: Tensor) => unary('Exp', x);
export const log = (x: Tensor) => unary('Log', x);
export const sqrt = (x: Tensor) => unary('Sqrt', x);
export const abs = (x: Tensor) => unary('Abs', x);
export const sign = (x: Tensor) => unary('Sign', x);
export const relu = (x: Tensor) => unary('Relu', x);
export const leakyRelu = (x: Tensor, alpha = 0.01) => unary('LeakyRelu', x, { alpha });
export const tanh = (x: Tensor) => unary('Tanh', x);
export const sigmoid = (x: Tensor) => unary('Sigmoid', x);
export const softplus = (x: Tensor) => unary('Softplus', x);
export const clip = (x: Tensor, min: number, max: number) => unary('Clip', x, { min, max });
/** Stop-gradient: the value passes, no gradient flows back. */
export const detach = (x: Tensor) => new Tensor('Detach', [x], {}, x.shape, x.dtype);

/** Elementwise select: cond ? a : b. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ta = asTensor(a);
  const tb = asTensor(b);
  if (cond.dtype !== 'bool') throw new ShapeError('Where', [cond.shape], `a bool condition, got ${cond.dtype}`);
  const shape = broadcastShapes('Where', broadcastShapes('Where', cond.shape, ta.shape), tb.shape);
  return new Tensor('Where', [cond, ta, tb], {}, shape);
}

/** Casts bool/int64 to float32 (1/0). */
export const toFloat = (x: Tensor) => new Tensor('Cast', [x], { to: 'float32' }, x.shape, 'float32');

export const square = (x: Tensor) => mul(x, x);

// --- ONNX emission and VJPs -------------------------------------------------------------

const both = (node: Tensor, ga: Tensor | null, gb: Tensor | null) => [
  ga && sumTo(ga, node.inputs[0].shape),
  gb && sumTo(gb, node.inputs[1].shape),
];

defineOp('Add', { emit: onnxOp('Add'), vjp: (n, g, need) => both(n, need[0] ? g : null, need[1] ? g : null) });
defineOp('Sub', { emit: onnxOp('Sub'), vjp: (n, g, need) => both(n, need[0] ? g : null, need[1] ? neg(g) : null) });
defineOp('Mul', {
  emit: onnxOp('Mul'),
  vjp: (n, g, need) => both(n, need[0] ? mul(g, n.inputs[1]) : null, need[1] ? mul(g, n.inputs[0]) : null),
});
defineOp('Div', {
  emit: onnxOp('Div'),
  vjp: (n, g, need) => {
    const [a, b] = n.inputs;
    return both(n, need[0] ? div(g, b) : null, need[1] ? neg(div(mul(g, n), b)) : null);
  },
});
defineOp('Pow', {
  emit: onnxOp('Pow'),
  vjp: (n, g, need) => {
    const [x, p] = n.inputs;
    const gx = need[0] ? mul(g, mul(p, pow(x, sub(p, 1)))) : null;
    const gp = need[1] ? mul(g, mul(n, log(x))) : null;
    return both(n, gx, gp);
  },
});
for (const op of ['Greater', 'Less', 'Equal']) defineOp(op, { emit: onnxOp(op) });

defineOp('Neg', { emit: onnxOp('Neg'), vjp: (_n, g) => [neg(g)] });
defineOp('Exp', { emit: onnxOp('Exp'), vjp: (n, g) => [mul(g, n)] });
defineOp('Log', { emit: onnxOp('Log'), vjp: (n, g) => [div(g, n.inputs[0])] });
defineOp('Sqrt', { emit: onnxOp('Sqrt'), vjp: (n, g) => [div(g, mul(n, 2))] });
defineOp('Abs', { emit: onnxOp('Abs'), vjp: (n, g) => [mul(g, sign(n.inputs[0]))] });
defineOp('Sign', { emit: onnxOp('Sign'), vjp: (n, g) => [mul(g, 0)] });
defineOp('Relu', { emit: onnxOp('Relu'), vjp: (n, g) => [where(greater(n.inputs[0], 0), g, 0)] });
defineOp('LeakyRelu', {
  emit: onnxOp('LeakyRelu'),
  vjp: (n, g) => [where(greater(n.inputs[0], 0), g, mul(g, n.attrs.alpha as number))],
});
defineOp('Tanh', { emit: onnxOp('Tanh'), vjp: (n, g) => [mul(g, sub(1, mul(n, n)))] });
defineOp('Sigmoid', { emit: onnxOp('Sigmoid'), vjp: (n, g) => [mul(g, mul(n, sub(1, n)))] });
defineOp('Softplus', { emit: onnxOp('Softplus'), vjp: (n, g) => [mul(g, sigmoid(n.inputs[0]))] });
defineOp('Clip', {
  emit: (n, ins, out, onnx) => {
    const lo = onnx.float([n.attrs.min as number], []);
    const hi = onnx.float([n.attrs.max as number], []);
    onnx.node('Clip', [ins[0], lo, hi], [out]);
  },
  // Gradient passes where the input is inside [min, max] (PyTorch's convention at the bounds too).
  vjp: (n, g) => {
    const x = n.inputs[0];
    const inside = mul(toFloat(greaterOrEqual(x, n.attrs.min as number)), toFloat(lessOrEqual(x, n.attrs.max as number)));
    return [mul(g, inside)];
  },
});
defineOp('Detach', { emit: onnxOp('Identity') });
defineOp('Cast', { emit: (_n, ins, out, onnx) => onnx.node('Cast', ins, [out], { to: 1 }) });
defineOp('Where', {
  emit: onnxOp('Where'),
  vjp: (n, g, need) => {
    const [c, a, b] = n.inputs;
    return [null, need[1] ? sumTo(where(c, g, 0), a.shape) : null, need[2] ? sumTo(where(c, 0, g), b.shape) : null];
  },
});

const greaterOrEqual = (a: Tensor, b: number) => new Tensor('GreaterOrEqual', [a, constant(b)], {}, a.shape, 'bool');
const lessOrEqual = (a: Tensor, b: number) => new Tensor('LessOrEqual', [a, constant(b)], {}, a.shape, 'bool');
defineOp('GreaterOrEqual', { emit: onnxOp('GreaterOrEqual') });
defineOp('LessOrEqual', { emit: onnxOp('LessOrEqual') });
