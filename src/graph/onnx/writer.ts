import { Tensor, type AttrValue, type DType } from '../tensor.js';
import { topoSort } from '../autodiff.js';
import { opDef, type OnnxEmitter } from '../ops/registry.js';
import { ModelProto, DataType, AttrType, OPSET, IR_VERSION } from './schema.js';

export interface ValueSpec { name: string; shape: number[]; dtype: DType }

export interface OnnxModel {
  bytes: Uint8Array;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodeCount: number;
}

// ONNX attributes that are floats; every other numeric attribute is an int.
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'momentum', 'gamma', 'cubic_coeff_a', 'extrapolation_value']);

const DTYPE_CODE: Record<DType, number> = { float32: DataType.FLOAT, int64: DataType.INT64, bool: DataType.BOOL };

function attribute(name: string, v: AttrValue): object | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'boolean') return { name, type: AttrType.INT, i: v ? 1 : 0 };
  if (typeof v === 'number') return FLOAT_ATTRS.has(name) ? { name, type: AttrType.FLOAT, f: v } : { name, type: AttrType.INT, i: v };
  if (v instanceof Float32Array) return { name, type: AttrType.FLOATS, floats: Array.from(v) };
  if (v instanceof BigInt64Array) return { name, type: AttrType.INTS, ints: Array.from(v, Number) };
  return { name, type: AttrType.INTS, ints: [...v] };
}

function valueInfo(v: ValueSpec) {
  return { name: v.name, type: { tensor_type: { elem_type: DTYPE_CODE[v.dtype], shape: { dim: v.shape.map((d) => ({ dim_value: d })) } } } };
}

const bytesOf = (a: Float32Array | BigInt64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Serializes the graph that computes `outputs` (name -> tensor) as an ONNX model (opset 17).
 * Graph inputs are the Input leaves reached, in first-use order; constants become initializers.
 */
export function writeOnnx(outputs: Record<string, Tensor>, graphName = 'img2img'): OnnxModel {
  const entries = Object.entries(outputs);
  const order = topoSort(entries.map(([, t]) => t));
  const nodes: object[] = [];
  const initializers: object[] = [];
  const inputs: ValueSpec[] = [];
  const valueName = new Map<number, string>();
  const inputNames = new Map<string, Tensor>();
  const int64Cache = new Map<string, string>();
  let fresh = 0;

  const emitter: OnnxEmitter = {
    node(opType, ins, outs, attrs = {}) {
      const outNames = typeof outs === 'number' ? Array.from({ length: outs }, () => `v${fresh++}`) : [...outs];
      const attribute_ = Object.entries(attrs).map(([k, v]) => attribute(k, v)).filter((a) => a !== null);
      nodes.push({ op_type: opType, input: [...ins], output: outNames, name: `${opType}_${nodes.length}`, attribute: attribute_ });
      return outNames;
    },
    int64(values, shape = [values.length]) {
      const key = `${shape.join('x')}:${values.join(',')}`;
      const cached = int64Cache.get(key);
      if (cached) return cached;
      const name = `i64_${int64Cache.size}`;
      initializers.push({ name, data_type: DataType.INT64, dims: [...shape], raw_data: bytesOf(BigInt64Array.from(values.map((v) => BigInt(v)))) });
      int64Cache.set(key, name);
      return name;
    },
    float(values, shape) {
      const name = `f32_${fresh++}`;
      const data = values instanceof Float32Array ? values : Float32Array.from(values);
      initializers.push({ name, data_type: DataType.FLOAT, dims: [...shape], raw_data: bytesOf(data) });
      return name;
    },
  };

  // A node that is itself an output writes straight into the output's name (no copy).
  const outputOf = new Map<number, string>();
  for (const [name, t] of entries) if (t.inputs.length > 0 && !outputOf.has(t.id)) outputOf.set(t.id, name);

  for (const node of order) {
    if (node.op === 'Input') {
      const name = node.name!;
      const other = inputNames.get(name);
      if (other && other !== node) throw new Error(`writeOnnx: two different graph inputs are named '${name}'`);
      if (!other) {
        inputNames.set(name, node);
        inputs.push({ name, shape: [...node.shape], dtype: node.dtype });
      }
      valueName.set(node.id, name);
    } else if (node.op === 'Constant') {
      const value = node.attrs.value as Float32Array | BigInt64Array;
      const name = `const_${node.id}`;
      initializers.push({ name, data_type: DTYPE_CODE[node.dtype], dims: [...node.shape], raw_data: bytesOf(value) });
      valueName.set(node.id, name);
    } else {
      const out = outputOf.get(node.id) ?? `t${node.id}`;
      opDef(node.op).emit(node, node.inputs.map((x) => valueName.get(x.id)!), out, emitter);
      valueName.set(node.id, out);
    }
  }

  for (const [name] of entries) if (inputNames.has(name)) throw new Error(`writeOnnx: output '${name}' has the same name as a graph input`);
  const outputSpecs: ValueSpec[] = entries.map(([name, t]) => {
    if (valueName.get(t.id) !== name) emitter.node('Identity', [valueName.get(t.id)!], [name]);
    return { name, shape: [...t.shape], dtype: t.dtype };
  });

  const model = ModelProto.create({
    ir_version: IR_VERSION,
    producer_name: 'img2img',
    opset_import: [{ domain: '', version: OPSET }],
    graph: { name: graphName, node: nodes, initializer: initializers, input: inputs.map(valueInfo), output: outputSpecs.map(valueInfo) },
  });
  return { bytes: ModelProto.encode(model).finish(), inputs, outputs: outputSpecs, nodeCount: nodes.length };
}
