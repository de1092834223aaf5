// The ONNX importer's registry: one conversion per op type (domain ai.onnx), from a node to
// engine ops (float values) or folded host values (int64 shape arithmetic). The keys, in this
// order, are SUPPORTED_ONNX_OPS.
import { Tensor, constant } from '../tensor.js';
import { fmt, numel, normAxis } from '../shape.js';
import { add, clip, div, leakyRelu, mul, relu, sigmoid, sub, tanh, exp, neg, sqrt, abs } from '../ops/elementwise.js';
import { concat, pad, reduceMean, reshape, transpose, type PadMode } from '../ops/shape-ops.js';
import { conv2d, convTranspose2d } from '../ops/conv.js';
import { linear, matmul } from '../ops/matmul.js';
import { avgPool2d, globalAvgPool, maxPool2d } from '../ops/pool.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import { batchNorm } from '../ops/functional.js';
import { attrFloat, attrInt, attrInts, attrString, findAttr, tensorValue, type OnnxNode } from './import-proto.js';
import {
  allStatic, floatOf, isStatic, optional, require4d, requireOnlyFirstOutput, setOut, setStatic, spatialPads, staticInts, staticScalar,
  type Ctx, type Static,
} from './import-context.js';

/** Converts one node: sets its output in `ctx` (throws, without the node's name, when it cannot). */
export type OnnxOpImporter = (n: OnnxNode, ctx: Ctx) => void;

const FLOAT_MAX = 3.4028234663852886e38;

const first = (n: OnnxNode, ctx: Ctx): Tensor => floatOf(ctx, (n.input ?? [])[0]);

/** An elementwise op of one float input. */
const unary = (f: (x: Tensor) => Tensor): OnnxOpImporter => (n, ctx) => setOut(ctx, n, f(first(n, ctx)));

