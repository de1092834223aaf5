/**
 * The torch side of the restricted unpickler: the allow-list of globals a
 * `torch.save` state dict may name, storage resolution for BINPERSID, and
 * tensor rebuilding (offset + strides -> dense row-major copy).
 */
import { allocTyped, bfloat16ToFloat32, DTYPE_BYTES, typedFromBytes } from './dtype.js';
import { numel } from '../graph/shape.js';
import { type HostData, type HostDType, type HostTensor } from './host-tensor.js';
import { PyGlobal, type UnpickleHooks } from './pickle.js';
import { DecodeBudget } from './limits.js';

type StorageDType = HostDType | 'bfloat16';

const STORAGE_DTYPES: Readonly<Record<string, StorageDType>> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8',
  ByteStorage: 'uint8', BoolStorage: 'bool', UntypedStorage: 'uint8',
};

/** torch dtype globals (only appear when a checkpoint stores a dtype as a value); pickled back as strings. */
const TORCH_DTYPES = new Set([
  'float32', 'float', 'float64', 'double', 'float16', 'half', 'bfloat16',
  'int64', 'long', 'int32', 'int', 'int16', 'short', 'int8', 'uint8', 'bool',
]);

/** A storage resolved from a persistent id; shared by every tensor that views it. */
interface Storage {
  key: string;
  dtype: StorageDType;
  numel: number;
  view: HostData; // typed view over the whole storage (bf16 kept as raw Uint16Array bits)
}

/** Wraps a storage on the pickle stack so only our own storages reach _rebuild_tensor. */
class StorageBox {
  constructor(readonly s: Storage) {}
}

type Indexable = { [i: number]: number | bigint };

/** Dense copy of the strided view (`offset`, `size`, `stride` in elements) of `src`. */
function gather(src: HostData, dtype: HostDType, offset: number, size: number[], stride: number[]): HostData {
  const n = numel(size);
  // Contiguous (size-1 dims may carry any stride): one slice.
  let expect = 1;
  let contiguous = true;
  for (let d = size.length - 1; d >= 0; d--) {
    if (size[d] !== 1 && stride[d] !== expect) contiguous = false;
    expect *= size[d];
  }
  if (contiguous) return src.slice(offset, offset + n);
  const out = allocTyped(dtype, n) as unknown as Indexable;
  const from = src as unknown as Indexable;
  const idx = new Array<number>(size.length).fill(0);
  let at = offset;
  for (let i = 0; i < n; i++) {
    out[i] = from[at];
    // odometer increment over the last dimension first
    for (let d = size.length - 1; d >= 0; d--) {
      if (++idx[d] < size[d]) { at += stride[d]; break; }
      at -= (size[d] - 1) * stride[d];
      idx[d] = 0;
    }
  }
  return out as unknown as HostData;
}

const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x >= 0);

/**
 * Builds the unpickler hooks for one torch zip archive. `readStorage(key)`
 * returns the raw bytes of `<archive>/data/<key>`; each storage is read once
 * and shared, so tensors viewing the same storage see the same data. Every
 * storage and every dense tensor is reserved in `budget` before it is allocated.
 */
