import { Tensor } from '../tensor.js';
import { numel, normAxis, ShapeError, fmt, broadcastShapes, type Shape } from '../shape.js';
import { defineOp, onnxOp } from './registry.js';
import { add, div, equal, mul, sumTo, toFloat } from './elementwise.js';

// --- Reshape / Transpose / Expand ---------------------------------------------------------

/** Reshapes to `shape` (one dim may be -1). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const known = shape.filter((d) => d !== -1);
  const inferred = shape.includes(-1) ? numel(x.shape) / Math.max(1, numel(known)) : undefined;
  const out = shape.map((d) => (d === -1 ? inferred! : d));
  if (numel(out) !== numel(x.shape) || !Number.isInteger(inferred ?? 0)) {
    throw new ShapeError('Reshape', [x.shape], `a shape with ${numel(x.shape)} elements, got ${fmt(shape)}`);
  }
  return new Tensor('Reshape', [x], { shape: out }, out, x.dtype);
}

export function flatten(x: Tensor, startAxis = 1): Tensor {
  return reshape(x, [...x.shape.slice(0, startAxis), numel(x.shape.slice(startAxis))]);
}

export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== x.rank || sorted.some((p, i) => p !== i)) {
    throw new ShapeError('Transpose', [x.shape], `perm to be a permutation of 0..${x.rank - 1}, got [${perm}]`);
  }
  return new Tensor('Transpose', [x], { perm: [...perm] }, perm.map((p) => x.shape[p]), x.dtype);
}

export function expand(x: Tensor, shape: Shape): Tensor {
  return new Tensor('Expand', [x], { shape: [...shape] }, broadcastShapes('Expand', x.shape, shape), x.dtype);
}

defineOp('Reshape', {
  emit: (n, ins, out, onnx) => onnx.node('Reshape', [ins[0], onnx.int64(n.shape)], [out]),
  vjp: (n, g) => [reshape(g, n.inputs[0].shape)],
});
defineOp('Transpose', {
  emit: onnxOp('Transpose'),
  vjp: (n, g) => {
    const perm = n.attrs.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [transpose(g, inverse)];
  },
});
defineOp('Expand', {
  emit: (n, ins, out, onnx) => onnx.node('Expand', [ins[0], onnx.int64(n.attrs.shape as number[])], [out]),
  vjp: (n, g) => [sumTo(g, n.inputs[0].shape)],
});

// --- Reductions -------------------------------------------------------------------------

function reduced(op: string, x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const norm = [...new Set(axes.map((a) => normAxis(op, a, x.rank)))].sort((a, b) => a - b);
  const shape = x.shape.flatMap((d, i) => (norm.includes(i) ? (keepdims ? [1] : []) : [d]));
  return new Tensor(op, [x], { axes: norm, keepdims: keepdims ? 1 : 0 }, shape);
}

/** Sum over `axes` (all axes when empty is not allowed: pass them). */
export const reduceSum = (x: Tensor, axes: readonly number[], keepdims = false) => reduced('ReduceSum', x, axes, keepdims);
export const reduceMean = (x: Tensor, axes: readonly number[], keepdims = false) => reduced('ReduceMean', x, axes, keepdims);
export const reduceMax = (x: Tensor, axes: readonly number[], keepdims = false) => reduced('ReduceMax', x, axes, keepdims);
export const allAxes = (x: Tensor) => x.shape.map((_, i) => i);
/** Mean of every element: a scalar. */
export const mean = (x: Tensor) => reduceMean(x, allAxes(x));
export const sum = (x: Tensor) => reduceSum(x, allAxes(x));

/** Shape of a reduction's output with the reduced axes kept as 1s (to broadcast gradients back). */
const keptShape = (n: Tensor) => n.inputs[0].shape.map((d, i) => ((n.attrs.axes as number[]).includes(i) ? 1 : d));

defineOp('ReduceSum', {
  emit: (n, ins, out, onnx) => onnx.node('ReduceSum', [ins[0], onnx.int64(n.attrs.axes as number[])], [out], { keepdims: n.attrs.keepdims }),
  vjp: (n, g) => [expand(reshape(g, keptShape(n)), n.inputs[0].shape)],
});
defineOp('ReduceMean', {
  emit: onnxOp('ReduceMean'),
  vjp: (n, g) => {
    const count = numel(n.inputs[0].shape) / Math.max(1, numel(n.shape));
    return [expand(reshape(div(g, count), keptShape(n)), n.inputs[0].shape)];
  },
});
defineOp('ReduceMax', {
  emit: onnxOp('ReduceMax'),
  // Ties share the gradient equally (as torch.amax does).
  vjp: (n, g) => {
    const x = n.inputs[0];
    const mask = toFloat(equal(x, reshape(n, keptShape(n))));
    const count = reduceSum(mask, n.attrs.axes as number[], true);
    return [mul(div(mask, count), reshape(g, keptShape(n)))];
  },
});

