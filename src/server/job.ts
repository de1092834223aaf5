// The `serve` job: the web page, its models and the server-side job queue on one HTTP server.
// Returns once listening; close() stops it (and the job runner it made).
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { exportRestorer } from '../export/onnx-export.js';
import { parseModelInfo, readOnnxMetadata } from '../export/model-info.js';
import { loadRestorer } from '../restore/net/checkpoint.js';
import { SHIPPED_MODEL_NAMES, SHIPPED_MODELS } from '../restore/shipped.js';
import { runtimeOptions, runtimeSchema } from '../runtime/options.js';
import { callback, int, parseOptions, type LogFn } from '../util/options.js';
import { InProcessJobRunner } from '../jobs/in-process.js';
import type { JobRunner } from '../jobs/types.js';
import { restoreJobHandler } from './restore-job.js';
import { createApp, type ServedModel } from './server.js';
import { loadStaticFiles } from './static-files.js';

/** The built page: dist/web at the package root (from src/server and dist/server alike). */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export const serveSchema = z.object({
  /** TCP port (0 = any free port). */
  port: int(0).max(65535).default(8080),
  /** Address to bind; the default serves this computer only. */
  host: z.string().min(1).default('127.0.0.1'),
  /** Largest upload, MB. */
  maxUploadMb: z.number().positive().max(1024).default(25),
  /** Largest uploaded image, pixels (width x height x frames). */
  maxPixels: int(1).max(1_000_000_000).default(40_000_000),
  /** Exported .onnx models (img2img export) to offer in the page besides the shipped restorers. */
  models: z.array(z.string().min(1)).default([]),
  /** The built page (default: dist/web of the package). */
  webRoot: z.string().min(1).optional(),
  /** A job runner to use instead of the in-process one (a BullMQ queue, say); its handlers are the caller's. */
  jobRunner: z.custom<JobRunner>((v) => typeof v === 'object' && v !== null && typeof (v as JobRunner).submit === 'function', { message: 'expected a JobRunner' }).optional(),
  runtime: runtimeSchema,
  /** One line per request and server event. */
  log: callback<LogFn>().optional(),
}).strict();
export type ServeOptions = z.input<typeof serveSchema>;

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  jobs: JobRunner;
  close(): Promise<void>;
}

const modelId = (name: string) => basename(name, '.onnx').toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '') || 'model';

/** The shipped restorers (exported to ONNX on first request) and the operator's exported models. */
function servedModels(files: readonly string[]): ServedModel[] {
  const out: ServedModel[] = [];
  for (const name of SHIPPED_MODEL_NAMES) {
    const path = SHIPPED_MODELS[name];
    if (!existsSync(path)) continue;
    let bytes: Promise<Uint8Array> | null = null;
    out.push({
      id: name, label: `${name} restorer (shipped)`, kind: 'restorer',
      bytes: () => (bytes ??= loadRestorer(path).then(({ net, meta }) => exportRestorer(net, { source: basename(path), training: { step: meta.step, ...(meta.info ?? {}) } }).bytes)),
    });
  }
  for (const file of files) {
    const data = readFileSync(file);
    const info = parseModelInfo(readOnnxMetadata(data));
    let id = modelId(file);
    while (out.some((m) => m.id === id)) id += '-2';
    out.push({ id, label: `${basename(file)} (${info.kind})`, kind: info.kind, bytes: async () => data });
  }
  return out;
}

/** Starts the server; resolves when it listens. */
export async function serve(options: ServeOptions = {}): Promise<RunningServer> {
  const o = parseOptions(serveSchema, 'serve', options);
  const files = loadStaticFiles(o.webRoot ?? DEFAULT_WEB_ROOT);
  const models = servedModels(o.models);
  const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
  const shipped = Object.fromEntries(SHIPPED_MODEL_NAMES.filter((n) => existsSync(SHIPPED_MODELS[n])).map((n) => [n, SHIPPED_MODELS[n]]));
  const restore = o.jobRunner ? null : restoreJobHandler({ models: shipped, maxPixels: o.maxPixels, runtime: runtimeOptions(o.runtime) });
  const jobs = o.jobRunner ?? new InProcessJobRunner({ handlers: { restore: restore! }, maxQueued: 16, keepFinished: 32 });
  const loopback = LOOPBACK.has(o.host);
  if (!loopback) o.log?.(`warning: serving on ${o.host}, reachable from other computers; there is no authentication`);
  const server = createApp({
    files, models, jobs, version, maxUploadBytes: Math.round(o.maxUploadMb * 2 ** 20), maxPixels: o.maxPixels,
    allowedHosts: loopback ? new Set([...LOOPBACK, '[::1]']) : null, log: o.log,
  });
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${port}/`, port, host: o.host, jobs,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (!o.jobRunner) await jobs.close();
      await restore?.release();
    },
  };
}
