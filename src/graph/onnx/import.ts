// Converts an ONNX model (opset >= 11, float32) into engine tensors, so the engine's autodiff
// can differentiate it (Grad-CAM). Initializers become constants; the model input becomes an
// engine input. Shapes are static: a symbolic batch dim becomes `batch` (default 1).
//
// Supported ops: see SUPPORTED_ONNX_OPS. Shape arithmetic that exporters emit for reshapes
// (Shape, Gather, Unsqueeze, Squeeze, Concat, Cast on int64) is folded at import time.
// Each op's conversion is an entry of the registry in import-ops.ts (as the engine's own ops are).
import { Tensor, input } from '../tensor.js';
import { decodeOnnx, defaultOpset, nodeLabel, realInputs, tensorValue, valueInfoShape, type OnnxModelObject, type OnnxNode } from './import-proto.js';
import { floatOf, type Ctx, type Static } from './import-context.js';
import { ONNX_IMPORTERS } from './import-ops.js';

/** ONNX ops the importer converts (domain ai.onnx): the registry's keys. */
export const SUPPORTED_ONNX_OPS: readonly string[] = Object.keys(ONNX_IMPORTERS);

/** Thrown when a model uses ops the engine cannot express; lists every offending op and node. */
export class UnsupportedOnnxOpError extends Error {
  constructor(readonly ops: readonly { opType: string; node: string }[], what = 'model') {
    const types = [...new Set(ops.map((o) => o.opType))];
    const nodes = ops.map((o) => `'${o.node}' [${o.opType}]`).join(', ');
    super(`${what}: unsupported ONNX op${types.length > 1 ? 's' : ''} ${types.join(', ')} (node${ops.length > 1 ? 's' : ''} ${nodes}); `
      + `the importer supports ${SUPPORTED_ONNX_OPS.join(', ')}`);
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
    if (inputShape.some((d) => Number.isNaN(d))) {
      throw new Error(`${what}: input '${inInfo.name}' has symbolic dims [${fileShape.map((d) => d ?? '?')}]; give the input size`);
    }
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
  const bad = order.filter((n) => (n.domain && n.domain !== 'ai.onnx') || !Object.hasOwn(ONNX_IMPORTERS, n.op_type));
  if (bad.length) {
    const ops = bad.map((n) => ({ opType: n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.op_type}` : n.op_type, node: nodeLabel(n) }));
    throw new UnsupportedOnnxOpError(ops, what);
  }

  const x = input(inInfo.name, inputShape);
  const values = new Map<string, Tensor>([[inInfo.name, x]]);
  const statics = new Map<string, Static>();
  const used = new Set(order.flatMap((n) => n.input ?? []));
  for (const t of g.initializer ?? []) {
    if (t.name && used.has(t.name)) statics.set(t.name, tensorValue(t, `${what}: initializer '${t.name}'`));
  }

  const ctx: Ctx = { what, opset, values, statics, intercept: opts.intercept };
  for (const n of order) {
    try {
      ONNX_IMPORTERS[n.op_type](n, ctx);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(`${what}: node '${nodeLabel(n)}' (${n.op_type}): ${msg}`);
    }
  }
  const outputs: Record<string, Tensor> = {};
  for (const w of wanted) outputs[w] = floatOf(ctx, w);
  return { input: x, inputName: inInfo.name, inputShape, outputs, values, nodes: order, opset };
}
