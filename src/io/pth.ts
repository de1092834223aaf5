/**
 * Loads PyTorch `torch.save` files in the zip format (PyTorch >= 1.6):
 *   <top>/data.pkl, <top>/data/<key> (raw storages), <top>/version[, <top>/byteorder]
 * where <top> varies ('archive', the file stem, ...). data.pkl goes through the
 * restricted unpickler in pickle.ts with the torch allow-list in torch-pickle.ts,
 * so a malicious pickle is refused before anything it names is called.
 *
 * Tensors come back dense and row-major whatever their strides/offsets were.
 * dtypes: float16 stays 'float16' (raw half bits in a Uint16Array; use
 * `toFloat32` from dtype.ts to widen), bfloat16 is widened to float32 (exact),
 * int64 is a BigInt64Array, bool a Uint8Array of 0/1.
 */
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import type { HostTensor } from './host-tensor.js';
import { unpickle } from './pickle.js';
import { torchHooks } from './torch-pickle.js';

export interface LoadPthOptions {
  /** Dotted path of the sub-object to take tensors from, e.g. 'state_dict' or 'model.netG'. Default: the whole object. */
  key?: string;
  /** Drop a leading 'module.' from every key (checkpoints saved from nn.DataParallel). Default false. */
  stripModulePrefix?: boolean;
}

/** Keys that usually hold the weights inside a training checkpoint, tried in order by `pickStateDict`. */
const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'params'];

/** True for the tensor objects the loader produces. */
export function isHostTensor(v: unknown): v is HostTensor {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v && ArrayBuffer.isView((v as HostTensor).data);
}

/**
 * Unpickles a torch zip archive held in memory and returns the saved Python object
 * (dict -> Map, list/tuple -> array, tensors -> HostTensor). `sourceName` names it in errors.
 */
export function loadPthObjectBuffer(buf: Uint8Array, sourceName: string): unknown {
  if (!(buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04)) {
    if (buf[0] === 0x80) throw new Error(`${sourceName}: legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with torch >= 1.6`);
    throw new Error(`${sourceName}: not a PyTorch zip checkpoint (no zip signature)`);
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(buf);
  } catch (e) {
    throw new Error(`${sourceName}: corrupt zip archive (${(e as Error).message})`);
  }
  const pkl = Object.keys(files).find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) {
    const hint = Object.keys(files).some((n) => n.endsWith('/constants.pkl')) ? ' (this looks like a TorchScript archive; save a state_dict instead)' : '';
    throw new Error(`${sourceName}: no <top>/data.pkl in the archive${hint}`);
  }
  const top = pkl.slice(0, -'data.pkl'.length);
  const order = files[`${top}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== 'little') throw new Error(`${sourceName}: big-endian checkpoints are not supported`);
  const hooks = torchHooks(sourceName, (key) => {
    const bytes = files[`${top}data/${key}`];
    if (!bytes) throw new Error(`${sourceName}: storage file ${top}data/${key} is missing from the archive`);
    return bytes;
  });
  return unpickle(files[pkl], hooks, sourceName);
}

/** Reads a `torch.save` zip file and returns the saved object; see `loadPthObjectBuffer`. */
export async function loadPthObject(path: string): Promise<unknown> {
  return loadPthObjectBuffer(await readFile(path), path);
}

/**
 * Picks the state dict out of a loaded object: the sub-object at dotted `key`
 * if given, else the object itself if it holds tensors directly, else the first
 * of state_dict / model_state_dict / model / net / params that is a dict.
 */
export function pickStateDict(obj: unknown, key?: string, sourceName = '<checkpoint>'): unknown {
  if (key !== undefined) {
    let cur = obj;
    for (const part of key.split('.')) {
      if (!(cur instanceof Map) || !cur.has(part)) {
        const have = cur instanceof Map ? [...cur.keys()].map(String).join(', ') : 'not a dict';
        throw new Error(`${sourceName}: no key '${key}' in the checkpoint (at '${part}'; available: ${have})`);
      }
      cur = cur.get(part);
    }
    return cur;
  }
  if (!(obj instanceof Map) || [...obj.values()].some(isHostTensor)) return obj;
  for (const k of STATE_DICT_KEYS) if (obj.get(k) instanceof Map) return obj.get(k);
  return obj;
}

/** Flattens nested dicts/lists into `a.b.0.c` keys, keeping only tensor leaves. */
export function flattenTensors(obj: unknown, prefix = '', out = new Map<string, HostTensor>()): Map<string, HostTensor> {
  if (isHostTensor(obj)) out.set(prefix.slice(0, -1), obj);
  else if (obj instanceof Map) for (const [k, v] of obj) flattenTensors(v, `${prefix}${String(k)}.`, out);
  else if (Array.isArray(obj)) obj.forEach((v, i) => flattenTensors(v, `${prefix}${i}.`, out));
  return out;
}

/**
 * Loads the tensors of an in-memory torch zip archive as a flat name -> tensor map
 * (nested dicts give dotted names; non-tensor values such as 'epoch' are skipped).
 */
export function loadPthBuffer(buf: Uint8Array, sourceName: string, opts: LoadPthOptions = {}): Map<string, HostTensor> {
  const root = loadPthObjectBuffer(buf, sourceName);
  const picked = opts.key === undefined ? root : pickStateDict(root, opts.key, sourceName);
  const flat = flattenTensors(picked);
  if (!opts.stripModulePrefix) return flat;
  const out = new Map<string, HostTensor>();
  for (const [k, t] of flat) {
    const name = k.startsWith('module.') ? k.slice(7) : k;
    if (out.has(name)) throw new Error(`${sourceName}: key '${name}' appears both with and without the 'module.' prefix`);
    out.set(name, t);
  }
  return out;
}

/** Reads a `torch.save` zip file (e.g. a state_dict .pth) as a flat name -> tensor map; see `loadPthBuffer`. */
export async function loadPth(path: string, opts?: LoadPthOptions): Promise<Map<string, HostTensor>> {
  return loadPthBuffer(await readFile(path), path, opts);
}
