// Seeded mutators: generic byte-level ones and format-aware ones that keep the container valid
// (checksums, compression, JSON) so the mutation reaches the parser behind it.
import { gunzipSync, gzipSync, unzipSync, zipSync, type Zippable } from 'fflate';
import { crc32 } from 'node:zlib';
import { decodeOnnx, encodeOnnx } from '../../src/graph/onnx/import-proto.js';
import type { Rng } from '../../src/util/rng.js';

const INTERESTING32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x3fff, 16383, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 4096, 65536 * 4];
const INTERESTING_NUMBERS = [0, -1, 1, 2, 3, 7, 255, 4096, 16384, 65536, 2 ** 31, 2 ** 32, 2 ** 53, 1e9, 1e15, -(2 ** 31), 0.5, 1e308];

/** One to four generic byte mutations (flips, interesting values, chunk edits, truncation, splices from `other`). */
export function mutateBytes(input: Uint8Array, rng: Rng, other?: Uint8Array): Uint8Array {
  let b: Uint8Array = Uint8Array.from(input);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    if (b.length === 0) b = Uint8Array.of(rng.int(256));
    const at = rng.int(b.length);
    switch (rng.int(10)) {
      case 0: b[at] ^= 1 << rng.int(8); break;
      case 1: b[at] = [0, 0xff, 0x7f, 0x80, rng.int(256)][rng.int(5)]; break;
      case 2: case 3: { // interesting 32-bit value, either endianness
        const v = INTERESTING32[rng.int(INTERESTING32.length)];
        if (at + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, rng.random() < 0.5);
        break;
      }
      case 4: { // interesting 64-bit little-endian value
        const v = [2n ** 53n, 2n ** 63n - 1n, 2n ** 32n, 2n ** 40n, 0n][rng.int(5)];
        if (at + 8 <= b.length) new DataView(b.buffer, b.byteOffset).setBigUint64(at, v, true);
        break;
      }
      case 5: { // delete a chunk
        const len = 1 + rng.int(Math.min(64, b.length - at));
        b = concat(b.subarray(0, at), b.subarray(at + len));
        break;
      }
      case 6: { // duplicate a chunk
        const len = 1 + rng.int(Math.min(256, b.length - at));
        b = concat(b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len));
        break;
      }
      case 7: { // insert random bytes
        const ins = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
        b = concat(b.subarray(0, at), ins, b.subarray(at));
        break;
      }
      case 8: b = b.subarray(0, at); break; // truncate
      default: { // splice a chunk of another input of the same format
        if (!other || other.length === 0) break;
        const from = rng.int(other.length);
        const len = 1 + rng.int(Math.min(128, other.length - from));
        b = concat(b.subarray(0, at), other.subarray(from, from + len), b.subarray(Math.min(b.length, at + len)));
      }
    }
  }
  return b;
}

export const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

/** Replaces one random number inside a JSON value by an interesting one (or a key by '__proto__'). */
function mutateJson(v: unknown, rng: Rng): unknown {
  const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach((c, i) => { paths.push({ parent: x, key: i }); walk(c); });
    else if (x && typeof x === 'object') for (const [k, c] of Object.entries(x)) { paths.push({ parent: x as Record<string, unknown>, key: k }); walk(c); }
  };
  walk(v);
  if (!paths.length) return v;
  const p = paths[rng.int(paths.length)];
  const choice = rng.int(6);
  const cur = (p.parent as Record<string | number, unknown>)[p.key];
  if (choice === 0 && !Array.isArray(p.parent)) {
    Object.defineProperty(p.parent, '__proto__', { value: cur, enumerable: true, configurable: true, writable: true });
  } else if (choice === 1) {
    (p.parent as Record<string | number, unknown>)[p.key] = typeof cur === 'string' ? cur + 'x' : ['F32', 'BF16', 'I64', 'unet_256', 'resnet_9blocks', null, [], {}][rng.int(8)];
  } else if (typeof cur === 'string' && cur.startsWith('{')) {
    try { // metadata values are JSON inside strings (configs)
      (p.parent as Record<string | number, unknown>)[p.key] = JSON.stringify(mutateJson(JSON.parse(cur), rng));
    } catch { /* not JSON */ }
  } else {
    (p.parent as Record<string | number, unknown>)[p.key] = INTERESTING_NUMBERS[rng.int(INTERESTING_NUMBERS.length)];
  }
  return v;
}

/** safetensors: a mutated header (shapes, offsets, dtypes, metadata configs) over the same data, else bytes. */
export function mutateSafetensors(b: Uint8Array, rng: Rng, other?: Uint8Array): Uint8Array {
  if (rng.random() < 0.35 || b.length < 8) return mutateBytes(b, rng, other);
  const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n)));
  } catch {
    return mutateBytes(b, rng, other);
  }
  const rounds = 1 + rng.int(3);
  for (let i = 0; i < rounds; i++) header = mutateJson(header, rng);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + b.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(b.subarray(8 + n), 8 + json.length);
  return out;
}

