// The HTTP server of `img2img serve`: the built web page (static-files.ts), the models the page
// runs in the browser, and server-side jobs through a JobRunner (src/jobs/types.ts). Node's http only.
//
// Security: it binds 127.0.0.1 unless told otherwise, and then answers only requests addressed
// to a loopback name (no DNS rebinding). Every response carries the cross-origin isolation
// headers the page's WASM threads need (COOP/COEP) and a strict Content-Security-Policy; no
// CORS headers, so other sites cannot read anything, and uploads need a non-"simple" content
// type (job settings: application/json), so other sites cannot post them either. Request paths
// are keys of in-memory maps, never file paths; uploads are size-limited, sniffed by magic bytes
// and pixel-counted (uploads.ts; videos: video-uploads.ts, saved under names the server makes).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { FINAL_STATES, JobError, type JobRunner, type JobStatus } from '../jobs/types.js';
import type { StaticFile } from './static-files.js';
import { checkImageUpload, HttpError, readBody, UPLOAD_CONTENT_TYPES } from './uploads.js';
import { VIDEO_CONTENT_TYPES, VideoUploads } from './video-uploads.js';

/** A model the page can fetch and run. */
export interface ServedModel {
  id: string;
  label: string;
  kind: 'restorer' | 'generator';
  /** The ONNX bytes (made on first use, then cached). */
  bytes(): Promise<Uint8Array>;
}

export interface AppOptions {
  files: Map<string, StaticFile>;
  models: ServedModel[];
  jobs: JobRunner;
  /** Uploaded videos for the video jobs (none: no video uploads). */
  uploads?: VideoUploads;
  /** More facts for /api/info (the queue, the folder). */
  info?: Record<string, unknown>;
  maxUploadBytes: number;
  maxPixels: number;
  /** Hostnames a request may be addressed to (Host header); null accepts any. */
  allowedHosts: ReadonlySet<string> | null;
  version: string;
  log?: (line: string) => void;
}

export const SECURITY_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': [
    "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval' blob:", "worker-src 'self' blob:", "connect-src 'self' blob: data:",
    "img-src 'self' blob: data:", "style-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'none'",
  ].join('; '),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Host header -> hostname ('localhost:8080' -> 'localhost', '[::1]:80' -> '::1'). */
export function hostnameOf(host: string | undefined): string | null {
  if (!host) return null;
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host) ?? /^([^:]+)(?::\d+)?$/.exec(host);
  return m ? m[1].toLowerCase() : null;
}

function send(res: ServerResponse, status: number, body: Uint8Array | string, type: string, extra: Record<string, string> = {}): void {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(data.length), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : data);
}
/** A file the server itself wrote (a job's result in its work folder; never a path from a request), streamed. */
async function sendFile(res: ServerResponse, file: string, type: string, extra: Record<string, string>): Promise<void> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) throw new HttpError(404, 'the result is no longer kept');
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(st.size), ...extra });
  if (res.req.method === 'HEAD') return void res.end();
  await pipeline(createReadStream(file), res);
}

/** A download's file name: letters, digits, '.', '_' and '-' only. */
const downloadName = (name: string | undefined) => (name ?? 'result').replace(/[^\w.-]+/g, '_').slice(0, 100) || 'result';

const json = (res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}) =>
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store', ...extra });
const fail = (res: ServerResponse, status: number, message: string) => json(res, status, { error: message });

const contentType = (req: IncomingMessage) => (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

/** The job options of an upload request from its query string: repeated `box`, the rest single values. */
function queryOptions(q: URLSearchParams): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const key of new Set(q.keys())) {
    if (key === 'box') o.boxes = q.getAll('box');
    else o[key] = q.get(key);
  }
  return o;
}

