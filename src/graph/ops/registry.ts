import type { Tensor, AttrValue } from '../tensor.js';

/** What an op sees of the ONNX writer: it appends nodes and constants, and gets fresh value names. */
export interface OnnxEmitter {
  /** Appends an ONNX node; returns its output value names (`outputs` names or a count of fresh names). */
  node(opType: string, inputs: readonly string[], outputs: readonly string[] | number, attrs?: Record<string, AttrValue>): string[];
  /** An int64 initializer (axes, shapes, pads) and its value name. */
  int64(values: readonly number[], shape?: readonly number[]): string;
  /** A float32 initializer and its value name. */
  float(values: Float32Array | readonly number[], shape: readonly number[]): string;
}

export interface OpDef {
  /** Writes ONNX nodes that compute `node` from its inputs' value names into the value `out`. */
  emit(node: Tensor, inputs: readonly string[], out: string, onnx: OnnxEmitter): void;
  /**
   * Vector-Jacobian product: given the gradient `gy` of the output, returns each input's gradient
   * (null where an input gets none). `needs[i]` says whether input i's gradient is wanted at all.
   * Absent for ops with no gradient (comparisons, casts, detach).
   */
  vjp?(node: Tensor, gy: Tensor, needs: readonly boolean[]): (Tensor | null)[];
}

const registry = new Map<string, OpDef>();

export function defineOp(name: string, def: OpDef): void {
  if (registry.has(name)) throw new Error(`op '${name}' is defined twice`);
  registry.set(name, def);
}

export function opDef(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new Error(`op '${name}' has no definition (is its module imported?)`);
  return def;
}

/** An op that maps 1:1 onto an ONNX op with the same attributes. */
export function onnxOp(opType: string, attrs: (node: Tensor) => Record<string, AttrValue> = (n) => ({ ...n.attrs })) {
  return (node: Tensor, inputs: readonly string[], out: string, onnx: OnnxEmitter) => {
    onnx.node(opType, inputs, [out], attrs(node));
  };
}
