// Reads one file out of a Qt binary resource file (.rcc, as written by `rcc -binary`), which is how
// gcompris-qt-data ships its activities' images. Format (Qt's rcc.cpp): a 'qres' header with the
// offsets of the tree, data and names sections; tree nodes of 14 bytes (format 1) or 22 bytes
// (format 2 and 3, with a modification time); data entries are a 4-byte length and the bytes, which
// for compressed entries are qCompress output (4-byte uncompressed length + zlib stream).
import { inflateSync } from 'node:zlib';

const DIRECTORY = 0x02;
const COMPRESSED_ZLIB = 0x01;
const COMPRESSED_ZSTD = 0x04;

/** Every file in the resource, as [path starting with '/', bytes]. */
export function* rccEntries(buf: Buffer): Generator<[string, Buffer]> {
  if (buf.length < 20 || buf.toString('latin1', 0, 4) !== 'qres') throw new Error('not a Qt resource file (no qres header)');
  const version = buf.readUInt32BE(4);
  const tree = buf.readUInt32BE(8);
  const data = buf.readUInt32BE(12);
  const names = buf.readUInt32BE(16);
  const nodeSize = version >= 2 ? 22 : 14;
  const nameAt = (offset: number): string => {
    const len = buf.readUInt16BE(names + offset);
    let s = '';
    for (let i = 0; i < len; i++) s += String.fromCharCode(buf.readUInt16BE(names + offset + 6 + 2 * i));
    return s;
  };
  function* walk(index: number, prefix: string): Generator<[string, Buffer]> {
    const at = tree + index * nodeSize;
    const flags = buf.readUInt16BE(at + 4);
    const path = index === 0 ? '' : `${prefix}/${nameAt(buf.readUInt32BE(at))}`;
    if (flags & DIRECTORY) {
      const count = buf.readUInt32BE(at + 6);
      const first = buf.readUInt32BE(at + 10);
      for (let i = 0; i < count; i++) yield* walk(first + i, path);
      return;
    }
    const offset = data + buf.readUInt32BE(at + 10);
    const size = buf.readUInt32BE(offset);
    const bytes = buf.subarray(offset + 4, offset + 4 + size);
    if (flags & COMPRESSED_ZSTD) throw new Error(`${path}: zstd-compressed resource entries are not supported`);
    yield [path, flags & COMPRESSED_ZLIB ? inflateSync(bytes.subarray(4)) : bytes];
  }
  yield* walk(0, '');
}

/** The bytes of `member` (a path starting with '/') in the resource file `buf`, or undefined. */
export function rccMember(buf: Buffer, member: string): Buffer | undefined {
  for (const [path, bytes] of rccEntries(buf)) if (path === member) return bytes;
  return undefined;
}
