// Hand-built ONNX models for tests: nodes with explicit attribute types, float initializers.
import { encodeOnnx, type OnnxAttribute, type OnnxNode, type OnnxTensorProto } from '../../src/graph/onnx/import-proto.js';

export const ai = (name: string, i: number): OnnxAttribute => ({ name, type: 2, i });
export const af = (name: string, f: number): OnnxAttribute => ({ name, type: 1, f });
export const aints = (name: string, ints: number[]): OnnxAttribute => ({ name, type: 7, ints });
export const astr = (name: string, s: string): OnnxAttribute => ({ name, type: 3, s: new TextEncoder().encode(s) });
export const atensor = (name: string, t: OnnxTensorProto): OnnxAttribute => ({ name, type: 4, t });

export function node(op: string, input: string[], output: string[], attribute: OnnxAttribute[] = [], name = `${op}_${output[0]}`): OnnxNode {
  return { op_type: op, input, output, attribute, name };
}

export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): OnnxTensorProto {
  const f = Float32Array.from(data);
  return { name, dims, data_type: 1, raw_data: new Uint8Array(f.buffer) };
}

export function int64Tensor(name: string, dims: number[], data: number[]): OnnxTensorProto {
  const b = BigInt64Array.from(data.map(BigInt));
  return { name, dims, data_type: 7, raw_data: new Uint8Array(b.buffer) };
}

export interface ModelSpec {
  nodes: OnnxNode[];
  initializers?: OnnxTensorProto[];
  input: { name: string; dims: (number | string)[] };
  outputs: { name: string; dims?: (number | string)[] }[];
  opset?: number;
}

const dim = (d: number | string) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d });

export function buildModel(s: ModelSpec): Uint8Array {
  return encodeOnnx({
    ir_version: 8,
    producer_name: 'test',
    opset_import: [{ domain: '', version: s.opset ?? 13 }],
    graph: {
      name: 'test',
      node: s.nodes,
      initializer: s.initializers ?? [],
      input: [{ name: s.input.name, type: { tensor_type: { elem_type: 1, shape: { dim: s.input.dims.map(dim) } } } }],
      output: s.outputs.map((o) => ({ name: o.name, type: { tensor_type: { elem_type: 1, ...(o.dims ? { shape: { dim: o.dims.map(dim) } } : {}) } } })),
    },
  });
}

/** Seeded uniform values in [-scale, scale]. */
export function randomValues(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}