/** tar.gz: mutate the tar inside (the gzip layer would reject almost every byte mutation). */
export function mutateTarGz(b: Uint8Array, rng: Rng, other?: Uint8Array): Uint8Array {
  if (rng.random() < 0.2) return mutateBytes(b, rng, other);
  let tar: Uint8Array;
  try {
    tar = gunzipSync(b);
  } catch {
    return mutateBytes(b, rng, other);
  }
  const m = mutateBytes(tar, rng);
  // keep the header checksum right half of the time, so the mutation reaches the entry
  if (rng.random() < 0.5) fixTarChecksums(m);
  return gzipSync(m);
}

function fixTarChecksums(tar: Uint8Array): void {
  for (let at = 0; at + 512 <= tar.length; at += 512) {
    if (tar[at + 257] !== 0x75) continue; // 'u' of ustar
    tar.fill(0x20, at + 148, at + 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tar[at + i];
    const s = sum.toString(8).padStart(6, '0') + '\0 ';
    for (let i = 0; i < 8; i++) tar[at + 148 + i] = s.charCodeAt(i);
  }
}

/** .pth: mutate data.pkl or a storage inside the zip and zip it again, else the raw bytes. */
export function mutatePth(b: Uint8Array, rng: Rng, other?: Uint8Array): Uint8Array {
  if (rng.random() < 0.3) return mutateBytes(b, rng, other);
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(b);
  } catch {
    return mutateBytes(b, rng, other);
  }
  const names = Object.keys(files);
  if (names.length === 0) return mutateBytes(b, rng, other);
  const pkl = names.find((n) => n.endsWith('data.pkl'));
  const target = pkl && rng.random() < 0.75 ? pkl : names[rng.int(names.length)];
  files[target] = mutateBytes(files[target], rng);
  const z: Zippable = {};
  for (const [k, v] of Object.entries(files)) z[k] = [v, { level: rng.random() < 0.2 ? 6 : 0 }];
  return zipSync(z);
}

/** PNG: byte mutations with every chunk's CRC recomputed (else libpng stops at the first CRC). */
export function mutatePng(b: Uint8Array, rng: Rng, other?: Uint8Array): Uint8Array {
  const m = mutateBytes(b, rng, other);
  if (rng.random() < 0.7) fixPngCrcs(m);
  return m;
}

function fixPngCrcs(png: Uint8Array): void {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  for (let at = 8; at + 12 <= png.length;) {
    const len = dv.getUint32(at);
    if (at + 12 + len > png.length) return;
    dv.setUint32(at + 8 + len, crc32(png.subarray(at + 4, at + 8 + len)));
    at += 12 + len;
  }
}

/** ONNX: mutate a number inside the decoded model (dims, attributes, data types) and encode it again, else bytes. */
export function mutateOnnx(b: Uint8Array, rng: Rng, other?: Uint8Array): Uint8Array {
  if (rng.random() < 0.4) return mutateBytes(b, rng, other);
  try {
    const model = decodeOnnx(b, 'seed') as unknown as Record<string, unknown>;
    // raw_data becomes a plain array of numbers in JSON; keep it as bytes by walking the object directly
    const nums: { parent: Record<string | number, unknown>; key: string | number }[] = [];
    const walk = (x: unknown) => {
      if (x instanceof Uint8Array) return;
      if (Array.isArray(x)) x.forEach((c, i) => { if (typeof c === 'number') nums.push({ parent: x as unknown as Record<number, unknown>, key: i }); else walk(c); });
      else if (x && typeof x === 'object') for (const [k, c] of Object.entries(x)) { if (typeof c === 'number') nums.push({ parent: x as Record<string, unknown>, key: k }); else walk(c); }
    };
    walk(model);
    const rounds = 1 + rng.int(3);
    for (let i = 0; i < rounds && nums.length; i++) {
      const p = nums[rng.int(nums.length)];
      p.parent[p.key] = [0, -1, 1, 2, 3, 7, 16384, 2 ** 31 - 1, 1e6, 1e9][rng.int(10)];
    }
    if (rng.random() < 0.3) { // a ragged or truncated raw_data
      const inits = ((model.graph as Record<string, unknown>)?.initializer ?? []) as { raw_data?: Uint8Array }[];
      const t = inits[rng.int(Math.max(1, inits.length))];
      if (t?.raw_data) t.raw_data = t.raw_data.subarray(0, rng.int(t.raw_data.length + 1));
    }
    return encodeOnnx(model as never);
  } catch {
    return mutateBytes(b, rng, other);
  }
}
