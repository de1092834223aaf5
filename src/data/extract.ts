// Unpacks a dataset archive: .tar.gz parsed by node-tar, .zip streamed through fflate (datasets
// are hundreds of MB, so neither is ever held in memory whole). Both write the files themselves so
// that, on failure, every write has stopped before the caller deletes the folder.
import { closeSync, createReadStream, createWriteStream, mkdirSync, openSync, writeSync, type WriteStream } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { Unzip, UnzipInflate } from 'fflate';
import { DataError, errorMessage } from './errors.js';
import type { ArchiveFormat } from './dataset-catalog.js';

/**
 * Extracts `archive` into the existing folder `destDir`. Entries with absolute paths or `..`
 * are refused; a damaged or truncated archive throws a DataError naming it.
 */
export async function extractArchive(archive: string, format: ArchiveFormat, destDir: string): Promise<void> {
  try {
    if (format === 'tar.gz') {
      await untar(archive, destDir);
    } else {
      await unzipStreaming(archive, destDir);
    }
  } catch (err) {
    throw new DataError(`cannot extract ${archive}: ${errorMessage(err)}`);
  }
}

/** The entry's path split into safe segments, or null for entries to skip (macOS metadata). */
export function safeEntryPath(name: string): string[] | null {
  const parts = name.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (/^([a-zA-Z]:)?\//.test(name.replace(/\\/g, '/')) || parts.includes('..')) {
    throw new Error(`unsafe path in archive: ${name}`);
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
async function untar(archive: string, destDir: string): Promise<void> {
  let failure: unknown = null;
  const writing = new Set<WriteStream>();
  const writes: Promise<unknown>[] = [];
  const fail = (err: unknown) => {
    failure ??= err;
    for (const ws of writing) ws.destroy(); // an entry cut short never ends its stream
  };
  const parser = new Parser({
    strict: true,
    onReadEntry: (entry: ReadEntry) => {
      let parts: string[] | null = null;
      try {
        parts = failure ? null : safeEntryPath(entry.path);
      } catch (err) {
        fail(err);
      }
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
      mkdirSync(dirname(path), { recursive: true });
      const ws = createWriteStream(path);
      writing.add(ws);
      writes.push(
        new Promise((resolve) => {
          ws.on('close', () => resolve(writing.delete(ws)));
          ws.on('error', fail);
        }),
      );
      entry.pipe(ws);
    },
  });
  const ended = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('error', (err: unknown) => {
      fail(err);
      resolve();
    });
  });
  for await (const chunk of createReadStream(archive)) {
    if (failure) break;
    if (!parser.write(chunk as Buffer)) await Promise.race([once(parser, 'drain'), ended]);
  }
  if (!failure) parser.end();
  await ended;
  await Promise.all(writes);
  if (failure) throw failure;
}

async function unzipStreaming(archive: string, destDir: string): Promise<void> {
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
    if (!parts || parts.length === 0 || isDir) {
      if (parts && parts.length > 0) mkdirSync(join(destDir, ...parts), { recursive: true });
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
