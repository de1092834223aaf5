// Resumable HTTP(S) download into a .part file: asks for the missing tail with a Range header,
// appends on 206, starts over on 200 (server without ranges), retries dropped connections.
import { createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatBytes } from './progress.js';

/** Why a download failed; `reason` is short and human ("connection refused (ECONNREFUSED)"). */
export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    readonly reason: string,
    /** Worth trying again from where it stopped (dropped connection, timeout, 5xx). */
    readonly retriable: boolean,
    readonly code?: string,
  ) {
    super(reason);
  }
}

export interface DownloadProgress {
  /** Called once per attempt when the response starts: total size (if known) and bytes already on disk. */
  start(total: number | undefined, already: number): void;
  /** Bytes on disk so far. */
  update(bytes: number): void;
}

export interface DownloadToFileOptions {
  /** Reject a file of any other size (catalog size). */
  expectedBytes?: number;
  /** Attempts after the first when the connection drops (default 3). */
  retries?: number;
  /** Pause before a retry, ms (default 1000). */
  retryDelayMs?: number;
  /** Give up on a connection silent for this long, ms (default 30000). */
  timeoutMs?: number;
  progress?: DownloadProgress;
  /** Status lines (resuming, restarting, retrying). */
  log?: (message: string) => void;
  /** Follow a redirect from https to plain http (to a host other than this machine); default false. */
  allowHttp?: boolean;
}

export interface DownloadToFileResult {
  /** Final size of the file. */
  bytes: number;
  /** Bytes that were already in the .part file and kept (0 when it started from scratch). */
  resumedFrom: number;
  /** Range headers sent, for diagnostics. */
  ranges: string[];
}

const MAX_REDIRECTS = 5;

/**
 * Downloads `url` into `partPath`, continuing an existing partial file when the server answers
 * a Range request with 206. The file is complete when this resolves; a DownloadError leaves a
 * resumable partial file behind, except after a size mismatch, which deletes it.
 */
export async function downloadToFile(url: string, partPath: string, opts: DownloadToFileOptions = {}): Promise<DownloadToFileResult> {
  const retries = opts.retries ?? 3;
  const log = opts.log ?? (() => undefined);
  const ranges: string[] = [];
  const kept: number[] = []; // bytes kept from the .part file, per attempt that got a response
  for (let attempt = 0; ; attempt++) {
    const have = await fileSize(partPath);
    try {
      await attemptDownload(url, partPath, have, opts, { ranges, kept }, log);
      return { bytes: await fileSize(partPath), resumedFrom: kept[0] ?? 0, ranges };
    } catch (err) {
      const e = err instanceof DownloadError ? err : networkError(err);
      if (!e.retriable || attempt >= retries) throw e;
      log(`${e.reason}; retrying (${attempt + 1}/${retries})`);
      await new Promise((r) => setTimeout(r, opts.retryDelayMs ?? 1000));
    }
  }
}

/** One request, appending to or replacing the `have` bytes already in `partPath`. */
async function attemptDownload(
  url: string,
  partPath: string,
  have: number,
  opts: DownloadToFileOptions,
  record: { ranges: string[]; kept: number[] },
  log: (message: string) => void,
): Promise<void> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': 'img2img-datasets' };
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    record.ranges.push(headers.range);
  }
  const res = await request(url, headers, opts.timeoutMs ?? 30_000, 0, !!opts.allowHttp);
  let start = 0;
  let total: number | undefined;
  if (res.statusCode === 206 && have > 0) {
    const cr = parseContentRange(res.headers['content-range']);
    if (!cr || cr.first !== have) {
      res.destroy();
      await rm(partPath, { force: true });
      throw new DownloadError(`server sent an unexpected range (${res.headers['content-range'] ?? 'none'}); starting over`, true);
    }
    start = have;
    const len = res.headers['content-length'];
    total = cr.total ?? (len !== undefined ? have + Number(len) : undefined);
    log(`resuming at ${formatBytes(have)}`);
  } else if (res.statusCode === 416 && have > 0) {
    res.resume();
    const cr = /^bytes \*\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
    if (cr && Number(cr[1]) === have) {
      record.kept.push(have);
      await checkExpected(have, opts.expectedBytes, partPath);
      return; // the partial file was already complete
    }
    await rm(partPath, { force: true });
    throw new DownloadError(`server refused to resume at ${formatBytes(have)}; starting over`, true);
  } else if (res.statusCode === 200) {
    if (have > 0) log(`server does not support resuming; starting over (discarding ${formatBytes(have)})`);
    const len = res.headers['content-length'];
    total = len !== undefined && Number.isFinite(Number(len)) ? Number(len) : undefined;
  } else {
    res.resume();
    const status = res.statusCode ?? 0;
    throw new DownloadError(`HTTP ${status} ${res.statusMessage ?? ''}`.trim(), status >= 500);
  }

  if (total !== undefined && opts.expectedBytes !== undefined && total !== opts.expectedBytes) {
    res.destroy();
    await rm(partPath, { force: true });
    throw new DownloadError(`size mismatch: the server has ${total} bytes, the catalog expects ${opts.expectedBytes}`, false);
  }
  record.kept.push(start);
  opts.progress?.start(total, start);
  let bytes = start;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      opts.progress?.update(bytes);
      done(null, chunk);
    },
  });
  try {
    await pipeline(res, counter, createWriteStream(partPath, { flags: start > 0 ? 'a' : 'w' }));
  } catch (err) {
    throw networkError(err, bytes, total);
  }
  const size = await fileSize(partPath);
  if (total !== undefined && size < total) {
    throw new DownloadError(`connection closed after ${formatBytes(size)} of ${formatBytes(total)}`, true);
  }
  if (total !== undefined && size > total) {
    await rm(partPath, { force: true });
    throw new DownloadError(`size mismatch: got ${size} bytes, the server announced ${total}`, false);
  }
  await checkExpected(size, opts.expectedBytes, partPath);
}

