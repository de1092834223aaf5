// `img2img datasets download NAME`: fetch a reference dataset archive (resumable), extract it into a
// temp folder, check its layout, and only then move it to ROOT/NAME, so ROOT/NAME is never half-written.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DATASET_CATALOG, datasetUrl, findDataset, type DatasetEntry, type DatasetKind } from './dataset-catalog.js';
import { DataError, errorMessage } from './errors.js';
import { extractArchive, type ExtractLimits } from './extract.js';
import { DownloadError, downloadToFile, isLoopback, type DownloadProgress } from './http-download.js';
import { formatBytes } from './progress.js';

export interface DownloadDatasetOptions extends ExtractLimits {
  /** Folder that receives ROOT/NAME (default ./datasets). */
  root?: string;
  /** Mirror base URL replacing the reference's (the file is BASE/NAME.tar.gz or BASE/NAME.zip). */
  baseUrl?: string;
  /** Which catalog, for names in both (maps, facades). */
  kind?: DatasetKind;
  /** Replace an existing ROOT/NAME (only once the new one is fully extracted). */
  force?: boolean;
  /** Status lines; default: none. */
  log?: (message: string) => void;
  /** Download progress (the CLI draws a bar); default: none. */
  progress?: DownloadProgress & { stop?(): void };
  /** Retries after a dropped connection (default 3), their delay in ms (default 1000), socket idle timeout in ms (default 30000). */
  retries?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
  /** Catalog to look NAME up in (tests); default the reference's. */
  catalog?: readonly DatasetEntry[];
  /** Allow a plain-http base URL (or redirect) to a host other than this machine; default false. */
  allowHttp?: boolean;
}

export interface DownloadDatasetResult {
  entry: DatasetEntry;
  url: string;
  /** Absolute path of the extracted dataset, ROOT/NAME. */
  dir: string;
  /** Archive size. */
  bytes: number;
  /** Bytes reused from an earlier interrupted download. */
  resumedFrom: number;
}

/**
 * Downloads dataset `name` into ROOT/NAME. The archive goes to ROOT/NAME.EXT.part (resumed with an
 * HTTP Range request on the next run if interrupted), is renamed to ROOT/NAME.EXT once its size is
 * verified, extracted into a temp folder, layout-checked, moved to ROOT/NAME, and then deleted.
 * Failures throw a DataError; network ones read
 * `cannot download NAME from URL: <reason>; check your network, or pass --base-url to a mirror`.
 */
export async function downloadDataset(name: string, opts: DownloadDatasetOptions = {}): Promise<DownloadDatasetResult> {
  const entry = findDataset(name, opts.kind, opts.catalog ?? DATASET_CATALOG);
  const root = resolve(opts.root ?? './datasets');
  const dir = join(root, entry.name);
  const url = datasetUrl(entry, opts.baseUrl);
  const log = opts.log ?? (() => undefined);
  checkProtocol(url, !!opts.allowHttp);
  if ((await exists(dir)) && !opts.force) {
    throw new DataError(`${dir} already exists; delete it or pass --force to replace it`);
  }
  await mkdir(root, { recursive: true });
  await removeStaleTemps(root, entry.name);

  const archive = join(root, `${entry.name}.${entry.format}`);
  const part = `${archive}.part`;
  let bytes: number;
  let resumedFrom = 0;
  if (await exists(archive)) {
    // A previous run downloaded it but did not finish extracting.
    bytes = (await stat(archive)).size;
    log(`using the already downloaded ${archive}`);
  } else {
    log(`downloading ${entry.kind} dataset ${entry.name} from ${url}`);
    const p = opts.progress;
    const bar = {
      start: (total: number | undefined, already: number) => p?.start(total, already),
      update: (b: number) => p?.update(b),
      stop: () => p?.stop?.(),
    };
    try {
      const got = await downloadToFile(url, part, {
        expectedBytes: entry.bytes,
        allowHttp: opts.allowHttp,
        retries: opts.retries,
        retryDelayMs: opts.retryDelayMs,
        timeoutMs: opts.timeoutMs,
        progress: bar,
        log: (m) => {
          bar.stop();
          log(m);
        },
      });
      bytes = got.bytes;
      resumedFrom = got.resumedFrom;
    } catch (err) {
      throw await downloadFailure(entry.name, url, part, err);
    } finally {
      bar.stop();
    }
    await checkSha256(part, entry);
    await fsyncFile(part); // the rename below must not publish a file whose bytes are still in flight
    await rename(part, archive);
  }

  log(`extracting ${archive}`);
  await extractInto(archive, entry, root, dir, !!opts.force, opts);
  await rm(archive, { force: true });
  log(`${entry.name} is ready in ${dir}`);
  return { entry, url, dir, bytes, resumedFrom };
}

