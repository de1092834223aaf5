// The queue's jobs (what `img2img worker`, `submit` and `jobs` run): each takes one options object
// validated by its schema.
import { z } from 'zod';
import { callback, int, parseOptions, type LogFn } from '../util/options.js';
// bullmq (and ioredis) load when a queue job runs, not when the CLI starts: about 0.25 s of every command.
import type { BullJobRunner, RunningWorker } from './bullmq.js';
import { splitFileJob } from './split.js';
import { DEFAULT_QUEUE, FILE_JOB_KINDS, type JobState, type JobStatus } from './types.js';

const redisUrl = z.string().regex(/^rediss?:\/\/[^\s]+$/, { message: 'expected a Redis URL like redis://host:6379' });

const connection = {
  /** Redis URL: redis://[user:password@]host:port[/db], or rediss:// for TLS. */
  redis: redisUrl,
  /** Queue name; workers and submitters must use the same. */
  queue: z.string().min(1).max(100).regex(/^[\w.-]+$/, { message: 'expected letters, digits, . _ -' }).default(DEFAULT_QUEUE),
};

export const workerSchema = z.object({
  ...connection,
  /** Jobs this worker runs at once. */
  concurrency: int(1).max(64).default(1),
  /** ONNX Runtime threads for jobs that set none (default: all cores, divided among the concurrent jobs). */
  threads: int(1).optional(),
  /** A job whose worker stops renewing its lock for this many seconds is taken back by another worker. */
  lockSeconds: z.number().min(1).max(3600).default(30),
  /** How often this worker looks for such stalled jobs, seconds. */
  stalledSeconds: z.number().min(0.5).max(3600).default(30),
  /** Times a job may be taken back from a stalled worker before it fails. */
  maxStalled: int(0).max(100).default(2),
  /** One line per job started, done, retried or failed. */
  log: callback<LogFn>().optional(),
  /** Tests only: wait this long (ms) at the start of each job. */
  testDelayMs: int(0).optional(),
}).strict();
export type WorkerJobOptions = z.input<typeof workerSchema>;

/** Runs queued jobs until closed; resolves once it is connected and taking jobs. */
export async function worker(options: WorkerJobOptions): Promise<RunningWorker> {
  const o = parseOptions(workerSchema, 'worker', options);
  const { runWorker } = await import('./bullmq.js');
  return runWorker(o);
}

/** Overall progress of a batch being waited for. */
export interface BatchProgress {
  total: number;
  done: number;
  failed: number;
  /** The jobs running now, with their progress. */
  running: { label: string; progress: JobStatus['progress'] }[];
}

export interface FailedJob { id: string; label: string; error: string }

export const submitSchema = z.object({
  ...connection,
  /** The file job: translate, restore.apply, mosaic.add or mosaic.auto. */
  kind: z.enum(FILE_JOB_KINDS),
  /** Its options object, as the library job takes it (plain data; validated by the job's schema). */
  options: z.record(z.string(), z.unknown()),
  /** Folder that relative paths in the options are resolved against (default: this process's). */
  cwd: z.string().min(1).optional(),
  /** Attempts per job for transient errors (the first and the retries). */
  attempts: int(1).max(100).default(4),
  /** First retry delay, seconds; doubled for each further retry. */
  backoffSeconds: z.number().min(0).max(3600).default(2),
  /** Wait until every job is done or failed for good. */
  wait: z.boolean().default(false),
  /** With wait: overall progress (done/total, running jobs' progress). */
  onProgress: callback<(p: BatchProgress) => void>().optional(),
  /** Called once the jobs are queued, with their ids and labels (input files). */
  onQueued: callback<(jobs: { id: string; label: string }[]) => void>().optional(),
}).strict();
export type SubmitOptions = z.input<typeof submitSchema>;

export interface SubmitResult {
  queue: string;
  jobs: { id: string; label: string }[];
  /** With wait: jobs done, and those that failed for good with their messages. */
  done?: number;
  failed?: FailedJob[];
}

/**
 * Queues a file job, one job per input file (a folder input is split; see splitFileJob). With
 * `wait`, follows the jobs until each is done or failed for good.
 */
export async function submit(options: SubmitOptions): Promise<SubmitResult> {
  const o = parseOptions(submitSchema, 'submit', options);
  const specs = await splitFileJob(o.kind, o.options, o.cwd ?? process.cwd());
  const { BullJobRunner } = await import('./bullmq.js');
  const runner = new BullJobRunner({ redis: o.redis, queue: o.queue, attempts: o.attempts, backoffSeconds: o.backoffSeconds, cwd: o.cwd, listen: o.wait });
  try {
    await runner.ready();
    const ids = await runner.submitSpecs(specs);
    const jobs = ids.map((id, i) => ({ id, label: specs[i].label }));
    o.onQueued?.(jobs);
    if (!o.wait) return { queue: o.queue, jobs };
    const { done, failed } = await waitFor(runner, jobs, o.onProgress);
    return { queue: o.queue, jobs, done, failed };
  } finally {
    await runner.close();
  }
}