export function torchHooks(source: string, readStorage: (key: string) => Uint8Array, budget = new DecodeBudget(source, 0)): UnpickleHooks {
  const fail = (msg: string): Error => new Error(`${source}: ${msg}`);
  const storages = new Map<string, Storage>();

  const rebuildTensor = (args: readonly unknown[]): HostTensor => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof StorageBox)) throw fail('_rebuild_tensor: first argument is not a storage');
    if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw fail('_rebuild_tensor: bad storage offset');
    if (!isIntList(size) || !isIntList(stride) || size.length !== stride.length) throw fail('_rebuild_tensor: bad size/stride');
    const s = storage.s;
    const n = size.reduce((a, d) => a * d, 1);
    if (!Number.isSafeInteger(n)) throw fail(`_rebuild_tensor: tensor size [${size.join(', ')}] is too large`);
    const last = (offset as number) + size.reduce((acc, d, i) => acc + (d - 1) * stride[i], 0);
    if (n > 0 && last >= s.numel) {
      throw fail(`tensor view [${size.join(', ')}] at offset ${offset} reaches element ${last} of storage '${s.key}' which has ${s.numel}`);
    }
    // Dense copy: a view that repeats elements (stride 0) can ask for far more than its storage.
    budget.take(n * (s.dtype === 'bfloat16' ? 4 : DTYPE_BYTES[s.dtype]), `tensor [${size.join(', ')}] (strides [${stride.join(', ')}]) of storage '${s.key}'`);
    if (s.dtype === 'bfloat16') {
      const bits = gather(s.view, 'float16', offset as number, size, stride) as Uint16Array;
      return { dtype: 'float32', shape: [...size], data: bfloat16ToFloat32(bits) };
    }
    return { dtype: s.dtype, shape: [...size], data: gather(s.view, s.dtype, offset as number, size, stride) };
  };
  const firstArg = (args: readonly unknown[]) => args[0];
  const rebuildFromType = (args: readonly unknown[]): unknown => {
    const [fn, type, fnArgs] = args;
    if (!(type instanceof PyGlobal) || !['torch.Tensor', 'torch.nn.parameter.Parameter'].includes(type.qualname)) {
      throw fail('_rebuild_from_type_v2: only plain tensors and Parameters are supported');
    }
    if (!(fn instanceof PyGlobal) || !fn.call || !Array.isArray(fnArgs)) throw fail('_rebuild_from_type_v2: bad arguments');
    return fn.call(fnArgs);
  };

  const allowed: Record<string, (args: readonly unknown[]) => unknown> = {
    'collections.OrderedDict': (args) => new Map(Array.isArray(args[0]) ? (args[0] as [unknown, unknown][]) : []),
    'torch._utils._rebuild_tensor': rebuildTensor,
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    'torch._utils._rebuild_parameter': firstArg,
    'torch._utils._rebuild_parameter_with_state': firstArg,
    'torch._tensor._rebuild_from_type_v2': rebuildFromType,
    'torch.Size': (args) => Object.freeze([...(args[0] as unknown[])]),
    // protocol 2 spells sets and bytes through these
    'builtins.set': (args) => new Set(args[0] as unknown[] ?? []),
    '__builtin__.set': (args) => new Set(args[0] as unknown[] ?? []),
    'builtins.frozenset': (args) => Object.freeze(new Set(args[0] as unknown[] ?? [])),
    '__builtin__.frozenset': (args) => Object.freeze(new Set(args[0] as unknown[] ?? [])),
    '_codecs.encode': ([s, enc]) => {
      if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) throw fail('_codecs.encode: only latin1 bytes are supported');
      return Uint8Array.from(s, (c) => c.charCodeAt(0));
    },
  };
  const typeMarkers = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

  return {
    findGlobal(module, name) {
      const q = `${module}.${name}`;
      if (Object.hasOwn(allowed, q)) return new PyGlobal(module, name, allowed[q]);
      if (typeMarkers.has(q)) return new PyGlobal(module, name);
      if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) return new PyGlobal(module, name);
      if (module === 'torch' && TORCH_DTYPES.has(name)) return q;
      if (module === 'torch' && /Storage$/.test(name)) throw fail(`storage type '${q}' (complex or quantized tensors) is not supported`);
      throw new Error(`refusing to load ${source}: pickle asks for global '${q}'; only tensors and plain containers are allowed`);
    },
    persistentLoad(pid) {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) throw fail('unexpected persistent id (not a tensor storage)');
      const [, type, key, , count] = pid;
      if (!(type instanceof PyGlobal) || !Object.hasOwn(STORAGE_DTYPES, type.name)) throw fail('persistent id names no storage type');
      if (typeof key !== 'string' || !Number.isSafeInteger(count) || count < 0) throw fail('bad storage persistent id');
      let s = storages.get(key);
      if (!s) {
        const dtype = STORAGE_DTYPES[type.name];
        const bytes = (dtype === 'bfloat16' ? 2 : DTYPE_BYTES[dtype]) * count;
        budget.take(bytes, `storage '${key}' (${count} elements)`);
        const raw = readStorage(key);
        if (raw.length < bytes) throw fail(`storage '${key}' has ${raw.length} bytes but ${count} ${type.name} elements need ${bytes}`);
        s = { key, dtype, numel: count, view: typedFromBytes(dtype === 'bfloat16' ? 'float16' : dtype, raw.subarray(0, bytes)) };
        storages.set(key, s);
      }
      return new StorageBox(s);
    },
  };
}