// --- Concat / Slice ---------------------------------------------------------------------

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error('Concat: needs at least one tensor');
  const a = normAxis('Concat', axis, xs[0].rank);
  const ok = xs.every((x) => x.rank === xs[0].rank && x.shape.every((d, i) => i === a || d === xs[0].shape[i]));
  if (!ok) throw new ShapeError('Concat', xs.map((x) => x.shape), `equal shapes except along axis ${a}`);
  const shape = [...xs[0].shape];
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  return new Tensor('Concat', xs, { axis: a }, shape, xs[0].dtype);
}

defineOp('Concat', {
  emit: onnxOp('Concat'),
  vjp: (n, g, need) => {
    const axis = n.attrs.axis as number;
    let offset = 0;
    return n.inputs.map((x, i) => {
      const start = offset;
      offset += x.shape[axis];
      return need[i] ? slice(g, [start], [offset], [axis]) : null;
    });
  },
});

interface SliceSpec { start: number; len: number; step: number }

function sliceSpec(dim: number, start: number, end: number, step: number): SliceSpec {
  if (step === 0) throw new Error('Slice: step must not be 0');
  const s0 = start < 0 ? start + dim : start;
  const e0 = end < 0 ? end + dim : end;
  if (step > 0) {
    const s = Math.min(Math.max(s0, 0), dim);
    const e = Math.min(Math.max(e0, 0), dim);
    return { start: s, len: Math.max(0, Math.ceil((e - s) / step)), step };
  }
  const s = Math.min(Math.max(s0, 0), dim - 1);
  const e = Math.min(Math.max(e0, -1), dim - 1);
  return { start: s, len: Math.max(0, Math.ceil((s - e) / -step)), step };
}

/** ONNX Slice: per axis, elements start, start+step, ... before end (negative indices count from the end). */
export function slice(x: Tensor, starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[]): Tensor {
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis('Slice', a, x.rank));
  const st = steps ?? ax.map(() => 1);
  const shape = [...x.shape];
  ax.forEach((a, i) => (shape[a] = sliceSpec(x.shape[a], starts[i], ends[i], st[i]).len));
  return new Tensor('Slice', [x], { starts: [...starts], ends: [...ends], axes: ax, steps: [...st] }, shape, x.dtype);
}

/** x[..., start:start+len, ...] along one axis. */
export const narrow = (x: Tensor, axis: number, start: number, len: number) => slice(x, [start], [start + len], [axis]);

defineOp('Slice', {
  emit: (n, ins, out, onnx) => {
    const a = n.attrs;
    const ints = (k: string) => onnx.int64(a[k] as number[]);
    onnx.node('Slice', [ins[0], ints('starts'), ints('ends'), ints('axes'), ints('steps')], [out]);
  },
  vjp: (n, g) => {
    // Scatter the gradient back one sliced axis at a time: zeros everywhere the slice skipped.
    const x = n.inputs[0];
    const a = n.attrs;
    let gx = g;
    (a.axes as number[]).forEach((axis, i) => {
      const spec = sliceSpec(x.shape[axis], (a.starts as number[])[i], (a.ends as number[])[i], (a.steps as number[])[i]);
      gx = unsliceAxis(gx, axis, x.shape[axis], spec);
    });
    return [gx];
  },
});

function unsliceAxis(g: Tensor, axis: number, dim: number, { start, len, step }: SliceSpec): Tensor {
  if (len === 0) return padAxis(g, axis, 0, dim);
  let first = start;
  if (step < 0) {
    g = slice(g, [-1], [-(2 ** 31)], [axis], [-1]);
    first = start + (len - 1) * step;
  }
  const s = Math.abs(step);
  if (s > 1) {
    // Interleave s-1 zeros after each element: add an axis of size 1, pad it to s, merge it back.
    const withAxis = reshape(g, [...g.shape.slice(0, axis + 1), 1, ...g.shape.slice(axis + 1)]);
    const spread = padAxis(withAxis, axis + 1, 0, s - 1);
    g = reshape(spread, [...g.shape.slice(0, axis), len * s, ...g.shape.slice(axis + 1)]);
    g = narrow(g, axis, 0, Math.min(len * s, dim - first));
  }
  return padAxis(g, axis, first, dim - first - g.shape[axis]);
}

// --- Pad --------------------------------------------------------------------------------

export type PadMode = 'constant' | 'reflect' | 'edge';

