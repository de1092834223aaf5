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

/** A dimension of a graph input or output: its size, or a name (a symbolic, dynamic dimension). */
export type Dim = number | string;

export interface WriteOnnxOptions {
  /** Graph name; default 'img2img'. */
  graphName?: string;
  /**
   * Per graph input or output name, dimensions to write symbolically: a string at position i
   * names dimension i (e.g. [null, null, 'height', 'width']); null keeps the built size. The
   * graph is still built at one size: check that its ops do not depend on it (see sameGraph).
   */
  symbolicDims?: Record<string, readonly (string | null)[]>;
  /** ModelProto metadata_props (Netron shows them; onnxruntime reads them as custom metadata). */
  metadata?: Record<string, string>;
  /** ModelProto doc_string. */
  docString?: string;
  /** Leave out nodes whose outputs nothing reads (statistics kept only for a VJP, say). */
  prune?: boolean;
}

/** The parts of an ONNX graph before encoding: plain protobufjs objects. */
export interface OnnxGraphParts {
  nodes: OnnxNode[];
  initializers: OnnxInitializer[];
  inputs: ValueSpec[];
  outputs: ValueSpec[];
}

export interface OnnxNode { op_type: string; input: string[]; output: string[]; name: string; attribute: object[] }
export interface OnnxInitializer { name: string; data_type: number; dims: number[]; raw_data: Uint8Array }

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

function valueInfo(v: ValueSpec, symbolic?: readonly (string | null)[]) {
  if (symbolic && symbolic.length !== v.shape.length) throw new Error(`writeOnnx: symbolic dims for '${v.name}' have rank ${symbolic.length}, the value has shape [${v.shape}]`);
  const dim = v.shape.map((d, i) => (symbolic?.[i] ? { dim_param: symbolic[i] } : { dim_value: d }));
  return { name: v.name, type: { tensor_type: { elem_type: DTYPE_CODE[v.dtype], shape: { dim } } } };
}

