import { endianness } from 'node:os';
import type { HostData, HostDType, HostTensor } from './host-tensor.js';

/** Bytes per element of each host dtype (float16 is stored as raw IEEE half bits). */
export const DTYPE_BYTES: Readonly<Record<HostDType, number>> = {
  float32: 4, float64: 8, float16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** Both file formats are little-endian; we reinterpret bytes in place, so refuse big-endian hosts loudly. */
export function assertLittleEndianHost(): void {
  if (endianness() !== 'LE') throw new Error('img2img io: big-endian hosts are not supported');
}

/**
 * Wraps little-endian bytes as the typed array for `dtype`. Always copies,
 * so the result is aligned and does not pin the (possibly large) source buffer.
 */
export function typedFromBytes(dtype: HostDType, bytes: Uint8Array): HostData {
  assertLittleEndianHost();
  const buf = new Uint8Array(bytes).buffer; // not bytes.slice(): on a Node Buffer that is a view, not a copy
  switch (dtype) {
    case 'float32': return new Float32Array(buf);
    case 'float64': return new Float64Array(buf);
    case 'float16': return new Uint16Array(buf);
    case 'int64': return new BigInt64Array(buf);
    case 'int32': return new Int32Array(buf);
    case 'int16': return new Int16Array(buf);
    case 'int8': return new Int8Array(buf);
    case 'uint8': case 'bool': return new Uint8Array(buf);
  }
}

/** An empty typed array of the right class for `dtype`. */
export function allocTyped(dtype: HostDType, n: number): HostData {
  return typedFromBytes(dtype, new Uint8Array(n * DTYPE_BYTES[dtype]));
}

/** The typed-array class each dtype must use (to catch e.g. an Int32Array labelled float32). */
export function dataMatchesDtype(dtype: HostDType, data: HostData): boolean {
  switch (dtype) {
    case 'float32': return data instanceof Float32Array;
    case 'float64': return data instanceof Float64Array;
    case 'float16': return data instanceof Uint16Array;
    case 'int64': return data instanceof BigInt64Array;
    case 'int32': return data instanceof Int32Array;
    case 'int16': return data instanceof Int16Array;
    case 'int8': return data instanceof Int8Array;
    case 'uint8': case 'bool': return data instanceof Uint8Array && !(data instanceof Uint8ClampedArray);
  }
}

/** bfloat16 is the top half of a float32, so widening is exact. */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

/** Exact IEEE half -> float32 widening (handles subnormals, inf, NaN). */
export function halfToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** Converts any host tensor to float32 (int64 via Number, bool/uint8 as 0/1..255). Returns `t` itself if already float32. */
export function toFloat32(t: HostTensor): HostTensor & { data: Float32Array } {
  if (t.dtype === 'float32') return t as HostTensor & { data: Float32Array };
  let data: Float32Array;
  if (t.dtype === 'float16') data = halfToFloat32(t.data as Uint16Array);
  else if (t.data instanceof BigInt64Array) data = Float32Array.from(t.data, (v) => Number(v));
  else data = Float32Array.from(t.data as ArrayLike<number>);
  return { dtype: 'float32', shape: [...t.shape], data };
}