/** ONNX Pad: `pads` = [d0_begin, d1_begin, ..., d0_end, d1_end, ...]. */
export function pad(x: Tensor, pads: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  if (pads.length !== 2 * x.rank) throw new ShapeError('Pad', [x.shape], `${2 * x.rank} pad values, got ${pads.length}`);
  const shape = x.shape.map((d, i) => d + pads[i] + pads[i + x.rank]);
  if (mode === 'reflect') {
    x.shape.forEach((d, i) => {
      if (pads[i] >= d || pads[i + x.rank] >= d) throw new ShapeError('Pad', [x.shape], `reflect pads smaller than the dim (axis ${i}: ${d}), got [${pads}]`);
    });
  }
  if (shape.some((d) => d < 0)) throw new ShapeError('Pad', [x.shape], `pads that leave a non-negative size, got [${pads}]`);
  return new Tensor('Pad', [x], { pads: [...pads], mode, value }, shape, x.dtype);
}

/** Zero-pads one axis. */
export function padAxis(x: Tensor, axis: number, begin: number, end: number): Tensor {
  if (begin === 0 && end === 0) return x;
  const pads = new Array<number>(2 * x.rank).fill(0);
  pads[axis] = begin;
  pads[axis + x.rank] = end;
  return pad(x, pads);
}

defineOp('Pad', {
  emit: (n, ins, out, onnx) => {
    const mode = n.attrs.mode as string;
    const padsName = onnx.int64(n.attrs.pads as number[]);
    const inputs = mode === 'constant' ? [ins[0], padsName, onnx.float([n.attrs.value as number], [])] : [ins[0], padsName];
    onnx.node('Pad', inputs, [out], { mode });
  },
  vjp: (n, g) => {
    const x = n.inputs[0];
    const pads = n.attrs.pads as number[];
    const mode = n.attrs.mode as PadMode;
    let gx = g;
    x.shape.forEach((dim, axis) => {
      const b = pads[axis];
      const e = pads[axis + x.rank];
      if (b !== 0 || e !== 0) gx = padAdjoint(gx, axis, b, e, dim, mode);
    });
    return [gx];
  },
});

/**
 * The adjoint of reflect-padding one axis by (b, e) >= 0, as one Concat of the gradient's pieces: the
 * reversed borders are added onto the b pixels after the first and the e before the last. Writes the
 * gradient about twice instead of five times (slice, then zero-pad and add per border), and ResNet
 * generators reflect-pad every residual block. Needs n >= b + e + 2 (the two folded ranges apart).
 */
function reflectPadAdjoint(g: Tensor, axis: number, b: number, e: number, n: number): Tensor {
  const part = (start: number, end: number) => slice(g, [start], [end], [axis]);
  const reversed = (start: number, end: number) => slice(g, [end - 1], [start === 0 ? -(2 ** 31) : start - 1], [axis], [-1]);
  const pieces: Tensor[] = [];
  if (b > 0) pieces.push(part(b, b + 1), add(part(b + 1, 2 * b + 1), reversed(0, b)));
  const [start, end] = [b > 0 ? 2 * b + 1 : b, e > 0 ? b + n - 1 - e : b + n];
  if (end > start) pieces.push(part(start, end));
  if (e > 0) pieces.push(add(part(b + n - 1 - e, b + n - 1), reversed(b + n, b + n + e)), part(b + n - 1, b + n));
  return pieces.length === 1 ? pieces[0] : concat(pieces, axis);
}

/** The adjoint of padding one axis by (b, e): folds the padded border's gradient back onto the pixels it copied. */
function padAdjoint(g: Tensor, axis: number, b: number, e: number, n: number, mode: PadMode): Tensor {
  if (mode === 'reflect' && b >= 0 && e >= 0 && n >= b + e + 2) return reflectPadAdjoint(g, axis, b, e, n);
  // Negative pads crop; their adjoint zero-pads the cropped part back.
  const center = slice(g, [Math.max(b, 0)], [Math.max(b, 0) + n + Math.min(b, 0) + Math.min(e, 0)], [axis]);
  let gx = padAxis(center, axis, Math.max(-b, 0), Math.max(-e, 0));
  if (mode === 'constant') return gx;
  if (b > 0) {
    const left = narrow(g, axis, 0, b);
    const folded = mode === 'reflect'
      ? padAxis(slice(left, [-1], [-(2 ** 31)], [axis], [-1]), axis, 1, n - 1 - b)
      : padAxis(reduceSum(left, [axis], true), axis, 0, n - 1);
    gx = add(gx, folded);
  }
  if (e > 0) {
    const right = narrow(g, axis, b + n, e);
    const folded = mode === 'reflect'
      ? padAxis(slice(right, [-1], [-(2 ** 31)], [axis], [-1]), axis, n - 1 - e, 1)
      : padAxis(reduceSum(right, [axis], true), axis, n - 1, 0);
    gx = add(gx, folded);
  }
  return gx;
}
