// Builders of hostile inputs, shared by the reliability tests and the fuzz suite's hand-made
// corpus: raw tar entries (so `..`, PAX and GNU long-name paths can be written at all), torch
// zip archives with a pickle of our choosing, safetensors with a header of our choosing.
import { gzipSync, zipSync, type Zippable } from 'fflate';
import { crc32, deflateRawSync } from 'node:zlib';

/** One raw tar entry: typeflag '0' file, '5' folder, 'x' PAX header, 'L' GNU long name, '2' symlink. */
export interface RawTarEntry {
  name: string;
  type?: string;
  data?: Uint8Array | string;
  linkname?: string;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, type: string, linkname = ''): Uint8Array {
  const h = new Uint8Array(512);
  const put = (s: string, at: number, len: number) => h.set(new TextEncoder().encode(s).subarray(0, len), at);
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put(linkname, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(octal(sum, 7) + ' ', 148, 8);
  return h;
}

const bytesOf = (d: Uint8Array | string | undefined): Uint8Array => (typeof d === 'string' ? new TextEncoder().encode(d) : d ?? new Uint8Array(0));

/** A PAX extended header record "LEN key=value\n". */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

/** An uncompressed tar of raw entries (no path checks: that is the point). */
export function rawTar(entries: RawTarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const data = bytesOf(e.data);
    parts.push(header(e.name, data.length, e.type ?? '0', e.linkname));
    parts.push(data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(1024));
  return new Uint8Array(Buffer.concat(parts));
}

export const rawTarGz = (entries: RawTarEntry[]): Uint8Array => gzipSync(rawTar(entries));

/** The three traversal spellings the review used: a plain `../`, a PAX path, a GNU long name. */
export function traversalTarballs(): Record<string, Uint8Array> {
  const ok = { name: 'ds/train/1.txt', data: 'fine' };
  return {
    dotdot: rawTarGz([ok, { name: '../escaped.txt', data: 'evil' }]),
    pax: rawTarGz([ok, { name: 'PaxHeader', type: 'x', data: paxRecord('path', '../escaped.txt') }, { name: 'innocent.txt', data: 'evil' }]),
    gnuLongName: rawTarGz([ok, { name: '././@LongLink', type: 'L', data: `${'../'.repeat(40)}escaped.txt\0` }, { name: 'short.txt', data: 'evil' }]),
  };
}

/** A zip whose entries are given as bytes (fflate, deflated). */
export function zipOf(files: Record<string, Uint8Array>, level: 0 | 9 = 9): Uint8Array {
  const z: Zippable = {};
  for (const [k, v] of Object.entries(files)) z[k] = [v, { level }];
  return zipSync(z);
}

/** A torch zip archive holding `pickle` as archive/data.pkl and the given storages as archive/data/KEY. */
export function torchZip(pickle: Uint8Array, storages: Record<string, Uint8Array> = {}, extra: Record<string, Uint8Array> = {}): Uint8Array {
  const files: Record<string, Uint8Array> = { 'archive/data.pkl': pickle, 'archive/version': new TextEncoder().encode('3\n'), ...extra };
  for (const [k, v] of Object.entries(storages)) files[`archive/data/${k}`] = v;
  return zipOf(files, 0);
}

/** A pickle assembled from opcodes and byte strings. */
export function pickleBytes(...parts: (number | Uint8Array | string)[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'number' ? Uint8Array.of(p) : typeof p === 'string' ? new TextEncoder().encode(p) : p));
  return new Uint8Array(Buffer.concat(chunks));
}

export const u32le = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

/** SHORT_BINUNICODE of `s`. */
export const shortStr = (s: string): Uint8Array => {
  const e = new TextEncoder().encode(s);
  return Uint8Array.from([0x8c, e.length, ...e]);
};

/**
 * A state-dict pickle {name: tensor} of float32 tensors over storages '0', '1', ...
 * `views` gives each tensor's storage element count, offset, size and stride.
 */
export function stateDictPickle(views: { name: string; storageNumel: number; offset?: number; size: number[]; stride: number[]; key?: string }[]): Uint8Array {
  const tuple = (xs: number[]) => pickleBytes(0x28, ...xs.flatMap((x) => [0x4a, u32le(x)]), 0x74);
  const out: (number | Uint8Array)[] = [0x80, 2, 0x7d, 0x28];
  views.forEach((v, i) => {
    out.push(shortStr(v.name));
    out.push(shortStr('torch._utils'), shortStr('_rebuild_tensor_v2'), 0x93);
    out.push(0x28); // MARK: the argument tuple
    out.push(0x28, shortStr('storage'), shortStr('torch'), shortStr('FloatStorage'), 0x93, shortStr(v.key ?? String(i)), shortStr('cpu'), 0x4a, u32le(v.storageNumel), 0x74, 0x51);
    out.push(0x4a, u32le(v.offset ?? 0), tuple(v.size), tuple(v.stride), 0x89, 0x7d);
    out.push(0x74, 0x52); // TUPLE, REDUCE
  });
  out.push(0x75, 0x2e); // SETITEMS, STOP
  return pickleBytes(...out);
}

/** A safetensors file with the given header object and data bytes (no checks). */
export function rawSafetensors(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/**
 * A zip written with node's zlib (fast for large runs of zeros, where fflate takes seconds):
 * entries are stored, or deflated when `deflate` is set. Enough of the format for our readers.
 */
export function zipWithZlib(files: { name: string; bytes: Uint8Array; deflate?: boolean }[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(f.name);
    const body = f.deflate ? new Uint8Array(deflateRawSync(f.bytes, { level: 9 })) : f.bytes;
    const crc = crc32(f.bytes) >>> 0;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, f.deflate ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, f.bytes.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, f.deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, f.bytes.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return new Uint8Array(Buffer.concat([...locals, ...centrals, end]));
}
