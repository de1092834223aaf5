// The `serve` job: the web page, its models and the server-side jobs on one HTTP server. Images
// are restored in this process; videos and folders are file jobs on the in-process runner (the
// embedded default) or, with `redis`, on the queue that `img2img worker` processes run.
// Returns once listening; close() stops it (and the runners it made) and removes its work folder.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { exportRestorer } from '../export/onnx-export.js';
import { parseModelInfo, readOnnxMetadata } from '../export/model-info.js';
import { loadRestorer } from '../restore/net/checkpoint.js';
import { SHIPPED_MODEL_NAMES, SHIPPED_MODELS } from '../restore/shipped.js';
import { runtimeOptions, runtimeSchema } from '../runtime/options.js';
import { callback, int, parseOptions, type LogFn } from '../util/options.js';
import { DEFAULT_QUEUE } from '../jobs/types.js';
import { fileJobHandlers } from '../jobs/file-jobs.js';
import { InProcessJobRunner } from '../jobs/in-process.js';
import type { JobRunner } from '../jobs/types.js';
import { restoreJobHandler } from './restore-job.js';
import { ServerJobs } from './server-jobs.js';
import { createApp, type ServedModel } from './server.js';
import { loadStaticFiles } from './static-files.js';
import { VideoUploads } from './video-uploads.js';

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
  /** Largest uploaded video, MB. */
  maxVideoMb: z.number().positive().max(100_000).default(500),
  /** Run videos and folders on the job queue at this Redis URL (workers: img2img worker --redis URL); default: in this process. */
  redis: z.string().regex(/^rediss?:\/\/[^\s]+$/, { message: 'expected a Redis URL like redis://host:6379' }).optional(),
  /** Queue name on Redis (the workers' --queue). */
  queue: z.string().min(1).max(100).regex(/^[\w.-]+$/, { message: 'expected letters, digits, . _ -' }).default(DEFAULT_QUEUE),
  /** A runner for the videos' and folders' file jobs (restore.apply) instead of the in-process one or `redis`'s; the caller closes it. */
  jobRunner: z.custom<JobRunner>((v) => typeof v === 'object' && v !== null && typeof (v as JobRunner).submit === 'function', { message: 'expected a JobRunner' }).optional(),
  /** Where the server makes its work folder (uploaded videos, their results; removed when it stops). With a queue, workers must see it at the same path. */
  workDir: z.string().min(1).optional(),
  /** A folder the page may restore (read only), file by file. */
  folder: z.string().min(1).optional(),
  /** Where folder jobs write (a new subfolder per job); default FOLDER-restored beside it. */
  folderOutput: z.string().min(1).optional(),
  runtime: runtimeSchema,
  /** One line per request and server event. */
  log: callback<LogFn>().optional(),
}).strict();
export type ServeOptions = z.input<typeof serveSchema>;

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  /** The page's jobs (restore, video, folder). */
  jobs: JobRunner;
  /** The server's work folder (uploaded videos and their results). */
  workDir: string;
  close(): Promise<void>;
}

/** The folder the page may restore and where its results go: absolute, existing, neither inside the other. */
function folderPaths(folder: string, output: string | undefined): { input: string; output: string } {
  const input = resolve(folder);
  if (!statSync(input, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`serve: folder ${folder} is not a folder`);
  const out = resolve(output ?? `${input}-restored`);
  const inside = (a: string, b: string) => {
    const r = relative(b, a);
    return r === '' || (!r.startsWith('..') && !isAbsolute(r));
  };
  if (inside(out, input) || inside(input, out)) throw new Error(`serve: the folder output ${out} and the folder ${input} must not be inside each other`);
  return { input, output: out };
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
  const folder = o.folder ? folderPaths(o.folder, o.folderOutput) : undefined;
  if (folder) await mkdir(folder.output, { recursive: true });
  const restore = restoreJobHandler({ models: shipped, maxPixels: o.maxPixels, runtime: runtimeOptions(o.runtime) });
  // Videos and folders: the caller's runner, the queue on Redis, or this process.
  // bullmq loads only when this server makes its own queue.
  const bull = o.redis && !o.jobRunner ? await import('../jobs/bullmq.js') : null;
  const own = bull ? new bull.BullJobRunner({ redis: o.redis!, queue: o.queue }) : null;
  const queue = o.jobRunner ?? own;
  if (own) await own.ready().catch(async (err) => {
    await own.close();
    throw err;
  });
  if (queue && !queue.kinds().includes('restore.apply')) throw new Error('serve: the job runner does not run restore.apply jobs');
  const local = new InProcessJobRunner({ handlers: queue ? { restore } : { restore, ...fileJobHandlers() }, keepFinished: 1000, keepResults: 32, log: o.log });
  const workDir = await mkdtemp(join(resolve(o.workDir ?? tmpdir()), 'img2img-serve-'));
  const uploads = new VideoUploads({ dir: join(workDir, 'uploads'), maxBytes: Math.round(o.maxVideoMb * 2 ** 20), maxPixels: o.maxPixels });
  const { threads, device, spinning } = o.runtime;
  const jobs = new ServerJobs({
    local, files: queue ?? local, uploads, resultsDir: join(workDir, 'results'), folder, models: Object.keys(shipped),
    runtime: queue ? undefined : { threads, device, spinning }, maxPending: 16, keepFinished: 32,
  });
  if (bull) {
    o.log?.(`videos and folders go to the queue '${o.queue}' on ${bull.redactUrl(o.redis!)}: start workers with img2img worker --redis URL${o.queue !== DEFAULT_QUEUE ? ` --queue ${o.queue}` : ''}; they must see ${workDir}${folder ? `, ${folder.input} and ${folder.output}` : ''} at the same paths`);
  }
  const info = {
    runner: o.jobRunner ? 'custom' : o.redis ? 'redis' : 'in-process',
    /** The models the server's jobs (videos, folders) take. */
    serverModels: ['classical', ...Object.keys(shipped)],
    ...(folder ? { folder: { name: basename(folder.input) } } : {}),
  };
  const loopback = LOOPBACK.has(o.host);
  if (!loopback) o.log?.(`warning: serving on ${o.host}, reachable from other computers; there is no authentication`);
  const server = createApp({
    files, models, jobs, uploads, info, version, maxUploadBytes: Math.round(o.maxUploadMb * 2 ** 20), maxPixels: o.maxPixels,
    allowedHosts: loopback ? new Set([...LOOPBACK, '[::1]']) : null, log: o.log,
  });
  // Video uploads can be large: a request may take up to 10 minutes to arrive.
  server.requestTimeout = 10 * 60_000;
  const stop = async () => {
    await jobs.close();
    await local.close();
    await own?.close();
    await uploads.close();
    await rm(workDir, { recursive: true, force: true });
    await restore.release();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => resolve());
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${port}/`, port, host: o.host, jobs, workDir,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await stop();
    },
  };
}
