// Reading ONNX files as plain objects: decoding, attribute access, tensor data, and
// re-encoding (e.g. after adding a graph output). Shared by the importer and CAM.
import { ModelProto, DataType, AttrType } from './schema.js';

/** TensorProto as decoded (int64 fields as JS numbers). */
export interface OnnxTensorProto {
  dims?: number[];
  data_type?: number;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  raw_data?: Uint8Array;
  name?: string;
  data_location?: number;
  external_data?: { key?: string; value?: string }[];
}

export interface OnnxAttribute {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensorProto;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute?: OnnxAttribute[];
}

export interface OnnxDim { dim_value?: number; dim_param?: string }

export interface OnnxValueInfo {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: OnnxDim[] } } };
}

export interface OnnxGraph {
  name?: string;
  node?: OnnxNode[];
  initializer?: OnnxTensorProto[];
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
  value_info?: OnnxValueInfo[];
}

/** A decoded ModelProto. Only the fields of img2img's onnx.proto subset survive a decode/encode round trip. */
export interface OnnxModelObject {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  graph?: OnnxGraph;
  [key: string]: unknown;
}

/** Decodes ONNX bytes; `what` (usually the file path) names the model in errors. */
export function decodeOnnx(bytes: Uint8Array, what = 'model'): OnnxModelObject {
  let obj: OnnxModelObject;
  try {
    obj = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true }) as OnnxModelObject;
  } catch (err) {
    throw new Error(`${what}: not an ONNX model (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!obj.graph || !obj.graph.node?.length) throw new Error(`${what}: not an ONNX model (no graph nodes)`);
  return obj;
}

/** Encodes a (possibly modified) decoded model back to bytes. */
export function encodeOnnx(model: OnnxModelObject): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Version of the default ('' or 'ai.onnx') opset the model imports. */
export function defaultOpset(model: OnnxModelObject): number {
  const e = model.opset_import?.find((o) => !o.domain || o.domain === 'ai.onnx');
  return Number(e?.version ?? 0);
}

/** How a node is named in messages: its name, or its op type and first output. */
export function nodeLabel(n: OnnxNode): string {
  return n.name ? n.name : `${n.op_type} -> ${n.output?.[0] ?? '?'}`;
}

export function findAttr(n: OnnxNode, name: string): OnnxAttribute | undefined {
  return n.attribute?.find((a) => a.name === name);
}

export function attrInt(n: OnnxNode, name: string, dflt: number): number {
  const a = findAttr(n, name);
  return a === undefined ? dflt : Number(a.i ?? 0);
}

export function attrFloat(n: OnnxNode, name: string, dflt: number): number {
  const a = findAttr(n, name);
  return a === undefined ? dflt : Number(a.f ?? 0);
}

export function attrInts(n: OnnxNode, name: string): number[] | undefined {
  const a = findAttr(n, name);
  return a === undefined ? undefined : (a.ints ?? []).map(Number);
}

export function attrString(n: OnnxNode, name: string, dflt: string): string {
  const a = findAttr(n, name);
  return a?.s ? new TextDecoder().decode(a.s) : dflt;
}

/** A tensor's data on the host: float32 or int64 (as numbers), with its dims. */
export type HostValue =
  | { dtype: 'float32'; dims: number[]; data: Float32Array }
  | { dtype: 'int64'; dims: number[]; data: number[] };

const FLOATISH: Record<number, string> = {
  [DataType.FLOAT16]: 'float16', [DataType.DOUBLE]: 'float64', [DataType.UINT8]: 'uint8', [DataType.INT8]: 'int8', [DataType.BOOL]: 'bool',
};

/** The values of a TensorProto (float32, or int64/int32 as numbers). Other types throw, naming the tensor. */
export function tensorValue(t: OnnxTensorProto, what = t.name ?? 'tensor'): HostValue {
  const dims = (t.dims ?? []).map(Number);
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${what}: bad dims [${dims}]`);
  const n = dims.reduce((a, b) => a * b, 1);
  if (t.data_location === 1 || t.external_data?.length) throw new Error(`${what}: tensor data stored in an external file is not supported`);
  const raw = t.raw_data && t.raw_data.length ? t.raw_data : null;
  const type = t.data_type ?? 0;
  const width = type === DataType.FLOAT || type === DataType.INT32 ? 4 : type === DataType.INT64 ? 8 : 0;
  // Checked before the typed-array view, which throws a bare RangeError on a ragged length.
  if (raw && width && raw.length !== n * width) throw new Error(`${what}: raw data has ${raw.length} bytes, dims [${dims}] need ${n * width}`);
  if (type === DataType.FLOAT) {
    let data: Float32Array;
    if (raw) {
      // Copy: raw_data may sit at an unaligned offset of the file buffer.
      const copy = new Uint8Array(raw.length);
      copy.set(raw);
      data = new Float32Array(copy.buffer);
    } else data = Float32Array.from(t.float_data ?? []);
    if (data.length !== n) throw new Error(`${what}: has ${data.length} values, dims [${dims}] need ${n}`);
    return { dtype: 'float32', dims, data };
  }
  if (type === DataType.INT64 || type === DataType.INT32) {
    let data: number[];
    if (raw) {
      const copy = new Uint8Array(raw.length);
      copy.set(raw);
      data = type === DataType.INT64 ? Array.from(new BigInt64Array(copy.buffer), Number) : Array.from(new Int32Array(copy.buffer));
    } else data = (type === DataType.INT64 ? t.int64_data ?? [] : t.int32_data ?? []).map(Number);
    if (data.length !== n) throw new Error(`${what}: has ${data.length} values, dims [${dims}] need ${n}`);
    return { dtype: 'int64', dims, data };
  }
  throw new Error(`${what}: data type ${FLOATISH[type] ?? `#${type}`} is not supported (float32 models only)`);
}

/** A value's static shape from a ValueInfo; symbolic or missing dims are null. */
export function valueInfoShape(v: OnnxValueInfo): (number | null)[] | null {
  const dims = v.type?.tensor_type?.shape?.dim;
  if (!dims) return null;
  return dims.map((d) => (d.dim_value !== undefined && Number(d.dim_value) > 0 ? Number(d.dim_value) : null));
}

/** The graph inputs that are real inputs (not initializers listed as inputs, as older exporters do). */
export function realInputs(g: OnnxGraph): OnnxValueInfo[] {
  const inits = new Set((g.initializer ?? []).map((t) => t.name));
  return (g.input ?? []).filter((i) => !inits.has(i.name));
}

/** Appends float32 graph outputs (no shape given; ONNX Runtime infers it). Outputs already there are kept once. */
export function withExtraOutputs(model: OnnxModelObject, names: readonly string[]): OnnxModelObject {
  const g = model.graph!;
  const have = new Set((g.output ?? []).map((o) => o.name));
  const extra = names.filter((n) => !have.has(n)).map((name) => ({ name, type: { tensor_type: { elem_type: DataType.FLOAT } } }));
  return { ...model, graph: { ...g, output: [...(g.output ?? []), ...extra] } };
}

export { AttrType, DataType };
