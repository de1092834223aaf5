// Unpacks a dataset archive: .tar.gz parsed by node-tar, .zip streamed through fflate (datasets
// are hundreds of MB, so neither is ever held in memory whole). Both write the files themselves so
// that, on failure, every write has stopped before the caller deletes the folder.
import { closeSync, createReadStream, createWriteStream, mkdirSync, openSync, writeSync, type WriteStream } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { Unzip, UnzipInflate } from 'fflate';
import { DataError, errorMessage } from './errors.js';
import type { ArchiveFormat } from './dataset-catalog.js';
import { definedOnly } from '../util/options.js';

/** Limits on what an archive may extract to (a zip bomb would otherwise fill the disk). */
export interface ExtractLimits {
  /** Total bytes of all extracted files (default 20 GiB; the largest reference dataset is about 9 GB). */
  maxExtractedBytes?: number;
  /** Files and folders (default 1,000,000; the largest reference dataset has about 140,000). */
  maxExtractedFiles?: number;
  /** Extracted bytes per archive byte (default 20; image datasets barely compress, bombs by 1000x and more). */
  maxCompressionRatio?: number;
}

export const DEFAULT_EXTRACT_LIMITS: Required<ExtractLimits> = {
  maxExtractedBytes: 20 * 2 ** 30,
  maxExtractedFiles: 1_000_000,
  maxCompressionRatio: 20,
};

/** Counts what an extraction wrote and stops it at the first limit passed. */
class ExtractBudget {
  private bytes = 0;
  private files = 0;
  private readonly maxBytes: number;
  private readonly byRatio: boolean;

  constructor(archiveBytes: number, private readonly limits: Required<ExtractLimits>) {
    // A tiny archive still gets 64 MiB, so the ratio never bites on small test archives.
    const ratioBytes = Math.max(64 * 2 ** 20, archiveBytes * limits.maxCompressionRatio);
    this.byRatio = ratioBytes < limits.maxExtractedBytes;
    this.maxBytes = Math.min(limits.maxExtractedBytes, ratioBytes);
  }

  /** A new file or folder of declared `size` bytes (checked before anything is written). */
  addEntry(path: string, size: number): void {
    if (++this.files > this.limits.maxExtractedFiles) {
      throw new Error(`archive has more than ${this.limits.maxExtractedFiles} entries (at ${path}); raise maxExtractedFiles (--max-extracted-files) if it is genuine`);
    }
    this.check(path, this.bytes + size);
  }

  /** `n` more bytes written. */
  addBytes(path: string, n: number): void {
    this.bytes += n;
    this.check(path, this.bytes);
  }

  private check(path: string, total: number): void {
    if (total <= this.maxBytes) return;
    const why = this.byRatio
      ? `${this.limits.maxCompressionRatio} times the archive's size (raise maxCompressionRatio, --max-compression-ratio, if it is genuine)`
      : `the limit of ${this.limits.maxExtractedBytes} bytes (raise maxExtractedBytes, --max-extracted-bytes, if it is genuine)`;
    throw new Error(`archive expands to more than ${this.maxBytes} bytes (at ${path}), over ${why}`);
  }
}

/**
 * Extracts `archive` into the existing folder `destDir`. Entries with absolute paths or `..`
 * are refused; a damaged or truncated archive, or one that expands past `limits`, throws a
 * DataError naming it. Always settles: on any error every write has stopped when it rejects.
 */
export async function extractArchive(archive: string, format: ArchiveFormat, destDir: string, limits: ExtractLimits = {}): Promise<void> {
  try {
    const budget = new ExtractBudget((await stat(archive)).size, { ...DEFAULT_EXTRACT_LIMITS, ...definedOnly(limits) });
    if (format === 'tar.gz') {
      await untar(archive, destDir, budget);
    } else {
      await unzipStreaming(archive, destDir, budget);
    }
  } catch (err) {
    throw new DataError(`cannot extract ${archive}: ${errorMessage(err)}`);
  }
}

/** The entry's path split into safe segments, or null for entries to skip (macOS metadata). */
export function safeEntryPath(name: string): string[] | null {
  if (name.includes('\0')) throw new Error(`unsafe path in archive: ${JSON.stringify(name.slice(0, 200))} (NUL byte)`);
  const parts = name.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (/^([a-zA-Z]:)?\//.test(name.replace(/\\/g, '/')) || parts.includes('..')) {
    throw new Error(`unsafe path in archive: ${name.length > 200 ? `${name.slice(0, 200)}...` : name}`);
  }
  if (parts[0] === '__MACOSX') return null;
  return parts;
}

/**
 * Entry count from the end-of-central-directory record. Streaming reads only the local headers,
 * so this is what catches an archive cut short (the central directory is at the very end).
 */
