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
import type { HostTensor } from './host-tensor.js';
import { checkModelFileSize, DecodeBudget, readModelFile, type ModelLimits } from './limits.js';
import { unpickle } from './pickle.js';
import { torchHooks } from './torch-pickle.js';
import { readZipEntry, zipEntries, type ZipEntry } from './zip-index.js';

export interface LoadPthOptions extends ModelLimits {
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
export function loadPthObjectBuffer(buf: Uint8Array, sourceName: string, limits: ModelLimits = {}): unknown {
  if (!(buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04)) {
    if (buf[0] === 0x80) throw new Error(`${sourceName}: legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with torch >= 1.6`);
    throw new Error(`${sourceName}: not a PyTorch zip checkpoint (no zip signature)`);
  }
  checkModelFileSize(sourceName, buf.length, limits);
  let files: Map<string, ZipEntry>;
  try {
    files = zipEntries(buf);
  } catch (e) {
    throw new Error(`${sourceName}: corrupt zip archive (${(e as Error).message})`);
  }
  // Entries are inflated only when used, each reserved in the budget first.
  const budget = new DecodeBudget(sourceName, buf.length, limits);
  const read = (name: string): Uint8Array => {
    const entry = files.get(name)!;
    if (entry.method !== 0) budget.take(entry.size, `zip entry ${name} (${entry.size} bytes inflated)`);
    try {
      return readZipEntry(buf, entry);
    } catch (e) {
      throw new Error(`${sourceName}: corrupt zip archive (${(e as Error).message})`);
    }
  };
  const names = [...files.keys()];
  const pkl = names.find((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (!pkl) {
    const hint = names.some((n) => n.endsWith('/constants.pkl')) ? ' (this looks like a TorchScript archive; save a state_dict instead)' : '';
    throw new Error(`${sourceName}: no <top>/data.pkl in the archive${hint}`);
  }
  const top = pkl.slice(0, -'data.pkl'.length);
  if (files.has(`${top}byteorder`)) {
    const order = read(`${top}byteorder`);
    if (new TextDecoder().decode(order.subarray(0, 16)).trim() !== 'little') throw new Error(`${sourceName}: big-endian checkpoints are not supported`);
  }
  const hooks = torchHooks(sourceName, (key) => {
    const name = `${top}data/${key}`;
    if (!files.has(name)) throw new Error(`${sourceName}: storage file ${name} is missing from the archive`);
    return read(name);
  }, budget);
  return unpickle(read(pkl), hooks, sourceName);
}

/** Reads a `torch.save` zip file and returns the saved object; see `loadPthObjectBuffer`. */
export async function loadPthObject(path: string, limits: ModelLimits = {}): Promise<unknown> {
  return loadPthObjectBuffer(await readModelFile(path, limits), path, limits);
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

/** Containers visited at most while flattening (a pickle can share one container many times over). */
const MAX_FLATTEN_NODES = 1_000_000;
/** Deepest nesting accepted (state dicts nest a few levels). */
const MAX_FLATTEN_DEPTH = 1000;

/**
 * Flattens nested dicts/lists into `a.b.0.c` keys, keeping only tensor leaves. Iterative: a
 * pickle that nests 100,000 lists deep or contains itself gets an error naming `sourceName`,
 * not a stack overflow.
 */
export function flattenTensors(obj: unknown, prefix = '', out = new Map<string, HostTensor>(), sourceName = '<checkpoint>'): Map<string, HostTensor> {
  const fail = (msg: string) => new Error(`${sourceName}: ${msg}`);
  // Depth-first, in the containers' order; `ancestors` holds the containers on the current path.
  const ancestors = new Set<unknown>();
  const work: { v: unknown; prefix: string; depth: number; leave?: boolean }[] = [{ v: obj, prefix, depth: 0 }];
  let visited = 0;
  while (work.length) {
    const item = work.pop()!;
    if (item.leave) {
      ancestors.delete(item.v);
      continue;
    }
    const { v, depth } = item;
    if (isHostTensor(v)) {
      out.set(item.prefix.slice(0, -1), v);
      continue;
    }
    if (!(v instanceof Map) && !Array.isArray(v)) continue;
    if (ancestors.has(v)) throw fail(`the checkpoint contains itself (at '${item.prefix.slice(0, -1) || '<top>'}'); not a state dict`);
    if (depth > MAX_FLATTEN_DEPTH) throw fail(`containers nested more than ${MAX_FLATTEN_DEPTH} levels deep; not a state dict`);
    if (++visited > MAX_FLATTEN_NODES) throw fail(`more than ${MAX_FLATTEN_NODES} containers (shared many times over?); not a state dict`);
    ancestors.add(v);
    work.push({ v, prefix: '', depth, leave: true });
    const children: [string, unknown][] = v instanceof Map ? [...v].map(([k, c]) => [String(k), c]) : v.map((c, i) => [String(i), c]);
    for (let i = children.length - 1; i >= 0; i--) work.push({ v: children[i][1], prefix: `${item.prefix}${children[i][0]}.`, depth: depth + 1 });
  }
  return out;
}

/**
 * Loads the tensors of an in-memory torch zip archive as a flat name -> tensor map
 * (nested dicts give dotted names; non-tensor values such as 'epoch' are skipped).
 */
export function loadPthBuffer(buf: Uint8Array, sourceName: string, opts: LoadPthOptions = {}): Map<string, HostTensor> {
  const root = loadPthObjectBuffer(buf, sourceName, opts);
  const picked = opts.key === undefined ? root : pickStateDict(root, opts.key, sourceName);
  const flat = flattenTensors(picked, '', new Map(), sourceName);
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
  return loadPthBuffer(await readModelFile(path, opts ?? {}), path, opts);
}
