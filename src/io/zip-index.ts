// A zip archive read entry by entry: the central directory is parsed once and an entry is
// inflated only when asked for, into a buffer of its declared size that the caller has budgeted.
// (fflate's unzipSync inflates every entry, so a 1 MB .pth with a large unused entry took 1.1 GB,
// and it trusts the entry count, so a forged ZIP64 count made it loop for minutes.)
import { inflateSync } from 'fflate';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;

/** The entries of a zip held in memory; throws plain Errors (the caller adds the file name). */
export function zipEntries(buf: Uint8Array): Map<string, ZipEntry> {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const u16 = (at: number) => dv.getUint16(at, true);
  const u32 = (at: number) => dv.getUint32(at, true);
  const u64 = (at: number) => Number(dv.getBigUint64(at, true));
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (u32(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('no end-of-central-directory record (truncated or not a zip)');
  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  if (eocd >= 20 && u32(eocd - 20) === ZIP64_LOCATOR) {
    const z = u64(eocd - 12);
    if (z + 56 > buf.length || u32(z) !== ZIP64_EOCD) throw new Error('bad ZIP64 end-of-central-directory record');
    count = u64(z + 32);
    cdSize = u64(z + 40);
    cdOffset = u64(z + 48);
  }
  if (cdOffset + cdSize > buf.length || count * 46 > cdSize) throw new Error(`central directory of ${count} entries does not fit the file`);
  const entries = new Map<string, ZipEntry>();
  let at = cdOffset;
  const td = new TextDecoder();
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdOffset + cdSize || u32(at) !== CENTRAL_HEADER) throw new Error(`central directory entry ${i} is damaged`);
    const method = u16(at + 10);
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLen = u16(at + 28);
    const extraLen = u16(at + 30);
    const commentLen = u16(at + 32);
    let localHeaderOffset = u32(at + 42);
    const end = at + 46 + nameLen + extraLen + commentLen;
    if (end > cdOffset + cdSize) throw new Error(`central directory entry ${i} is damaged`);
    const name = td.decode(buf.subarray(at + 46, at + 46 + nameLen));
    // ZIP64 extended information: the 64-bit values of the fields set to 0xffffffff, in order.
    for (let e = at + 46 + nameLen; e + 4 <= at + 46 + nameLen + extraLen;) {
      const id = u16(e);
      const len = u16(e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        const take = () => {
          if (p + 8 > e + 4 + len) throw new Error(`ZIP64 field of ${name} is damaged`);
          const v = u64(p);
          p += 8;
          return v;
        };
        if (size === 0xffffffff) size = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    at = end;
  }
  return entries;
}

/** The bytes of one entry (a view for stored entries, a new buffer of `entry.size` for deflated ones). */
export function readZipEntry(buf: Uint8Array, entry: ZipEntry): Uint8Array {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > buf.length || dv.getUint32(at, true) !== LOCAL_HEADER) throw new Error(`local header of ${entry.name} is damaged`);
  const start = at + 30 + dv.getUint16(at + 26, true) + dv.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new Error(`${entry.name} runs past the end of the file`);
  const raw = buf.subarray(start, end);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new Error(`stored entry ${entry.name} has mismatched sizes`);
    return raw;
  }
  if (entry.method !== 8) throw new Error(`${entry.name} uses compression method ${entry.method} (only stored and deflate are supported)`);
  const out = new Uint8Array(entry.size);
  let got: Uint8Array;
  try {
    got = inflateSync(raw, { out });
  } catch (e) {
    throw new Error(`${entry.name} does not inflate (${(e as Error).message})`);
  }
  if (got.length !== entry.size) throw new Error(`${entry.name} inflates to ${got.length} bytes, its header says ${entry.size}`);
  return got;
}