async function zipEntryCount(archive: string): Promise<number> {
  const fh = await openFile(archive, 'r');
  try {
    const size = (await fh.stat()).size;
    const len = Math.min(size, 22 + 0xffff); // the record plus the longest comment
    const tail = Buffer.alloc(len);
    await fh.read(tail, 0, len, size - len);
    for (let i = len - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) return tail.readUInt16LE(i + 10);
    }
    throw new Error('archive is truncated or not a zip file (no end-of-central-directory record)');
  } finally {
    await fh.close();
  }
}

/**
 * Regular files and folders only (links are skipped: datasets have none, and they are how
 * archives escape their folder). strict: node-tar's warnings (bad header, truncation) are errors.
 */
async function untar(archive: string, destDir: string, budget: ExtractBudget): Promise<void> {
  let failure: unknown = null;
  const writing = new Set<WriteStream>();
  const writes: Promise<unknown>[] = [];
  // Settles when the parser ends, errors, or anything fails: whatever happens, the read loop
  // below stops waiting and the function returns (an unsettled wait used to end the process
  // with exit code 13 and no message).
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const fail = (err: unknown) => {
    failure ??= err;
    for (const ws of writing) ws.destroy(); // an entry cut short never ends its stream
    stop();
  };
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      try {
        const parts = failure ? null : safeEntryPath(entry.path);
        const isFile = entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile';
        if (!parts || parts.length === 0 || !(isFile || entry.type === 'Directory')) {
          entry.resume();
          return;
        }
        const path = join(destDir, ...parts);
        if (!isFile) {
          mkdirSync(path, { recursive: true });
          entry.resume();
          return;
        }
        budget.addEntry(path, entry.size ?? 0);
        mkdirSync(dirname(path), { recursive: true });
        const ws = createWriteStream(path);
        writing.add(ws);
        writes.push(
          new Promise((resolve) => {
            ws.on('close', () => resolve(writing.delete(ws)));
            ws.on('error', fail);
          }),
        );
        entry.on('data', (chunk: Buffer) => {
          try {
            budget.addBytes(path, chunk.length);
          } catch (err) {
            fail(err);
          }
        });
        entry.pipe(ws);
      } catch (err) {
        fail(err);
        entry.resume();
      }
    },
  });
  parser.on('end', stop);
  parser.on('error', fail);
  for await (const chunk of createReadStream(archive)) {
    if (failure) break;
    if (!parser.write(chunk as Buffer)) await Promise.race([once(parser, 'drain').catch(() => undefined), stopped]);
    if (failure) break;
  }
  if (!failure) parser.end();
  await stopped;
  await Promise.all(writes);
  if (failure) throw failure;
}

async function unzipStreaming(archive: string, destDir: string, budget: ExtractBudget): Promise<void> {
  const expected = await zipEntryCount(archive);
  let failure: unknown = null;
  let entries = 0;
  const open = new Map<string, number>(); // files started but not finished
  const unzip = new Unzip((file) => {
    entries++;
    let parts: string[] | null;
    try {
      parts = safeEntryPath(file.name);
    } catch (err) {
      failure ??= err;
      parts = null;
    }
    const isDir = file.name.endsWith('/') || file.name.endsWith('\\');
    if (parts && parts.length > 0 && !failure) {
      try {
        budget.addEntry(join(destDir, ...parts), isDir ? 0 : file.originalSize ?? 0);
      } catch (err) {
        failure = err;
        parts = null;
      }
    }
    if (!parts || parts.length === 0 || isDir || failure) {
      if (parts && parts.length > 0 && isDir && !failure) mkdirSync(join(destDir, ...parts), { recursive: true });
      file.ondata = () => undefined; // data of skipped entries is drained, not written
      file.start();
      return;
    }
    const path = join(destDir, ...parts);
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'w');
    open.set(path, fd);
    file.ondata = (err, data, final) => {
      if (failure) return;
      if (err) {
        failure = err;
        return;
      }
      try {
        budget.addBytes(path, data.length);
        writeSync(fd, data);
        if (final) {
          closeSync(fd);
          open.delete(path);
        }
      } catch (e) {
        failure = e;
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for await (const chunk of createReadStream(archive)) {
      unzip.push(chunk as Buffer);
      if (failure) throw failure;
    }
    unzip.push(new Uint8Array(0), true);
    if (failure) throw failure;
    if (entries === 0) throw new Error('no files found (not a zip archive?)');
    if (open.size > 0) throw new Error(`archive is truncated (${[...open.keys()][0]} is incomplete)`);
    // 0xffff means ZIP64, where the real count is elsewhere; the checks above still apply.
    if (expected !== 0xffff && entries !== expected) throw new Error(`archive is damaged: found ${entries} of ${expected} entries`);
  } finally {
    for (const fd of open.values()) closeSync(fd);
  }
}