/** Throws (and deletes the file) when the catalog size is known and differs. */
async function checkExpected(size: number, expected: number | undefined, partPath: string): Promise<void> {
  if (expected === undefined || size === expected) return;
  await rm(partPath, { force: true });
  throw new DownloadError(`size mismatch: got ${size} bytes, the catalog expects ${expected}`, false);
}

/** Whether a URL's host is this machine (plain http to it cannot be altered on the way). */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** GET with redirects followed; resolves on the response head. */
function request(url: string, headers: Record<string, string>, timeoutMs: number, hops: number, allowHttp: boolean): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      reject(new DownloadError(`invalid URL`, false));
      return;
    }
    const client = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : null;
    if (!client) {
      reject(new DownloadError(`unsupported protocol ${target.protocol}`, false));
      return;
    }
    const req = client.get(target, { headers }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location) {
        res.resume();
        if (hops >= MAX_REDIRECTS) {
          reject(new DownloadError(`too many redirects`, false));
          return;
        }
        const next = new URL(location, target);
        if (target.protocol === 'https:' && next.protocol === 'http:' && !allowHttp && !isLoopback(next.hostname)) {
          reject(new DownloadError(`refusing a redirect from https to plain http (${next}); pass --allow-http (allowHttp) to accept it`, false));
          return;
        }
        request(next.toString(), headers, timeoutMs, hops + 1, allowHttp).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    // The socket timeout also covers a stalled body: destroying the request errors the response.
    req.setTimeout(timeoutMs, () => req.destroy(new DownloadError(`no data for ${Math.round(timeoutMs / 1000)} s`, true, 'ETIMEDOUT')));
    req.on('error', reject);
  });
}

/** A DownloadError with a readable reason for a Node network error. */
export function networkError(err: unknown, bytes?: number, total?: number): DownloadError {
  if (err instanceof DownloadError) return err;
  // Happy-eyeballs connects (several addresses) fail with an AggregateError; its parts carry the code.
  const first = err instanceof AggregateError && !(err as NodeJS.ErrnoException).code ? err.errors[0] : err;
  const e = first as NodeJS.ErrnoException & { hostname?: string };
  const code = e?.code ?? (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new DownloadError(`${e.hostname ? `host ${e.hostname}` : 'host'} not found (DNS lookup failed: ${code})`, false, code);
    case 'ECONNREFUSED':
      return new DownloadError(`connection refused (${code})`, false, code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return new DownloadError(`network unreachable (${code})`, false, code);
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'ETIMEDOUT':
    case 'ERR_STREAM_PREMATURE_CLOSE': {
      const where = bytes !== undefined ? ` after ${formatBytes(bytes)}${total !== undefined ? ` of ${formatBytes(total)}` : ''}` : '';
      return new DownloadError(`connection lost${where} (${code})`, true, code);
    }
    default:
      return new DownloadError(e?.message || String(err), false, code);
  }
}

function parseContentRange(v: string | undefined): { first: number; last: number; total: number | undefined } | null {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v ?? '');
  if (!m) return null;
  return { first: Number(m[1]), last: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

async function fileSize(path: string): Promise<number> {
  const s = await stat(path).catch(() => null);
  return s?.isFile() ? s.size : 0;
}