const bytesOf = (a: Float32Array | BigInt64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * The ONNX nodes, initializers, inputs and outputs that compute `outputs` (name -> tensor).
 * Graph inputs are the Input leaves reached, in first-use order; constants become initializers.
 */
export function onnxGraph(outputs: Record<string, Tensor>, o: { prune?: boolean } = {}): OnnxGraphParts {
  const entries = Object.entries(outputs);
  const order = topoSort(entries.map(([, t]) => t));
  const nodes: OnnxNode[] = [];
  const initializers: OnnxInitializer[] = [];
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
  if (!o.prune) return { nodes, initializers, inputs, outputs: outputSpecs };
  // Dead-node elimination, last node first: a node stays when a graph output or a kept node reads it.
  const needed = new Set(outputSpecs.map((v) => v.name));
  const kept: OnnxNode[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    if (!nodes[i].output.some((n) => needed.has(n))) continue;
    kept.push(nodes[i]);
    for (const n of nodes[i].input) needed.add(n);
  }
  kept.reverse();
  return { nodes: kept, initializers: initializers.filter((t) => needed.has(t.name)), inputs: inputs.filter((v) => needed.has(v.name)), outputs: outputSpecs };
}

/**
 * Serializes the graph that computes `outputs` (name -> tensor) as an ONNX model (opset 17).
 * Graph inputs are the Input leaves reached, in first-use order; constants become initializers.
 * A string second argument is the graph name.
 */
export function writeOnnx(outputs: Record<string, Tensor>, options: string | WriteOnnxOptions = {}): OnnxModel {
  const o: WriteOnnxOptions = typeof options === 'string' ? { graphName: options } : options;
  return encodeOnnx(onnxGraph(outputs, o), o);
}

/** Encodes graph parts (onnxGraph) as an ONNX model with writeOnnx's options. */
export function encodeOnnx(parts: OnnxGraphParts, o: WriteOnnxOptions = {}): OnnxModel {
  const known = new Set([...parts.inputs, ...parts.outputs].map((v) => v.name));
  for (const name of Object.keys(o.symbolicDims ?? {})) if (!known.has(name)) throw new Error(`writeOnnx: symbolic dims for '${name}', which is no graph input or output`);
  const info = (v: ValueSpec) => valueInfo(v, o.symbolicDims?.[v.name]);
  const model = ModelProto.create({
    ir_version: IR_VERSION,
    producer_name: 'img2img',
    opset_import: [{ domain: '', version: OPSET }],
    ...(o.docString ? { doc_string: o.docString } : {}),
    graph: { name: o.graphName ?? 'img2img', node: parts.nodes, initializer: parts.initializers, input: parts.inputs.map(info), output: parts.outputs.map(info) },
    metadata_props: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return { bytes: ModelProto.encode(model).finish(), inputs: parts.inputs, outputs: parts.outputs, nodeCount: parts.nodes.length };
}

/**
 * Whether two graphs are the same up to value names: the same nodes in the same order with the
 * same attributes, reading the same initializers (equal bytes). Two builds of one network at
 * different input sizes that are the same graph have no op whose ONNX form depends on the size
 * (no Reshape target, Pad or Slice parameter, constant of that size), so the graph can be written
 * with those dimensions symbolic. Returns null when equal, else what differs first.
 */
export function graphDifference(a: OnnxGraphParts, b: OnnxGraphParts): string | null {
  const canon = (p: OnnxGraphParts) => {
    const names = new Map<string, string>();
    const id = (n: string) => {
      if (n === '') return '';
      let c = names.get(n);
      if (c === undefined) names.set(n, (c = `%${names.size}`));
      return c;
    };
    for (const v of p.inputs) id(v.name);
    for (const v of p.outputs) names.set(v.name, `out:${v.name}`);
    const init = new Map(p.initializers.map((t) => [t.name, t]));
    const nodes = p.nodes.map((n) => {
      const ins = n.input.map((x) => {
        const t = init.get(x);
        return t ? { t } : id(x);
      });
      return { op: n.op_type, ins, outs: n.output.map(id), attrs: JSON.stringify(n.attribute) };
    });
    return { nodes, inputs: p.inputs.map((v) => `${v.name}:${v.dtype}:${v.shape.length}`), outputs: p.outputs.map((v) => `${v.name}:${v.dtype}:${v.shape.length}`) };
  };
  const x = canon(a), y = canon(b);
  if (x.inputs.join() !== y.inputs.join()) return `inputs differ: ${x.inputs} vs ${y.inputs}`;
  if (x.outputs.join() !== y.outputs.join()) return `outputs differ: ${x.outputs} vs ${y.outputs}`;
  if (x.nodes.length !== y.nodes.length) return `${x.nodes.length} vs ${y.nodes.length} nodes`;
  const sameBytes = (u: Uint8Array, v: Uint8Array) => u.length === v.length && Buffer.from(u.buffer, u.byteOffset, u.length).equals(Buffer.from(v.buffer, v.byteOffset, v.length));
  for (let i = 0; i < x.nodes.length; i++) {
    const m = x.nodes[i], n = y.nodes[i];
    const where = `node ${i} (${m.op}, ${a.nodes[i].name})`;
    if (m.op !== n.op) return `${where}: op ${m.op} vs ${n.op}`;
    if (m.attrs !== n.attrs) return `${where}: attributes ${m.attrs} vs ${n.attrs}`;
    if (m.outs.join() !== n.outs.join()) return `${where}: outputs wired differently`;
    if (m.ins.length !== n.ins.length) return `${where}: input count`;
    for (let k = 0; k < m.ins.length; k++) {
      const u = m.ins[k], v = n.ins[k];
      if (typeof u === 'string' || typeof v === 'string') {
        if (u !== v) return `${where}: input ${k} wired differently`;
      } else if (u.t.data_type !== v.t.data_type || u.t.dims.join() !== v.t.dims.join() || !sameBytes(u.t.raw_data, v.t.raw_data)) {
        return `${where}: constant input ${k} differs (dims [${u.t.dims}] vs [${v.t.dims}])`;
      }
    }
  }
  return null;
}
