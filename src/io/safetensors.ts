/**
 * safetensors reader/writer (https://github.com/huggingface/safetensors):
 *   [u64 LE header length N][N bytes JSON header][raw little-endian tensor bytes]
 * Header: { "<name>": { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { string: string } }
 * with offsets relative to the start of the byte buffer after the header.
 *
 * Metadata: the spec only allows string values. We write string values as-is,
 * JSON-encode every other value, and list the JSON-encoded keys under the extra
 * metadata key `__json_keys__` (itself a JSON array string), so our own files
 * round-trip exactly while other tools still see a valid string->string map.
 * Files without `__json_keys__` come back with all metadata values as strings.
 *
 * BF16 tensors in foreign files are widened to float32 on read (exact).
 */
import { readModelFile, type ModelLimits } from './limits.js';
import { writeFileAtomic } from './atomic.js';
import { assertLittleEndianHost, bfloat16ToFloat32, dataMatchesDtype, DTYPE_BYTES, typedFromBytes } from './dtype.js';
import { numel } from '../graph/shape.js';
import { type HostDType, type HostTensor } from './host-tensor.js';

const TO_ST: Readonly<Record<HostDType, string>> = {
  float32: 'F32', float64: 'F64', float16: 'F16', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const FROM_ST: Readonly<Record<string, HostDType>> = Object.fromEntries(
  Object.entries(TO_ST).map(([h, s]) => [s, h as HostDType]),
);
const METADATA_KEY = '__metadata__';
const JSON_KEYS = '__json_keys__';
/** Same cap as the reference implementation: a larger header is almost surely garbage. */
const MAX_HEADER_BYTES = 100_000_000;

/** What `readSafetensors`/`decodeSafetensors` return. */
export interface SafetensorsContents {
  tensors: Map<string, HostTensor>;
  metadata: Record<string, unknown>;
}

type TensorInput = Record<string, HostTensor> | Map<string, HostTensor>;

function encodeMetadata(metadata: Record<string, unknown>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const jsonKeys: string[] = [];
  for (const key of Object.keys(metadata).sort()) {
    if (key === JSON_KEYS) throw new Error(`safetensors: metadata key '${JSON_KEYS}' is reserved`);
    const v = metadata[key];
    if (v === undefined) continue;
    if (typeof v === 'string') setOwn(out, key, v);
    else {
      const s = JSON.stringify(v);
      if (s === undefined) throw new Error(`safetensors: metadata '${key}' is not JSON-serialisable`);
      setOwn(out, key, s);
      jsonKeys.push(key);
    }
  }
  if (jsonKeys.length) out[JSON_KEYS] = JSON.stringify(jsonKeys);
  return Object.keys(out).length ? out : undefined;
}

/**
 * Serialises tensors (sorted by name) and optional metadata to safetensors bytes.
 * Throws if a tensor's data length or typed-array class does not match its dtype/shape.
 */
export function encodeSafetensors(tensors: TensorInput, metadata: Record<string, unknown> = {}): Uint8Array {
  assertLittleEndianHost();
  const entries = (tensors instanceof Map ? [...tensors] : Object.entries(tensors))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  const meta = encodeMetadata(metadata);
  if (meta) header[METADATA_KEY] = meta;
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === METADATA_KEY) throw new Error(`safetensors: tensor name '${METADATA_KEY}' is reserved`);
    if (!Object.hasOwn(TO_ST, t.dtype)) throw new Error(`safetensors: tensor '${name}' has unknown dtype '${t.dtype}'`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`safetensors: tensor '${name}' has bad shape [${t.shape.join(', ')}]`);
    if (!dataMatchesDtype(t.dtype, t.data)) throw new Error(`safetensors: tensor '${name}' is ${t.dtype} but data is ${t.data.constructor.name}`);
    const n = numel(t.shape);
    if (t.data.length !== n) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} elements but shape [${t.shape.join(', ')}] needs ${n}`);
    const size = n * DTYPE_BYTES[t.dtype];
    setOwn(header, name, { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + size] });
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8; // keeps tensor data 8-byte aligned
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/**
 * obj[key] = value as an own property: a plain assignment with key '__proto__' would replace the
 * object's prototype instead (and drop the entry).
 */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function decodeMetadata(raw: unknown, fail: (m: string) => never): Record<string, unknown> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(`'${METADATA_KEY}' is not an object`);
  const map = raw as Record<string, unknown>;
  for (const [k, v] of Object.entries(map)) if (typeof v !== 'string') fail(`metadata '${k}' is not a string`);
  let jsonKeys: string[] = [];
  if (JSON_KEYS in map) {
    try { jsonKeys = JSON.parse(map[JSON_KEYS] as string); } catch { fail(`metadata '${JSON_KEYS}' is not JSON`); }
    if (!Array.isArray(jsonKeys)) fail(`metadata '${JSON_KEYS}' is not a JSON array`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(map)) {
    if (k === JSON_KEYS) continue;
    if (!jsonKeys.includes(k)) { setOwn(out, k, v); continue; }
    try { setOwn(out, k, JSON.parse(v as string)); } catch { fail(`metadata '${k}' is marked JSON but does not parse`); }
  }
  return out;
}

/**
 * Parses safetensors bytes. `source` names the file in error messages.
 * Validates header length, JSON, dtypes, shapes and that every tensor's
 * offsets lie inside the data and match its byte size.
 */
export function decodeSafetensors(bytes: Uint8Array, source = '<buffer>'): SafetensorsContents {
  const fail: (msg: string) => never = (msg) => { throw new Error(`safetensors ${source}: ${msg}`); };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, need at least 8 for the header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`bad header: header length ${n} is over the ${MAX_HEADER_BYTES} byte limit`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length) fail(`truncated: header says ${headerLen} bytes but only ${bytes.length - 8} follow`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    fail(`bad header: not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('bad header: not a JSON object');
  const data = bytes.subarray(8 + headerLen);
  const entries = header as Record<string, unknown>;
  const tensors = new Map<string, HostTensor>();
  const spans: { name: string; begin: number; end: number; shape: number[]; isBf16: boolean; stName: string }[] = [];
  for (const name of Object.keys(entries).sort()) {
    if (name === METADATA_KEY) continue;
    const e = entries[name] as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof e !== 'object' || e === null) fail(`bad header: entry '${name}' is not an object`);
    const stName = e.dtype;
    const isBf16 = stName === 'BF16'; // foreign files: widened to float32 below
    if (!isBf16 && (typeof stName !== 'string' || !Object.hasOwn(FROM_ST, stName))) {
      fail(`unknown dtype ${JSON.stringify(stName)} for tensor '${name}'`);
    }
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`bad header: tensor '${name}' has bad shape ${JSON.stringify(shape)}`);
    }
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`bad header: tensor '${name}' has bad data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (begin > end || end > data.length) fail(`offsets out of range: tensor '${name}' wants bytes [${begin}, ${end}) but the data section has ${data.length}`);
    const elemBytes = isBf16 ? 2 : DTYPE_BYTES[FROM_ST[stName as string]];
    const want = numel(shape as number[]) * elemBytes;
    if (end - begin !== want) {
      fail(`offsets out of range: tensor '${name}' spans ${end - begin} bytes but ${stName} [${(shape as number[]).join(', ')}] needs ${want}`);
    }
    spans.push({ name, begin, end, shape: shape as number[], isBf16, stName: stName as string });
  }
  // As the reference implementation: tensors tile the data section exactly, in offset order, no
  // overlaps, no gaps, nothing after (overlapping tensors let a small file decode to gigabytes).
  let expect = 0;
  for (const { name, begin, end } of [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (begin !== expect) {
      fail(begin < expect
        ? `bad data_offsets: tensor '${name}' [${begin}, ${end}) overlaps the previous tensor (which ends at ${expect})`
        : `bad data_offsets: ${begin - expect} bytes before tensor '${name}' belong to no tensor`);
    }
    expect = end;
  }
  if (expect !== data.length) fail(`bad data_offsets: the data section has ${data.length - expect} bytes after the last tensor`);
  for (const { name, begin, end, shape, isBf16, stName } of spans) {
    const raw = data.subarray(begin, end);
    tensors.set(name, isBf16
      ? { dtype: 'float32', shape: [...shape], data: bfloat16ToFloat32(typedFromBytes('float16', raw) as Uint16Array) }
      : { dtype: FROM_ST[stName], shape: [...shape], data: typedFromBytes(FROM_ST[stName], raw) });
  }
  return { tensors, metadata: decodeMetadata(entries[METADATA_KEY], fail) };
}

/** Writes a safetensors file atomically (temp file + rename). See the module comment for metadata encoding. */
export async function writeSafetensors(path: string, tensors: TensorInput, metadata?: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Reads a safetensors file (at most `limits.maxBytes`, default 2 GiB); errors name `path` and what was wrong. */
export async function readSafetensors(path: string, limits: ModelLimits = {}): Promise<SafetensorsContents> {
  return decodeSafetensors(await readModelFile(path, limits), path);
}
