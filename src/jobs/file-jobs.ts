// The library's file jobs as job handlers: translate, restore.apply, mosaic.add and mosaic.auto,
// with their own schemas and options objects. A queued job's options are plain JSON with absolute
// paths; running one calls the library job with progress callbacks. Retried attempts clean up what
// a killed attempt may have left (hidden temp files beside the outputs) and resume videos from
// their complete segments.
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { translate, translateSchema } from '../inference/job.js';
import { add, addSchema, auto, autoSchema } from '../mosaic/job.js';
import { apply, applySchema } from '../restore/job.js';
import { OptionsError, parseOptions } from '../util/options.js';
import type { VideoProgress, VideoResult } from '../video/pipeline.js';
import { FILE_JOB_KINDS, type FileJobKind, type JobContext, type JobHandler } from './types.js';

/** Option keys that hold paths, per kind ('inputs' is a list; runtime.dumpGraph is handled apart). */
const PATH_KEYS: Record<FileJobKind, readonly string[]> = {
  'translate': ['output', 'checkpoint'],
  'restore.apply': ['output', 'mask', 'checkpoint', 'keyframes'],
  'mosaic.add': ['output', 'mask', 'keyframes'],
  'mosaic.auto': ['output', 'classifier', 'keyframes'],
};

const SCHEMAS: Record<FileJobKind, z.ZodObject> = {
  'translate': translateSchema,
  'restore.apply': applySchema,
  'mosaic.add': addSchema,
  'mosaic.auto': autoSchema,
};

export const isFileJobKind = (kind: string): kind is FileJobKind => (FILE_JOB_KINDS as readonly string[]).includes(kind);

/** `p` made absolute against `cwd`, keeping a trailing separator (which makes an output a folder). */
export function absolutePath(p: string, cwd: string): string {
  const trailing = p.endsWith('/') || p.endsWith(sep);
  const r = resolve(cwd, p);
  return trailing && !r.endsWith(sep) ? r + sep : r;
}

