// Converts an ONNX model (opset >= 11, float32) into engine tensors, so the engine's autodiff
// can differentiate it (Grad-CAM). Initializers become constants; the model input becomes an
// engine input. Shapes are static: a symbolic batch dim becomes `batch` (default 1).
//
// Supported ops: see SUPPORTED_ONNX_OPS. Shape arithmetic that exporters emit for reshapes
// (Shape, Gather, Unsqueeze, Squeeze, Concat, Cast on int64) is folded at import time.
import { Tensor, constant, input } from '../tensor.js';
import { fmt, numel, normAxis } from '../shape.js';
import { add, clip, div, leakyRelu, mul, relu, sigmoid, sub, tanh, exp, neg, sqrt, abs } from '../ops/elementwise.js';
import { concat, pad, reduceMean, reshape, transpose, type PadMode } from '../ops/shape-ops.js';
import { conv2d, convTranspose2d } from '../ops/conv.js';
import { linear, matmul } from '../ops/matmul.js';
import { avgPool2d, globalAvgPool, maxPool2d } from '../ops/pool.js';
import { logSoftmax, softmax } from '../ops/softmax.js';
import { batchNorm } from '../ops/functional.js';
import {
  attrFloat, attrInt, attrInts, attrString, decodeOnnx, defaultOpset, findAttr, nodeLabel, realInputs, tensorValue, valueInfoShape,
  type HostValue, type OnnxModelObject, type OnnxNode,
} from './import-proto.js';

/** ONNX ops the importer converts (domain ai.onnx). */
export const SUPPORTED_ONNX_OPS: readonly string[] = [
  'Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh',
  'MaxPool', 'AveragePool', 'GlobalAveragePool', 'ReduceMean', 'Flatten', 'Reshape', 'Concat', 'BatchNormalization',
  'Softmax', 'LogSoftmax', 'Identity', 'Dropout', 'Transpose', 'Pad', 'Clip', 'Constant',
  'Exp', 'Neg', 'Sqrt', 'Abs', 'Squeeze', 'Unsqueeze', 'Shape', 'Gather', 'Cast',
];

/** Thrown when a model uses ops the engine cannot express; lists every offending op and node. */
export class UnsupportedOnnxOpError extends Error {
  constructor(readonly ops: readonly { opType: string; node: string }[], what = 'model') {
    const types = [...new Set(ops.map((o) => o.opType))];
    super(`${what}: unsupported ONNX op${types.length > 1 ? 's' : ''} ${types.join(', ')} (node${ops.length > 1 ? 's' : ''} ${ops.map((o) => `'${o.node}' [${o.opType}]`).join(', ')}); the importer supports ${SUPPORTED_ONNX_OPS.join(', ')}`);
    this.name = 'UnsupportedOnnxOpError';
  }
}

export interface ImportOptions {
  /** Names the model in errors (e.g. its path). */
  what?: string;
  /** Value for a symbolic first (batch) dim of the input; default 1. */
  batch?: number;
  /** Full input shape, overriding the file's (needed when spatial dims are symbolic). */
  inputShape?: readonly number[];
  /** Graph values to import up to (default: the graph outputs); nodes not needed for them are skipped. */
  outputs?: readonly string[];
  /**
   * Called with every float value a node produces; what it returns is used downstream instead
   * (e.g. a tap to differentiate with respect to an intermediate value).
   */
  intercept?: (valueName: string, t: Tensor) => Tensor;
}

export interface ImportedOnnx {
  /** The engine input standing for the model input (same name). */
  input: Tensor;
  inputName: string;
  inputShape: number[];
  /** The requested outputs by ONNX value name. */
  outputs: Record<string, Tensor>;
  /** Every imported float value by ONNX value name (intermediate feature maps included). */
  values: Map<string, Tensor>;
  /** The nodes that were imported, in order. */
  nodes: OnnxNode[];
  opset: number;
}

type Static = HostValue;