export function createApp(o: AppOptions): Server {
  const modelById = new Map(o.models.map((m) => [m.id, m]));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (o.allowedHosts) {
      const host = hostnameOf(req.headers.host);
      if (!host || !o.allowedHosts.has(host)) return fail(res, 421, 'this server answers requests to localhost only');
    }
    // The path exactly as sent (no URL resolution: '//x' is a path here, not a host).
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';

    if (!path.startsWith('/api/')) {
      if (!read) return fail(res, 405, `${method} is not allowed here`);
      const f = o.files.get(path);
      if (!f) return fail(res, 404, 'not found');
      return send(res, 200, f.data, f.type, { 'Cache-Control': f.immutable ? 'public, max-age=31536000, immutable' : 'no-cache' });
    }

    if (path === '/api/info' && read) {
      return json(res, 200, {
        version: o.version, jobKinds: o.jobs.kinds(), limits: { maxUploadBytes: o.maxUploadBytes, maxPixels: o.maxPixels, ...(o.uploads ? { maxVideoBytes: o.uploads.maxBytes } : {}) },
        acceptedTypes: ['image/png', 'image/jpeg', 'image/webp'], ...o.info,
      });
    }
    if (path === '/api/models' && read) {
      return json(res, 200, { models: o.models.map((m) => ({ id: m.id, label: m.label, kind: m.kind, url: `api/models/${m.id}.onnx` })) });
    }
    const model = /^\/api\/models\/([a-z0-9][a-z0-9_-]*)\.onnx$/.exec(path);
    if (model && read) {
      const m = modelById.get(model[1]);
      if (!m) return fail(res, 404, `no model '${model[1]}'`);
      return send(res, 200, await m.bytes(), 'application/octet-stream', { 'Cache-Control': 'no-cache' });
    }

    if (path === '/api/uploads' && method === 'POST') {
      if (!o.uploads) return fail(res, 404, 'this server takes no video uploads');
      if (!VIDEO_CONTENT_TYPES.includes(contentType(req))) return fail(res, 415, `send the video as the request body with Content-Type ${VIDEO_CONTENT_TYPES.join(', ')}`);
      const u = await o.uploads.receive(req);
      return json(res, 201, { ...VideoUploads.info(u), frame: `api/uploads/${u.id}/frame.png` });
    }
    const upload = /^\/api\/uploads\/([^/]+)\/frame\.png$/.exec(path);
    if (upload && read) {
      const u = UUID.test(upload[1]) ? o.uploads?.get(upload[1]) : undefined;
      if (!u) return fail(res, 404, 'no such upload (uploads are kept for a while only)');
      return send(res, 200, u.frame, 'image/png', { 'Cache-Control': 'no-store' });
    }

    const submit = /^\/api\/jobs\/([a-z0-9-]+)$/.exec(path);
    if (submit && method === 'POST') {
      const kind = submit[1];
      if (!o.jobs.kinds().includes(kind)) return fail(res, 404, `unknown job kind '${kind}'`);
      const type = contentType(req);
      let id: string;
      if (type === 'application/json') {
        // Settings only (a video job names its upload by id): a small JSON object.
        const text = new TextDecoder().decode(await readBody(req, 64 * 1024));
        let options: unknown;
        try {
          options = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'the request body is not JSON');
        }
        id = await o.jobs.submit(kind, options);
      } else if (UPLOAD_CONTENT_TYPES.includes(type)) {
        const body = await readBody(req, o.maxUploadBytes);
        await checkImageUpload(body, o.maxPixels);
        id = await o.jobs.submit(kind, queryOptions(query), { input: body });
      } else {
        return fail(res, 415, `send the image as the request body with Content-Type ${UPLOAD_CONTENT_TYPES.join(', ')}, or the settings as application/json`);
      }
      return json(res, 202, { id, status: `api/jobs/${id}`, result: `api/jobs/${id}/result`, events: `api/jobs/${id}/events` });
    }

    const job = /^\/api\/jobs\/([^/]+)(\/result|\/events)?$/.exec(path);
    if (job) {
      const id = job[1];
      if (!UUID.test(id)) return fail(res, 404, 'no such job');
      const status = await o.jobs.status(id);
      if (!status) return fail(res, 404, 'no such job (finished jobs are kept for a while only)');
      if (method === 'DELETE' && !job[2]) return json(res, 200, { cancelled: await o.jobs.cancel(id) });
      if (!read) return fail(res, 405, `${method} is not allowed here`);
      if (!job[2]) return json(res, 200, status);
      if (job[2] === '/result') {
        if (status.state !== 'done') return fail(res, 409, `the job is ${status.state}${status.error ? `: ${status.error}` : ''}`);
        const r = await o.jobs.result?.(id);
        if (!r) return fail(res, 404, 'this job has no download (or it is no longer kept)');
        const headers = { 'Cache-Control': 'no-store', 'Content-Disposition': `attachment; filename="${downloadName(r.filename)}"` };
        if (r.data) return send(res, 200, r.data, r.contentType, headers);
        return sendFile(res, r.file, r.contentType, headers);
      }
      return events(req, res, id, status);
    }
    return fail(res, 404, 'not found');
  }

  /** Server-sent events of one job until it finishes. */
  function events(req: IncomingMessage, res: ServerResponse, id: string, first: JobStatus): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const write = (s: JobStatus) => {
      res.write(`event: status\ndata: ${JSON.stringify(s)}\n\n`);
      if (FINAL_STATES.has(s.state)) stop();
    };
    const listener = (s: JobStatus) => {
      if (s.id === id) write(s);
    };
    const stop = () => {
      o.jobs.events.off('update', listener);
      res.end();
    };
    o.jobs.events.on('update', listener);
    req.on('close', () => o.jobs.events.off('update', listener));
    write(first);
  }

  return createServer((req, res) => {
    const started = Date.now();
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError || err instanceof JobError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (status === 500) o.log?.(`error: ${req.method} ${req.url}: ${message}`);
      if (res.headersSent) return res.destroy();
      // Do not read the rest of a refused upload: answer, then close the connection.
      if (!req.complete) res.setHeader('Connection', 'close');
      fail(res, status, status === 500 ? `internal error: ${message}` : message);
    }).finally(() => o.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started} ms`));
  });
}