/** Follows `jobs` on the queue's events (and polls when events go quiet) until all are done or failed. */
async function waitFor(runner: BullJobRunner, jobs: { id: string; label: string }[], onProgress?: (p: BatchProgress) => void): Promise<{ done: number; failed: FailedJob[] }> {
  const labels = new Map(jobs.map((j) => [j.id, j.label]));
  const pending = new Set(labels.keys());
  const running = new Map<string, JobStatus['progress']>();
  const failed: FailedJob[] = [];
  let done = 0;
  let lastEvent = Date.now();
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const report = () => onProgress?.({
    total: jobs.length, done, failed: failed.length,
    running: [...running].map(([id, progress]) => ({ label: labels.get(id)!, progress })),
  });
  const settle = (id: string, state: JobState, error?: string) => {
    if (!pending.has(id)) return;
    if (state === 'done') done++;
    else if (state === 'failed') failed.push({ id, label: labels.get(id)!, error: error ?? 'failed' });
    else return;
    pending.delete(id);
    running.delete(id);
    report();
    if (pending.size === 0) finish();
  };
  const ev = runner.bullEvents!;
  const touch = () => (lastEvent = Date.now());
  ev.on('active', ({ jobId }) => {
    touch();
    if (pending.has(jobId)) {
      running.set(jobId, null);
      report();
    }
  });
  ev.on('progress', ({ jobId, data }) => {
    touch();
    if (pending.has(jobId) && data && typeof data === 'object') {
      running.set(jobId, data as JobStatus['progress']);
      report();
    }
  });
  ev.on('completed', ({ jobId }) => (touch(), settle(jobId, 'done')));
  ev.on('failed', ({ jobId, failedReason }) => (touch(), settle(jobId, 'failed', failedReason)));
  // A job back in the queue (a retry, or taken back from a stalled worker) is no longer running.
  for (const e of ['waiting', 'delayed'] as const) {
    ev.on(e, ({ jobId }: { jobId: string }) => {
      touch();
      if (running.delete(jobId)) report();
    });
  }
  // The event reader was listening before the jobs were added, but events can still be missed (a
  // reconnect, a trimmed event stream): when they go quiet for 5 s, ask about 200 pending jobs
  // (the next 200 each time round).
  let cursor = 0;
  let polling = false;
  const poll = setInterval(() => {
    if (polling || Date.now() - lastEvent < 5000) return;
    polling = true;
    void (async () => {
      const ids = [...pending];
      cursor = cursor >= ids.length ? 0 : cursor;
      for (const id of ids.slice(cursor, cursor + 200)) {
        const s = await runner.status(id).then((x) => x ?? null, () => 'unreachable' as const);
        if (s === 'unreachable') break;
        if (s) settle(id, s.state, s.error);
        else settle(id, 'failed', 'the job is no longer in the queue (removed)');
      }
      cursor += 200;
    })().finally(() => {
      polling = false;
      touch();
    });
  }, 1000);
  report();
  if (pending.size) await finished;
  clearInterval(poll);
  return { done, failed };
}

export const reportSchema = z.object({
  ...connection,
  /** Jobs listed per state (the counts are always complete). */
  limit: int(0).max(100_000).default(20),
}).strict();
export type ReportOptions = z.input<typeof reportSchema>;

export interface QueueReport {
  queue: string;
  redis: string;
  counts: Record<JobState, number>;
  /** Up to `limit` jobs per state: running and queued oldest first, done and failed newest first. */
  jobs: JobStatus[];
}

/** The queue's job counts per state and its jobs (running, queued, done, failed with their messages). */
export async function report(options: ReportOptions): Promise<QueueReport> {
  const o = parseOptions(reportSchema, 'jobs', options);
  const { BullJobRunner, redactUrl } = await import('./bullmq.js');
  const runner = new BullJobRunner({ redis: o.redis, queue: o.queue, listen: false });
  try {
    await runner.ready();
    const counts = await runner.counts();
    const jobs = await runner.list({ states: ['running', 'queued', 'done', 'failed'], limit: o.limit });
    return { queue: o.queue, redis: redactUrl(o.redis), counts, jobs };
  } finally {
    await runner.close();
  }
}
