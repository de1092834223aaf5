import { numel } from '../graph/shape.js';

/** Element types a host tensor may hold (what safetensors, .pth and ONNX initializers carry). */
export type HostDType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export type HostData = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** A dense, row-major (C-contiguous) tensor in host memory. */
export interface HostTensor {
  dtype: HostDType;
  shape: number[];
  data: HostData;
}

/** A float32 host tensor; checks that data length matches the shape. */
export function floatTensor(shape: readonly number[], data?: Float32Array): HostTensor & { data: Float32Array } {
  const n = numel(shape);
  const d = data ?? new Float32Array(n);
  if (d.length !== n) throw new Error(`floatTensor: data has ${d.length} elements but shape [${shape.join(', ')}] needs ${n}`);
  return { dtype: 'float32', shape: [...shape], data: d };
}