/** Rejects what a queue cannot carry: callbacks and other non-JSON values. */
function checkPlainData(kind: string, options: unknown): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new OptionsError(kind, ['options: expected an object']);
  const problems: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'function') problems.push(`option '${path}': a queued job's options are data only (no callbacks)`);
    else if (typeof v === 'bigint' || typeof v === 'symbol') problems.push(`option '${path}': not JSON data`);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}.${i}`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(options, '');
  if (problems.length) throw new OptionsError(kind, problems);
  return JSON.parse(JSON.stringify(options)) as Record<string, unknown>;
}

/**
 * A file job's options as they are queued: validated by the job's schema (an OptionsError names
 * each bad option), plain JSON, paths absolute against `cwd`. The options given are queued (not
 * the schema's output), so a worker validates exactly what the caller wrote and fills defaults itself.
 */
export function prepareFileJob(kind: FileJobKind, options: unknown, cwd: string): Record<string, unknown> {
  const o = checkPlainData(kind, options);
  parseOptions(SCHEMAS[kind], kind, o);
  if (Array.isArray(o.inputs)) o.inputs = (o.inputs as string[]).map((p) => absolutePath(p, cwd));
  for (const key of PATH_KEYS[kind]) if (typeof o[key] === 'string') o[key] = absolutePath(o[key] as string, cwd);
  if (typeof o.ffmpeg === 'string' && (o.ffmpeg.includes('/') || o.ffmpeg.includes(sep))) o.ffmpeg = absolutePath(o.ffmpeg, cwd);
  const runtime = o.runtime as Record<string, unknown> | undefined;
  if (runtime && typeof runtime.dumpGraph === 'string') runtime.dumpGraph = absolutePath(runtime.dumpGraph, cwd);
  return o;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes what a killed attempt may have left beside this job's outputs: the atomic writer's hidden
 * temp files (.NAME.PID.HEX.tmp) and a video's half-joined output (.NAME.PID.partial). Only names
 * this job's own outputs can have are touched. Complete outputs and a video's segments stay.
 */
export async function removeLeftovers(o: Record<string, unknown>): Promise<string[]> {
  const output = o.output as string;
  const inputs = (o.inputs as string[]) ?? [];
  const isDir = output.endsWith('/') || output.endsWith(sep) || (await stat(output).catch(() => null))?.isDirectory() === true || (inputs.length > 1);
  const candidates: { dir: string; name: string }[] = [];
  if (isDir) {
    for (const input of inputs) {
      const ext = extname(input), stem = basename(input, ext);
      for (const name of new Set([`${stem}.png`, `${stem}${ext}`, `${stem}_mask.png`, `${stem}.mp4`])) candidates.push({ dir: output, name });
    }
  } else candidates.push({ dir: dirname(output), name: basename(output) });
  const removed: string[] = [];
  const byDir = new Map<string, string[]>();
  for (const c of candidates) byDir.set(c.dir, [...(byDir.get(c.dir) ?? []), c.name]);
  for (const [dir, names] of byDir) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    const pattern = new RegExp(`^\\.(${names.map(escape).join('|')})\\.(\\d+\\.[0-9a-f]{12}\\.tmp|\\d+\\.partial)$`);
    for (const f of entries) {
      if (!pattern.test(f)) continue;
      await rm(join(dir, f), { force: true });
      removed.push(join(dir, f));
    }
  }
  return removed;
}

type Summary = Record<string, unknown>;

const videoSummary = (v: VideoResult[]) => ({ frames: v.reduce((s, x) => s + x.frames, 0), resumedFrames: v.reduce((s, x) => s + x.resumedFrames, 0) });

/** Runs one file job through the library with `ctx`'s progress; returns its summary. */
async function runFileJob(kind: FileJobKind, o: Record<string, unknown>, ctx: JobContext): Promise<Summary> {
  // Progress comes between images and between video frames: where a cancelled job stops.
  const stopIfCancelled = () => {
    if (ctx.signal?.aborted) throw new Error('cancelled');
  };
  const hooks = {
    onProgress: (done: number, total: number) => {
      stopIfCancelled();
      ctx.onProgress({ done, total, text: 'images' });
    },
    onError: (_input: string, err: Error) => ctx.log(`error: ${err.message}`),
    onVideoProgress: (input: string, p: VideoProgress) => {
      stopIfCancelled();
      ctx.onProgress({ done: p.frame, total: p.total, text: `${p.phase === 'analyze' ? 'analysing' : 'processing'} ${basename(input)}`, ...(p.fps > 0 ? { rate: p.fps, etaSeconds: p.etaSeconds } : {}) });
    },
    onVideoNote: (line: string) => ctx.log(`note: ${line}`),
  };
  // The options were validated by the job's schema (prepare, and the job again); only the hooks are added.
  const withHooks = <T>(): T => ({ ...o, ...hooks }) as unknown as T;
  switch (kind) {
    case 'translate': {
      const r = await translate(withHooks<Parameters<typeof translate>[0]>());
      return { outputs: r.outputs, ...(r.videos ? videoSummary(r.videos) : {}) };
    }
    case 'restore.apply': {
      const r = await apply(withHooks<Parameters<typeof apply>[0]>());
      const videos = r.flatMap((x) => (x.video ? [x.video] : []));
      return {
        outputs: r.map((x) => x.output), regions: r.reduce((s, x) => s + x.regions, 0), restored: r.reduce((s, x) => s + x.restored, 0),
        ...(videos.length ? videoSummary(videos) : {}),
      };
    }
    case 'mosaic.add': {
      const r = await add(withHooks<Parameters<typeof add>[0]>());
      return { outputs: r.outputs, ...(r.videos ? videoSummary(r.videos) : {}) };
    }
    case 'mosaic.auto': {
      const r = await auto(withHooks<Parameters<typeof auto>[0]>());
      if (r.length && 'frames' in r[0]) return { outputs: (r as VideoResult[]).map((v) => v.output), ...videoSummary(r as VideoResult[]) };
      return { outputs: r.flatMap((x) => ('maskOutput' in x ? [x.output, x.maskOutput] : [x.output])), regions: r.reduce((s, x) => s + ('regions' in x ? x.regions : 0), 0) };
    }
  }
}

const RESUME_REFUSED = 'run without --resume to start over';

/** One attempt of a file job; a retry first clears what a killed attempt left and resumes videos. */
async function runAttempt(kind: FileJobKind, options: Record<string, unknown>, ctx: JobContext): Promise<Summary> {
  if (ctx.attempt <= 1) return runFileJob(kind, options, ctx);
  // A retry: clear a killed attempt's temp files; videos continue from their complete segments
  // (an earlier attempt of the same job has the same input and settings), else start over.
  for (const f of await removeLeftovers(options)) ctx.log(`removed ${f} (left by an interrupted attempt)`);
  if (options.resume !== undefined) return runFileJob(kind, options, ctx);
  try {
    return await runFileJob(kind, { ...options, resume: true }, ctx);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes(RESUME_REFUSED)) throw err;
    return runFileJob(kind, options, ctx);
  }
}

/** The handler of one file job kind. */
export function fileJobHandler(kind: FileJobKind): JobHandler {
  return {
    schema: SCHEMAS[kind],
    prepare: (options, cwd) => prepareFileJob(kind, options, cwd),
    async run(options, ctx) {
      parseOptions(SCHEMAS[kind], kind, options);
      return { summary: await runAttempt(kind, options, ctx) };
    },
  };
}

/** The four file job handlers by kind. */
export function fileJobHandlers(): Record<FileJobKind, JobHandler> {
  return Object.fromEntries(FILE_JOB_KINDS.map((k) => [k, fileJobHandler(k)])) as Record<FileJobKind, JobHandler>;
}