/** Imports the model (bytes or decoded); see the module comment. */
export function importOnnx(model: Uint8Array | OnnxModelObject, opts: ImportOptions = {}): ImportedOnnx {
  const what = opts.what ?? 'model';
  const m = model instanceof Uint8Array ? decodeOnnx(model, what) : model;
  const g = m.graph!;
  const opset = defaultOpset(m);
  if (opset < 11) throw new Error(`${what}: opset ${opset || '(none)'} is too old: the importer needs opset >= 11`);

  const inputs = realInputs(g);
  if (inputs.length !== 1) throw new Error(`${what}: expected one graph input, found ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`);
  const inInfo = inputs[0];
  const elem = inInfo.type?.tensor_type?.elem_type;
  if (elem !== undefined && elem !== 1) throw new Error(`${what}: input '${inInfo.name}' is not float32 (ONNX type ${elem})`);
  const fileShape = valueInfoShape(inInfo);
  let inputShape: number[];
  if (opts.inputShape) inputShape = [...opts.inputShape];
  else {
    if (!fileShape) throw new Error(`${what}: input '${inInfo.name}' has no shape; give the input shape`);
    inputShape = fileShape.map((d, i) => (d ?? (i === 0 ? opts.batch ?? 1 : NaN)));
    if (inputShape.some((d) => Number.isNaN(d))) throw new Error(`${what}: input '${inInfo.name}' has symbolic dims [${fileShape.map((d) => d ?? '?')}]; give the input size`);
  }

  // Only the nodes the requested outputs depend on.
  const wanted = opts.outputs ?? (g.output ?? []).map((o) => o.name);
  const nodes = g.node ?? [];
  const producer = new Map<string, OnnxNode>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);
  const needed = new Set<OnnxNode>();
  const stack = [...wanted];
  const seen = new Set<string>();
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    const p = producer.get(v);
    if (!p || needed.has(p)) continue;
    needed.add(p);
    for (const i of p.input ?? []) if (i) stack.push(i);
  }
  for (const w of wanted) if (!producer.has(w) && w !== inInfo.name) throw new Error(`${what}: no node produces '${w}'`);
  const order = nodes.filter((n) => needed.has(n));
  const bad = order.filter((n) => (n.domain && n.domain !== 'ai.onnx') || !SUPPORTED_ONNX_OPS.includes(n.op_type));
  if (bad.length) throw new UnsupportedOnnxOpError(bad.map((n) => ({ opType: n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.op_type}` : n.op_type, node: nodeLabel(n) })), what);

  const x = input(inInfo.name, inputShape);
  const values = new Map<string, Tensor>([[inInfo.name, x]]);
  const statics = new Map<string, Static>();
  const used = new Set(order.flatMap((n) => n.input ?? []));
  for (const t of g.initializer ?? []) if (t.name && used.has(t.name)) statics.set(t.name, tensorValue(t, `${what}: initializer '${t.name}'`));

  const ctx: Ctx = { what, opset, values, statics, intercept: opts.intercept };
  for (const n of order) {
    try {
      convertNode(n, ctx);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`${what}: node '${nodeLabel(n)}' (${n.op_type}): ${msg}`);
    }
  }
  const outputs: Record<string, Tensor> = {};
  for (const w of wanted) outputs[w] = floatOf(ctx, w);
  return { input: x, inputName: inInfo.name, inputShape, outputs, values, nodes: order, opset };
}

interface Ctx { what: string; opset: number; values: Map<string, Tensor>; statics: Map<string, Static>; intercept?: (valueName: string, t: Tensor) => Tensor }

/** The engine tensor of a float value (initializers become constants on first use). */
function floatOf(ctx: Ctx, name: string): Tensor {
  const t = ctx.values.get(name);
  if (t) return t;
  const s = ctx.statics.get(name);
  if (s) {
    if (s.dtype !== 'float32') throw new Error(`'${name}' is an int64 tensor where a float tensor is needed`);
    const c = constant(s.data, s.dims);
    ctx.values.set(name, c);
    return c;
  }
  throw new Error(`input '${name}' is not computed by any earlier node`);
}

const optional = (n: OnnxNode, i: number): string | undefined => (n.input?.[i] ? n.input[i] : undefined);

function staticInts(ctx: Ctx, name: string, what: string): number[] {
  const s = ctx.statics.get(name);
  if (!s) throw new Error(`${what} '${name}' must be a constant (computed shapes are not supported)`);
  return Array.from(s.data, Number);
}

function staticScalar(ctx: Ctx, name: string | undefined, what: string): number | undefined {
  if (!name) return undefined;
  const s = ctx.statics.get(name);
  if (!s || s.data.length !== 1) throw new Error(`${what} '${name}' must be a constant scalar`);
  return Number(s.data[0]);
}

/** True when every input of the node is a folded (host) value: shape arithmetic. */
const allStatic = (ctx: Ctx, n: OnnxNode) => (n.input ?? []).filter(Boolean).every((i) => ctx.statics.has(i) && !ctx.values.has(i));

function setOut(ctx: Ctx, n: OnnxNode, t: Tensor): void {
  const name = n.output![0];
  ctx.values.set(name, ctx.intercept ? ctx.intercept(name, t) : t);
}

function setStatic(ctx: Ctx, n: OnnxNode, v: Static): void {
  ctx.statics.set(n.output![0], v);
}

function requireOnlyFirstOutput(n: OnnxNode): void {
  if ((n.output ?? []).slice(1).some(Boolean)) throw new Error(`only the first output is supported (the node also outputs ${n.output!.slice(1).filter(Boolean).join(', ')})`);
}

/** pads [t, l, b, r] for auto_pad SAME_UPPER/SAME_LOWER/VALID, or the explicit attribute. */
function spatialPads(n: OnnxNode, inHW: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): [number, number, number, number] {
  const autoPad = attrString(n, 'auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const p = [0, 1].map((i) => {
      const out = Math.ceil(inHW[i] / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inHW[i]);
      const small = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    });
    return [p[0][0], p[1][0], p[0][1], p[1][1]];
  }
  const pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
  if (pads.length !== 4) throw new Error(`only 2-D ops are supported (pads [${pads}])`);
  return [pads[0], pads[1], pads[2], pads[3]];
}

function require4d(x: Tensor, op: string): void {
  if (x.rank !== 4) throw new Error(`${op} on a ${x.rank}-D tensor ${fmt(x.shape)}: only 2-D images [N,C,H,W] are supported`);
}

function convertNode(n: OnnxNode, ctx: Ctx): void {
  const ins = n.input ?? [];
  const op = n.op_type;
  const X = () => floatOf(ctx, ins[0]);
  switch (op) {
    case 'Identity':
    case 'Dropout': {
      if (op === 'Dropout') {
        requireOnlyFirstOutput(n);
        if (ins[2] && staticScalar(ctx, ins[2], 'training_mode')) throw new Error('training_mode=1 is not supported');
      }
      if (ctx.statics.has(ins[0]) && !ctx.values.has(ins[0])) setStatic(ctx, n, ctx.statics.get(ins[0])!);
      else setOut(ctx, n, X());
      return;
    }
    case 'Constant': {
      const a = n.attribute?.[0];
      if (!a) throw new Error('Constant without a value');
      if (a.name === 'value' && a.t) return setStatic(ctx, n, tensorValue(a.t, 'Constant value'));
      if (a.name === 'value_float') return setStatic(ctx, n, { dtype: 'float32', dims: [], data: Float32Array.of(Number(a.f ?? 0)) });
      if (a.name === 'value_floats') return setStatic(ctx, n, { dtype: 'float32', dims: [(a.floats ?? []).length], data: Float32Array.from(a.floats ?? []) });
      if (a.name === 'value_int') return setStatic(ctx, n, { dtype: 'int64', dims: [], data: [Number(a.i ?? 0)] });
      if (a.name === 'value_ints') return setStatic(ctx, n, { dtype: 'int64', dims: [(a.ints ?? []).length], data: (a.ints ?? []).map(Number) });
      throw new Error(`Constant attribute '${a.name}' is not supported`);
    }
    case 'Conv':
    case 'ConvTranspose': {
      const x = X();
      require4d(x, op);
      const w = floatOf(ctx, ins[1]);
      const b = optional(n, 2) ? floatOf(ctx, ins[2]) : null;
      const kernel = w.shape.slice(2);
      const strides = attrInts(n, 'strides') ?? [1, 1];
      const dilations = attrInts(n, 'dilations') ?? [1, 1];
      const group = attrInt(n, 'group', 1);
      const s: [number, number] = [strides[0], strides[1]];
      const d: [number, number] = [dilations[0], dilations[1]];
      if (op === 'Conv') {
        const pads = spatialPads(n, x.shape.slice(2), kernel, strides, dilations);
        return setOut(ctx, n, conv2d(x, w, b, { stride: s, dilation: d, padding: pads, group }));
      }
      if (findAttr(n, 'output_shape')) throw new Error("the 'output_shape' attribute is not supported (give pads and output_padding)");
      const autoPad = attrString(n, 'auto_pad', 'NOTSET');
      if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw new Error(`auto_pad ${autoPad} is not supported`);
      const p = attrInts(n, 'pads') ?? [0, 0, 0, 0];
      const op2 = attrInts(n, 'output_padding') ?? [0, 0];
      return setOut(ctx, n, convTranspose2d(x, w, b, { stride: s, dilation: d, padding: [p[0], p[1], p[2], p[3]], outputPadding: [op2[0], op2[1]], group }));
    }
    case 'Gemm': {
      let a = X();
      const bName = ins[1];
      const b = floatOf(ctx, bName);
      const c = optional(n, 2) ? floatOf(ctx, ins[2]) : null;
      const alpha = attrFloat(n, 'alpha', 1);
      const beta = attrFloat(n, 'beta', 1);
      if (a.rank !== 2 || b.rank !== 2) throw new Error(`Gemm needs 2-D inputs, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
      if (attrInt(n, 'transA', 0)) a = transpose(a, [1, 0]);
      const transB = attrInt(n, 'transB', 0) === 1;
      let y: Tensor;
      if (transB) y = linear(a, b, c && alpha === 1 && beta === 1 && c.rank === 1 && c.shape[0] === b.shape[0] ? c : null);
      else y = matmul(a, b);
      const biasInLinear = transB && c && alpha === 1 && beta === 1 && c.rank === 1 && c.shape[0] === b.shape[0];
      if (alpha !== 1) y = mul(y, alpha);
      if (c && !biasInLinear) y = add(y, beta === 1 ? c : mul(c, beta));
      return setOut(ctx, n, y);
    }
    case 'MatMul': {
      let a = X();
      let b = floatOf(ctx, ins[1]);
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
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      // Shape arithmetic on int64 constants is folded; float constants go through engine ops.
      if (allStatic(ctx, n) && ctx.statics.get(ins[0])!.dtype === 'int64' && ctx.statics.get(ins[1])!.dtype === 'int64') {
        return setStatic(ctx, n, foldBinary(op, ctx.statics.get(ins[0])!, ctx.statics.get(ins[1])!));
      }
      const f = { Add: add, Sub: sub, Mul: mul, Div: div }[op];
      return setOut(ctx, n, f(floatOf(ctx, ins[0]), floatOf(ctx, ins[1])));
    }
    case 'Relu': return setOut(ctx, n, relu(X()));
    case 'LeakyRelu': return setOut(ctx, n, leakyRelu(X(), attrFloat(n, 'alpha', 0.01)));
    case 'Sigmoid': return setOut(ctx, n, sigmoid(X()));
    case 'Tanh': return setOut(ctx, n, tanh(X()));
    case 'Exp': return setOut(ctx, n, exp(X()));
    case 'Neg': return setOut(ctx, n, neg(X()));
    case 'Sqrt': return setOut(ctx, n, sqrt(X()));
    case 'Abs': return setOut(ctx, n, abs(X()));
    case 'Clip': {
      let lo: number | undefined, hi: number | undefined;
      if (ctx.opset < 11) {
        lo = attrFloat(n, 'min', -3.4028234663852886e38);
        hi = attrFloat(n, 'max', 3.4028234663852886e38);
      } else {
        lo = staticScalar(ctx, optional(n, 1), 'min');
        hi = staticScalar(ctx, optional(n, 2), 'max');
      }
      return setOut(ctx, n, clip(X(), lo ?? -3.4028234663852886e38, hi ?? 3.4028234663852886e38));
    }
    case 'MaxPool':
    case 'AveragePool': {
      requireOnlyFirstOutput(n);
      let x = X();
      require4d(x, op);
      const kernel = attrInts(n, 'kernel_shape');
      if (!kernel || kernel.length !== 2) throw new Error(`kernel_shape [${kernel ?? ''}] must have 2 dims`);
      const strides = attrInts(n, 'strides') ?? [1, 1];
      const dilations = attrInts(n, 'dilations') ?? [1, 1];
      if (dilations.some((d) => d !== 1)) throw new Error(`dilations [${dilations}] are not supported`);
      const [H, W] = x.shape.slice(2);
      let pads = spatialPads(n, [H, W], kernel, strides, dilations);
      if (attrInt(n, 'ceil_mode', 0)) {
        const floorOut = [0, 1].map((i) => Math.floor(([H, W][i] + pads[i] + pads[i + 2] - kernel[i]) / strides[i]) + 1);
        const ceilOut = [0, 1].map((i) => Math.ceil(([H, W][i] + pads[i] + pads[i + 2] - kernel[i]) / strides[i]) + 1);
        if (floorOut.some((d, i) => d !== ceilOut[i])) throw new Error('ceil_mode=1 changes the output size here; not supported');
      }
      const pool = { kernel: [kernel[0], kernel[1]] as [number, number], stride: [strides[0], strides[1]] as [number, number] };
      if (op === 'MaxPool') {
        if (pads[0] === pads[2] && pads[1] === pads[3]) return setOut(ctx, n, maxPool2d(x, { ...pool, padding: [pads[0], pads[1]] }));
        x = pad(x, [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], 'constant', -3.4028234663852886e38);
        return setOut(ctx, n, maxPool2d(x, { ...pool, padding: 0 }));
      }
      const anyPad = pads.some((p) => p !== 0);
      const xp = anyPad ? pad(x, [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]]) : x;
      let y = avgPool2d(xp, { ...pool, padding: 0 });
      if (anyPad && !attrInt(n, 'count_include_pad', 0)) y = div(y, constant(validFraction(H, W, kernel, strides, pads, y.shape.slice(2)), [1, 1, y.shape[2], y.shape[3]]));
      return setOut(ctx, n, y);
    }
    case 'GlobalAveragePool': {
      const x = X();
      require4d(x, op);
      return setOut(ctx, n, globalAvgPool(x));
    }
    case 'ReduceMean': {
      const x = X();
      let axes = ctx.opset >= 18 ? (optional(n, 1) ? staticInts(ctx, ins[1], 'axes') : undefined) : attrInts(n, 'axes');
      if (!axes || axes.length === 0) {
        if (attrInt(n, 'noop_with_empty_axes', 0)) return setOut(ctx, n, x);
        axes = x.shape.map((_, i) => i);
      }
      return setOut(ctx, n, reduceMean(x, axes, attrInt(n, 'keepdims', 1) === 1));
    }
    case 'Flatten': {
      const x = X();
      const axis = attrInt(n, 'axis', 1);
      const a = axis < 0 ? axis + x.rank : axis;
      if (a < 0 || a > x.rank) throw new Error(`axis ${axis} is out of range for rank ${x.rank}`);
      return setOut(ctx, n, reshape(x, [numel(x.shape.slice(0, a)), numel(x.shape.slice(a))]));
    }
    case 'Reshape': {
      const shape = staticInts(ctx, ins[1], 'shape');
      if (ctx.statics.has(ins[0]) && !ctx.values.has(ins[0])) {
        const s = ctx.statics.get(ins[0])!;
        return setStatic(ctx, n, { ...s, dims: resolveReshape(s.dims, shape, false) } as Static);
      }
      const x = X();
      return setOut(ctx, n, reshape(x, resolveReshape(x.shape, shape, attrInt(n, 'allowzero', 0) === 1)));
    }
    case 'Squeeze':
    case 'Unsqueeze': {
      const axes = ctx.opset >= 13 ? (optional(n, 1) ? staticInts(ctx, ins[1], 'axes') : undefined) : attrInts(n, 'axes');
      const isStatic = ctx.statics.has(ins[0]) && !ctx.values.has(ins[0]);
      const dims = isStatic ? ctx.statics.get(ins[0])!.dims : X().shape;
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
      if (isStatic) return setStatic(ctx, n, { ...ctx.statics.get(ins[0])!, dims: out } as Static);
      return setOut(ctx, n, reshape(X(), out));
    }
    case 'Shape': {
      const x = ctx.values.get(ins[0]) ?? null;
      const dims = x ? x.shape : ctx.statics.get(ins[0])?.dims;
      if (!dims) throw new Error(`input '${ins[0]}' is unknown`);
      let d = [...dims];
      const start = attrInt(n, 'start', 0), end = findAttr(n, 'end') ? attrInt(n, 'end', d.length) : d.length;
      d = d.slice(start < 0 ? start + dims.length : start, end < 0 ? end + dims.length : end);
      return setStatic(ctx, n, { dtype: 'int64', dims: [d.length], data: d });
    }
    case 'Gather': {
      if (!allStatic(ctx, n)) throw new Error('Gather is only supported on constant (shape) tensors');
      const data = ctx.statics.get(ins[0])!;
      const idx = ctx.statics.get(ins[1])!;
      const axis = attrInt(n, 'axis', 0);
      if (data.dims.length !== 1 || axis !== 0) throw new Error('Gather is only supported on 1-D constant tensors');
      const vals = Array.from(idx.data, (i) => Number(data.data[Number(i) < 0 ? Number(i) + data.dims[0] : Number(i)]));
      return setStatic(ctx, n, data.dtype === 'float32' ? { dtype: 'float32', dims: idx.dims, data: Float32Array.from(vals) } : { dtype: 'int64', dims: idx.dims, data: vals });
    }
    case 'Cast': {
      const to = attrInt(n, 'to', 1);
      if (ctx.statics.has(ins[0]) && !ctx.values.has(ins[0])) {
        const s = ctx.statics.get(ins[0])!;
        if (to === 1) return setStatic(ctx, n, { dtype: 'float32', dims: s.dims, data: Float32Array.from(s.data, Number) });
        if (to === 7 || to === 6) return setStatic(ctx, n, { dtype: 'int64', dims: s.dims, data: Array.from(s.data, (v) => Math.trunc(Number(v))) });
        throw new Error(`Cast to ONNX type ${to} is not supported`);
      }
      if (to !== 1) throw new Error(`Cast of a float tensor to ONNX type ${to} is not supported`);
      return setOut(ctx, n, X());
    }
    case 'Concat': {
      const axis = attrInt(n, 'axis', 0);
      if (allStatic(ctx, n)) {
        const parts = ins.filter(Boolean).map((i) => ctx.statics.get(i)!);
        if (parts.some((p) => p.dims.length !== 1)) throw new Error('Concat of constant tensors is only supported in 1-D');
        const vals = parts.flatMap((p) => Array.from(p.data, Number));
        return setStatic(ctx, n, parts[0].dtype === 'float32' ? { dtype: 'float32', dims: [vals.length], data: Float32Array.from(vals) } : { dtype: 'int64', dims: [vals.length], data: vals });
      }
      return setOut(ctx, n, concat(ins.filter(Boolean).map((i) => floatOf(ctx, i)), axis));
    }
    case 'BatchNormalization': {
      requireOnlyFirstOutput(n);
      if (attrInt(n, 'training_mode', 0)) throw new Error('training_mode=1 is not supported (export the model in eval mode)');
      const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => floatOf(ctx, ins[i]));
      return setOut(ctx, n, batchNorm(X(), scale, bias, mean, variance, { training: false, eps: attrFloat(n, 'epsilon', 1e-5) }));
    }
    case 'Softmax':
    case 'LogSoftmax': {
      const x = X();
      const f = op === 'Softmax' ? softmax : logSoftmax;
      const axis = normAxis(op, attrInt(n, 'axis', ctx.opset >= 13 ? -1 : 1), x.rank);
      if (ctx.opset >= 13 || axis === x.rank - 1) return setOut(ctx, n, f(x, axis));
      // Before opset 13: softmax over the input flattened to 2-D at `axis`.
      const flat = reshape(x, [numel(x.shape.slice(0, axis)), numel(x.shape.slice(axis))]);
      return setOut(ctx, n, reshape(f(flat, 1), x.shape));
    }
    case 'Transpose': {
      const x = X();
      const perm = attrInts(n, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
      return setOut(ctx, n, transpose(x, perm));
    }
    case 'Pad': {
      const x = X();
      const mode = attrString(n, 'mode', 'constant');
      if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') throw new Error(`mode '${mode}' is not supported`);
      let pads: number[];
      let value = 0;
      if (ctx.opset < 11) {
        pads = attrInts(n, 'pads') ?? [];
        value = attrFloat(n, 'value', 0);
      } else {
        pads = staticInts(ctx, ins[1], 'pads');
        value = staticScalar(ctx, optional(n, 2), 'constant_value') ?? 0;
        if (optional(n, 3)) {
          // opset 18 `axes`: pads given only for these axes.
          const axes = staticInts(ctx, ins[3], 'axes').map((a) => normAxis('Pad', a, x.rank));
          const full = new Array<number>(2 * x.rank).fill(0);
          axes.forEach((a, i) => {
            full[a] = pads[i];
            full[a + x.rank] = pads[i + axes.length];
          });
          pads = full;
        }
      }
      return setOut(ctx, n, pad(x, pads, mode as PadMode, value));
    }
    default:
      throw new Error(`op ${op} is not supported`);
  }
}

/** Reshape target with ONNX rules: 0 copies the input dim (unless allowzero), one -1 is inferred. */
function resolveReshape(inShape: readonly number[], target: readonly number[], allowZero: boolean): number[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? inShape[i] : d));
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (out.filter((d) => d === -1).length > 1) throw new Error(`shape [${target}] has more than one -1`);
  return out.map((d) => (d === -1 ? numel(inShape) / known : d));
}

function foldBinary(op: string, a: Static, b: Static): Static {
  const f = { Add: (x: number, y: number) => x + y, Sub: (x: number, y: number) => x - y, Mul: (x: number, y: number) => x * y, Div: (x: number, y: number) => x / y }[op]!;
  const n = Math.max(a.data.length, b.data.length);
  if ((a.data.length !== n && a.data.length !== 1) || (b.data.length !== n && b.data.length !== 1)) throw new Error(`${op} of constants with shapes ${fmt(a.dims)} and ${fmt(b.dims)} is not supported`);
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