const convolution = (transposed: boolean): OnnxOpImporter => (n, ctx) => {
  const ins = n.input ?? [];
  const x = first(n, ctx);
  const op = transposed ? 'ConvTranspose' : 'Conv';
  require4d(x, op);
  const w = floatOf(ctx, ins[1]);
  const b = optional(n, 2) ? floatOf(ctx, ins[2]) : null;
  const kernel = w.shape.slice(2);
  const strides = attrInts(n, 'strides') ?? [1, 1];
  const dilations = attrInts(n, 'dilations') ?? [1, 1];
  const group = attrInt(n, 'group', 1);
  const s: [number, number] = [strides[0], strides[1]];
  const d: [number, number] = [dilations[0], dilations[1]];
  if (!transposed) {
    const pads = spatialPads(n, x.shape.slice(2), kernel, strides, dilations);
    return setOut(ctx, n, conv2d(x, w, b, { stride: s, dilation: d, padding: pads, group }));
  }
  if (findAttr(n, 'output_shape')) throw new Error("the 'output_shape' attribute is not supported (give pads and output_padding)");
  const autoPad = attrString(n, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new Error(`auto_pad ${autoPad} is not supported`);
  const p = attrInts(n, 'pads') ?? [0, 0, 0, 0];
  const op2 = attrInts(n, 'output_padding') ?? [0, 0];
  const padding: [number, number, number, number] = [p[0], p[1], p[2], p[3]];
  return setOut(ctx, n, convTranspose2d(x, w, b, { stride: s, dilation: d, padding, outputPadding: [op2[0], op2[1]], group }));
};

const gemm: OnnxOpImporter = (n, ctx) => {
  const ins = n.input ?? [];
  let a = first(n, ctx);
  const b = floatOf(ctx, ins[1]);
  const c = optional(n, 2) ? floatOf(ctx, ins[2]) : null;
  const alpha = attrFloat(n, 'alpha', 1);
  const beta = attrFloat(n, 'beta', 1);
  if (a.rank !== 2 || b.rank !== 2) throw new Error(`Gemm needs 2-D inputs, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
  if (attrInt(n, 'transA', 0)) a = transpose(a, [1, 0]);
  const transB = attrInt(n, 'transB', 0) === 1;
  // With transB the bias folds into the linear op when it is a plain [out] vector.
  const biasInLinear = transB && c !== null && alpha === 1 && beta === 1 && c.rank === 1 && c.shape[0] === b.shape[0];
  let y = transB ? linear(a, b, biasInLinear ? c : null) : matmul(a, b);
  if (alpha !== 1) y = mul(y, alpha);
  if (c && !biasInLinear) y = add(y, beta === 1 ? c : mul(c, beta));
  return setOut(ctx, n, y);
};

const matMul: OnnxOpImporter = (n, ctx) => {
  let a = first(n, ctx);
  let b = floatOf(ctx, (n.input ?? [])[1]);
  const aVec = a.rank === 1, bVec = b.rank === 1;
  if (aVec) a = reshape(a, [1, a.shape[0]]);
  if (bVec) b = reshape(b, [b.shape[0], 1]);
  let y = matmul(a, b);
  if (aVec || bVec) {
    const shape = [...y.shape];
    if (bVec) shape.pop();
    if (aVec) shape.splice(shape.length - (bVec ? 1 : 2), 1);
    y = reshape(y, shape);
  }
  return setOut(ctx, n, y);
};

const BINARY = { Add: add, Sub: sub, Mul: mul, Div: div } as const;

/** Add/Sub/Mul/Div: shape arithmetic on int64 constants is folded; float values go through engine ops. */
const binary = (op: keyof typeof BINARY): OnnxOpImporter => (n, ctx) => {
  const ins = n.input ?? [];
  if (allStatic(ctx, n) && ctx.statics.get(ins[0])!.dtype === 'int64' && ctx.statics.get(ins[1])!.dtype === 'int64') {
    return setStatic(ctx, n, foldBinary(op, ctx.statics.get(ins[0])!, ctx.statics.get(ins[1])!));
  }
  return setOut(ctx, n, BINARY[op](floatOf(ctx, ins[0]), floatOf(ctx, ins[1])));
};

const pool = (op: 'MaxPool' | 'AveragePool'): OnnxOpImporter => (n, ctx) => {
  requireOnlyFirstOutput(n);
  let x = first(n, ctx);
  require4d(x, op);
  const kernel = attrInts(n, 'kernel_shape');
  if (!kernel || kernel.length !== 2) throw new Error(`kernel_shape [${kernel ?? ''}] must have 2 dims`);
  const strides = attrInts(n, 'strides') ?? [1, 1];
  const dilations = attrInts(n, 'dilations') ?? [1, 1];
  if (dilations.some((d) => d !== 1)) throw new Error(`dilations [${dilations}] are not supported`);
  const [H, W] = x.shape.slice(2);
  const pads = spatialPads(n, [H, W], kernel, strides, dilations);
  if (attrInt(n, 'ceil_mode', 0)) {
    const outSize = (round: (v: number) => number) => [0, 1].map((i) => round(([H, W][i] + pads[i] + pads[i + 2] - kernel[i]) / strides[i]) + 1);
    const floorOut = outSize(Math.floor), ceilOut = outSize(Math.ceil);
    if (floorOut.some((d, i) => d !== ceilOut[i])) throw new Error('ceil_mode=1 changes the output size here; not supported');
  }
  const window = { kernel: [kernel[0], kernel[1]] as [number, number], stride: [strides[0], strides[1]] as [number, number] };
  if (op === 'MaxPool') {
    if (pads[0] === pads[2] && pads[1] === pads[3]) return setOut(ctx, n, maxPool2d(x, { ...window, padding: [pads[0], pads[1]] }));
    x = pad(x, [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], 'constant', -FLOAT_MAX);
    return setOut(ctx, n, maxPool2d(x, { ...window, padding: 0 }));
  }
  const anyPad = pads.some((p) => p !== 0);
  const xp = anyPad ? pad(x, [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]]) : x;
  let y = avgPool2d(xp, { ...window, padding: 0 });
  if (anyPad && !attrInt(n, 'count_include_pad', 0)) {
    y = div(y, constant(validFraction(H, W, kernel, strides, pads, y.shape.slice(2)), [1, 1, y.shape[2], y.shape[3]]));
  }
  return setOut(ctx, n, y);
};

const softmaxOp = (op: 'Softmax' | 'LogSoftmax'): OnnxOpImporter => (n, ctx) => {
  const x = first(n, ctx);
  const f = op === 'Softmax' ? softmax : logSoftmax;
  const axis = normAxis(op, attrInt(n, 'axis', ctx.opset >= 13 ? -1 : 1), x.rank);
  if (ctx.opset >= 13 || axis === x.rank - 1) return setOut(ctx, n, f(x, axis));
  // Before opset 13: softmax over the input flattened to 2-D at `axis`.
  const flat = reshape(x, [numel(x.shape.slice(0, axis)), numel(x.shape.slice(axis))]);
  return setOut(ctx, n, reshape(f(flat, 1), x.shape));
};

/** Identity and Dropout (inference: a copy). */
const passThrough = (dropout: boolean): OnnxOpImporter => (n, ctx) => {
  const ins = n.input ?? [];
  if (dropout) {
    requireOnlyFirstOutput(n);
    if (ins[2] && staticScalar(ctx, ins[2], 'training_mode')) throw new Error('training_mode=1 is not supported');
  }
  if (isStatic(ctx, ins[0])) setStatic(ctx, n, ctx.statics.get(ins[0])!);
  else setOut(ctx, n, first(n, ctx));
};

const squeeze = (op: 'Squeeze' | 'Unsqueeze'): OnnxOpImporter => (n, ctx) => {
  const ins = n.input ?? [];
  const axes = ctx.opset >= 13 ? (optional(n, 1) ? staticInts(ctx, ins[1], 'axes') : undefined) : attrInts(n, 'axes');
  const folded = isStatic(ctx, ins[0]);
  const dims = folded ? ctx.statics.get(ins[0])!.dims : first(n, ctx).shape;
  let out: number[];
  if (op === 'Squeeze') {
    const ax = (axes ?? dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normAxis('Squeeze', a, dims.length));
    if (ax.some((a) => dims[a] !== 1)) throw new Error(`cannot squeeze axes [${axes}] of shape ${fmt(dims)}`);
    out = dims.filter((_, i) => !ax.includes(i));
  } else {
    if (!axes) throw new Error('Unsqueeze needs axes');
    const rank = dims.length + axes.length;
    const ax = axes.map((a) => normAxis('Unsqueeze', a, rank));
    out = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(ax.includes(i) ? 1 : dims[k++]);
  }
  if (folded) return setStatic(ctx, n, { ...ctx.statics.get(ins[0])!, dims: out } as Static);
  return setOut(ctx, n, reshape(first(n, ctx), out));
};

/** 1-D host values as float32 or int64, like `like`. */
const hostVector = (like: Static, dims: number[], vals: number[]): Static =>
  like.dtype === 'float32' ? { dtype: 'float32', dims, data: Float32Array.from(vals) } : { dtype: 'int64', dims, data: vals };

export const ONNX_IMPORTERS: Readonly<Record<string, OnnxOpImporter>> = {
  Conv: convolution(false),
  ConvTranspose: convolution(true),
  Gemm: gemm,
  MatMul: matMul,
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Div: binary('Div'),
  Relu: unary(relu),
  LeakyRelu: (n, ctx) => setOut(ctx, n, leakyRelu(first(n, ctx), attrFloat(n, 'alpha', 0.01))),
  Sigmoid: unary(sigmoid),
  Tanh: unary(tanh),
  MaxPool: pool('MaxPool'),
  AveragePool: pool('AveragePool'),
  GlobalAveragePool: (n, ctx) => {
    const x = first(n, ctx);
    require4d(x, 'GlobalAveragePool');
    setOut(ctx, n, globalAvgPool(x));
  },
  ReduceMean: (n, ctx) => {
    const x = first(n, ctx);
    let axes = ctx.opset >= 18 ? (optional(n, 1) ? staticInts(ctx, n.input![1], 'axes') : undefined) : attrInts(n, 'axes');
    if (!axes || axes.length === 0) {
      if (attrInt(n, 'noop_with_empty_axes', 0)) return setOut(ctx, n, x);
      axes = x.shape.map((_, i) => i);
    }
    setOut(ctx, n, reduceMean(x, axes, attrInt(n, 'keepdims', 1) === 1));
  },
  Flatten: (n, ctx) => {
    const x = first(n, ctx);
    const axis = attrInt(n, 'axis', 1);
    const a = axis < 0 ? axis + x.rank : axis;
    if (a < 0 || a > x.rank) throw new Error(`axis ${axis} is out of range for rank ${x.rank}`);
    setOut(ctx, n, reshape(x, [numel(x.shape.slice(0, a)), numel(x.shape.slice(a))]));
  },
  Reshape: (n, ctx) => {
    const ins = n.input ?? [];
    const shape = staticInts(ctx, ins[1], 'shape');
    if (isStatic(ctx, ins[0])) {
      const s = ctx.statics.get(ins[0])!;
      return setStatic(ctx, n, { ...s, dims: resolveReshape(s.dims, shape, false) } as Static);
    }
    const x = first(n, ctx);
    setOut(ctx, n, reshape(x, resolveReshape(x.shape, shape, attrInt(n, 'allowzero', 0) === 1)));
  },
  Concat: (n, ctx) => {
    const ins = (n.input ?? []).filter(Boolean);
    const axis = attrInt(n, 'axis', 0);
    if (allStatic(ctx, n)) {
      const parts = ins.map((i) => ctx.statics.get(i)!);
      if (parts.some((p) => p.dims.length !== 1)) throw new Error('Concat of constant tensors is only supported in 1-D');
      const vals = parts.flatMap((p) => Array.from(p.data, Number));
      return setStatic(ctx, n, hostVector(parts[0], [vals.length], vals));
    }
    setOut(ctx, n, concat(ins.map((i) => floatOf(ctx, i)), axis));
  },
  BatchNormalization: (n, ctx) => {
    requireOnlyFirstOutput(n);
    if (attrInt(n, 'training_mode', 0)) throw new Error('training_mode=1 is not supported (export the model in eval mode)');
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => floatOf(ctx, n.input![i]));
    setOut(ctx, n, batchNorm(first(n, ctx), scale, bias, mean, variance, { training: false, eps: attrFloat(n, 'epsilon', 1e-5) }));
  },
  Softmax: softmaxOp('Softmax'),
  LogSoftmax: softmaxOp('LogSoftmax'),
  Identity: passThrough(false),
  Dropout: passThrough(true),
  Transpose: (n, ctx) => {
    const x = first(n, ctx);
    const perm = attrInts(n, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
    setOut(ctx, n, transpose(x, perm));
  },
  Pad: (n, ctx) => {
    const x = first(n, ctx);
    const mode = attrString(n, 'mode', 'constant');
    if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') throw new Error(`mode '${mode}' is not supported`);
    let pads: number[];
    let value = 0;
    if (ctx.opset < 11) {
      pads = attrInts(n, 'pads') ?? [];
      value = attrFloat(n, 'value', 0);
    } else {
      pads = staticInts(ctx, n.input![1], 'pads');
      value = staticScalar(ctx, optional(n, 2), 'constant_value') ?? 0;
      if (optional(n, 3)) {
        // opset 18 `axes`: pads given only for these axes.
        const axes = staticInts(ctx, n.input![3], 'axes').map((a) => normAxis('Pad', a, x.rank));
        const full = new Array<number>(2 * x.rank).fill(0);
        axes.forEach((a, i) => {
          full[a] = pads[i];
          full[a + x.rank] = pads[i + axes.length];
        });
        pads = full;
      }
    }
    setOut(ctx, n, pad(x, pads, mode as PadMode, value));
  },
  Clip: (n, ctx) => {
    let lo: number | undefined, hi: number | undefined;
    if (ctx.opset < 11) {
      lo = attrFloat(n, 'min', -FLOAT_MAX);
      hi = attrFloat(n, 'max', FLOAT_MAX);
    } else {
      lo = staticScalar(ctx, optional(n, 1), 'min');
      hi = staticScalar(ctx, optional(n, 2), 'max');
    }
    setOut(ctx, n, clip(first(n, ctx), lo ?? -FLOAT_MAX, hi ?? FLOAT_MAX));
  },
  Constant: (n, ctx) => {
    const a = n.attribute?.[0];
    if (!a) throw new Error('Constant without a value');
    if (a.name === 'value' && a.t) return setStatic(ctx, n, tensorValue(a.t, 'Constant value'));
    if (a.name === 'value_float') return setStatic(ctx, n, { dtype: 'float32', dims: [], data: Float32Array.of(Number(a.f ?? 0)) });
    if (a.name === 'value_floats') return setStatic(ctx, n, { dtype: 'float32', dims: [(a.floats ?? []).length], data: Float32Array.from(a.floats ?? []) });
    if (a.name === 'value_int') return setStatic(ctx, n, { dtype: 'int64', dims: [], data: [Number(a.i ?? 0)] });
    if (a.name === 'value_ints') return setStatic(ctx, n, { dtype: 'int64', dims: [(a.ints ?? []).length], data: (a.ints ?? []).map(Number) });
    throw new Error(`Constant attribute '${a.name}' is not supported`);
  },
  Exp: unary(exp),
  Neg: unary(neg),
  Sqrt: unary(sqrt),
  Abs: unary(abs),
  Squeeze: squeeze('Squeeze'),
  Unsqueeze: squeeze('Unsqueeze'),
  Shape: (n, ctx) => {
    const ins = n.input ?? [];
    const x = ctx.values.get(ins[0]) ?? null;
    const dims = x ? x.shape : ctx.statics.get(ins[0])?.dims;
    if (!dims) throw new Error(`input '${ins[0]}' is unknown`);
    let d = [...dims];
    const start = attrInt(n, 'start', 0), end = findAttr(n, 'end') ? attrInt(n, 'end', d.length) : d.length;
    d = d.slice(start < 0 ? start + dims.length : start, end < 0 ? end + dims.length : end);
    setStatic(ctx, n, { dtype: 'int64', dims: [d.length], data: d });
  },
  Gather: (n, ctx) => {
    const ins = n.input ?? [];
    if (!allStatic(ctx, n)) throw new Error('Gather is only supported on constant (shape) tensors');
    const data = ctx.statics.get(ins[0])!;
    const idx = ctx.statics.get(ins[1])!;
    const axis = attrInt(n, 'axis', 0);
    if (data.dims.length !== 1 || axis !== 0) throw new Error('Gather is only supported on 1-D constant tensors');
    const vals = Array.from(idx.data, (i) => Number(data.data[Number(i) < 0 ? Number(i) + data.dims[0] : Number(i)]));
    setStatic(ctx, n, hostVector(data, idx.dims, vals));
  },
  Cast: (n, ctx) => {
    const ins = n.input ?? [];
    const to = attrInt(n, 'to', 1);
    if (isStatic(ctx, ins[0])) {
      const s = ctx.statics.get(ins[0])!;
      if (to === 1) return setStatic(ctx, n, { dtype: 'float32', dims: s.dims, data: Float32Array.from(s.data, Number) });
      if (to === 7 || to === 6) return setStatic(ctx, n, { dtype: 'int64', dims: s.dims, data: Array.from(s.data, (v) => Math.trunc(Number(v))) });
      throw new Error(`Cast to ONNX type ${to} is not supported`);
    }
    if (to !== 1) throw new Error(`Cast of a float tensor to ONNX type ${to} is not supported`);
    setOut(ctx, n, first(n, ctx));
  },
};

/** Reshape target with ONNX rules: 0 copies the input dim (unless allowzero), one -1 is inferred. */
function resolveReshape(inShape: readonly number[], target: readonly number[], allowZero: boolean): number[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? inShape[i] : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (out.filter((d) => d === -1).length > 1) throw new Error(`shape [${target}] has more than one -1`);
  return out.map((d) => (d === -1 ? numel(inShape) / known : d));
}

const FOLD = {
  Add: (x: number, y: number) => x + y,
  Sub: (x: number, y: number) => x - y,
  Mul: (x: number, y: number) => x * y,
  Div: (x: number, y: number) => x / y,
};

function foldBinary(op: keyof typeof FOLD, a: Static, b: Static): Static {
  const f = FOLD[op];
  const n = Math.max(a.data.length, b.data.length);
  if ((a.data.length !== n && a.data.length !== 1) || (b.data.length !== n && b.data.length !== 1)) {
    throw new Error(`${op} of constants with shapes ${fmt(a.dims)} and ${fmt(b.dims)} is not supported`);
  }
  const dims = a.data.length === n ? a.dims : b.dims;
  const vals = Array.from({ length: n }, (_, i) => f(Number(a.data[a.data.length === 1 ? 0 : i]), Number(b.data[b.data.length === 1 ? 0 : i])));
  return { dtype: 'int64', dims, data: vals.map((v) => (op === 'Div' ? Math.trunc(v) : v)) };
}

/** For AveragePool with count_include_pad=0: per output pixel, the fraction of its window inside the image. */
function validFraction(H: number, W: number, k: readonly number[], s: readonly number[], p: readonly number[], out: readonly number[]): Float32Array {
  const f = new Float32Array(out[0] * out[1]);
  for (let i = 0; i < out[0]; i++) {
    const y0 = i * s[0] - p[0];
    const rows = Math.min(H, y0 + k[0]) - Math.max(0, y0);
    for (let j = 0; j < out[1]; j++) {
      const x0 = j * s[1] - p[1];
      const cols = Math.min(W, x0 + k[1]) - Math.max(0, x0);
      f[i * out[1] + j] = Math.max(1, rows * cols) / (k[0] * k[1]);
    }
  }
  return f;
}