/** The user-facing error for a failed download, saying whether a rerun will resume. */
async function downloadFailure(name: string, url: string, part: string, err: unknown): Promise<Error> {
  if (!(err instanceof DownloadError)) return err instanceof Error ? err : new Error(String(err));
  let reason = err.reason;
  const kept = await stat(part).then((s) => s.size, () => 0);
  if (kept > 0) reason += ` (${formatBytes(kept)} kept in ${part}; run the same command again to resume)`;
  return new DataError(`cannot download ${name} from ${url}: ${reason}; check your network, or pass --base-url to a mirror`);
}

/**
 * Extracts into ROOT/.NAME.extract-XXXX, checks the layout, then renames into `dir` (same
 * filesystem, so the move is atomic). A damaged archive is deleted so the next run downloads it
 * again; one with an unexpected layout is kept for inspection.
 */
async function extractInto(archive: string, entry: DatasetEntry, root: string, dir: string, force: boolean, limits: ExtractLimits): Promise<void> {
  const tmp = await mkdtemp(join(root, `.${entry.name}.extract-`));
  try {
    try {
      await extractArchive(archive, entry.format, tmp, limits);
    } catch (err) {
      await rm(archive, { force: true });
      throw new DataError(`${errorMessage(err)}; the archive was deleted, run the command again to download it anew`);
    }
    const content = await contentRoot(tmp);
    const names = await readdir(content);
    const missing = entry.layout.filter((d) => !names.includes(d));
    if (missing.length > 0) {
      throw new DataError(
        `${archive} does not have the expected layout: missing ${missing.join(', ')} (found: ${names.join(', ') || 'nothing'}); ` +
          'the archive was kept for inspection',
      );
    }
    if (await exists(dir)) {
      if (!force) throw new DataError(`${dir} appeared during the download; delete it or pass --force`);
      const old = `${tmp}.old`;
      await rename(dir, old);
      await rename(content, dir);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(content, dir);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The archive's single top folder (the reference archives hold NAME/...), else the folder itself. */
async function contentRoot(tmp: string): Promise<string> {
  const entries = (await readdir(tmp, { withFileTypes: true })).filter((e) => !e.name.startsWith('.') && e.name !== '__MACOSX');
  if (entries.length === 1 && entries[0].isDirectory()) return join(tmp, entries[0].name);
  return tmp;
}

/** Temp folders left by a killed run. */
async function removeStaleTemps(root: string, name: string): Promise<void> {
  const prefix = `.${name}.extract-`;
  for (const e of await readdir(root)) {
    if (e.startsWith(prefix)) await rm(join(root, e), { recursive: true, force: true });
  }
}

/**
 * Plain http can be tampered with on the way and the catalog has no hashes for most archives,
 * so it is refused unless the host is this machine or `allowHttp` is set.
 */
export function checkProtocol(url: string, allowHttp: boolean): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new DataError(`invalid download URL ${url}`);
  }
  if (u.protocol === 'https:') return;
  if (u.protocol !== 'http:') throw new DataError(`unsupported protocol ${u.protocol} in ${url}; use https`);
  if (allowHttp || isLoopback(u.hostname)) return;
  throw new DataError(`refusing plain http (${url}): the archive could be altered on the way; use an https mirror, or pass --allow-http (allowHttp) to accept it`);
}


/** Verifies the catalog's sha256, when it has one; a mismatch deletes the file. */
async function checkSha256(path: string, entry: DatasetEntry): Promise<void> {
  if (!entry.sha256) return;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const got = hash.digest('hex');
  if (got === entry.sha256.toLowerCase()) return;
  await rm(path, { force: true });
  throw new DataError(`${entry.name}: sha256 mismatch (got ${got}, the catalog expects ${entry.sha256}); the download was deleted`);
}

async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
