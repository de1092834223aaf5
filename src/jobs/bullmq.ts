// The job queue on Redis (BullMQ): BullJobRunner queues jobs and reports on them (the JobRunner
// interface), runWorker runs them on any machine that sees the same files. A job's data is its
// kind, its options object (plain JSON, absolute paths) and a label (its input file).
//
// Fault tolerance: a worker holds a lock on each job it runs and renews it while the job runs; a
// worker that dies (kill -9, a lost machine) stops renewing, and after `lockSeconds` the other
// workers' stalled-job check (every `stalledSeconds`) puts the job back in the queue, where
// another worker takes it (a retry: its temp files are cleaned, a video resumes from its complete
// segments). Transient errors (see errors.ts) are retried with exponential backoff; any other error
// (bad options, a bad input) fails the job at once with its message (BullMQ's UnrecoverableError).
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { Job, Queue, QueueEvents, UnrecoverableError, Worker, type JobType } from 'bullmq';
import { Redis } from 'ioredis';
import { isTransient, messageOf } from './errors.js';
import { fileJobHandlers } from './file-jobs.js';
import type { JobSpec } from './split.js';
import { checkSubmit } from './submit-check.js';
import { DEFAULT_QUEUE, JOB_STATES, type JobHandler, type JobProgress, type JobRunner, type JobState, type JobStatus, type ListOptions, type SubmitMeta } from './types.js';

export { DEFAULT_QUEUE };

/** What a queued job carries. */
export interface QueuedJobData { kind: string; options: Record<string, unknown>; label?: string }

/** BullMQ's job states as ours. */
const BULL_STATES: Record<Exclude<JobState, 'cancelled'>, JobType[]> = {
  queued: ['waiting', 'prioritized', 'delayed', 'waiting-children'],
  running: ['active'],
  done: ['completed'],
  failed: ['failed'],
};

function stateOf(bull: string): JobState | undefined {
  for (const [state, types] of Object.entries(BULL_STATES)) if ((types as string[]).includes(bull)) return state as JobState;
  return undefined;
}

/** A Redis client for `url` (redis:// or rediss://). Blocking clients (workers, event readers) retry commands forever, as BullMQ needs. */
export function redisClient(url: string, o: { blocking?: boolean } = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: o.blocking ? null : 3,
    // RESP2: works with every Redis BullMQ supports (RESP3 needs Redis 6 and HELLO).
    protocol: 2,
    connectTimeout: 10_000,
    lazyConnect: false,
  });
}

/** Resolves when `client` is connected; else rejects after `ms` with a message naming the URL. */
async function reachable(client: Redis, url: string, ms = 10_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let lastError = '';
  const onError = (err: Error) => {
    lastError = err.message;
  };
  client.on('error', onError);
  const fail = () => new Error(`cannot reach Redis at ${redactUrl(url)}${lastError ? ` (${lastError})` : ''}`);
  try {
    await Promise.race([
      client.ping().catch((err: Error) => {
        lastError ||= err.message;
        throw fail();
      }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(fail()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** A BullMQ job as a JobStatus. */
function toStatus(job: Job, bullState: string): JobStatus | undefined {
  const state = stateOf(bullState);
  if (!state || !job.id) return undefined;
  const data = job.data as Partial<QueuedJobData>;
  const p = job.progress as unknown;
  const progress: JobProgress | null = typeof p === 'number' ? (p > 0 ? { done: p, total: 100 } : null)
    : p && typeof p === 'object' && 'done' in p ? (p as JobProgress) : null;
  return {
    id: job.id, kind: data.kind ?? job.name, state, progress,
    ...(data.label ? { label: data.label } : {}),
    attempts: job.attemptsStarted ?? job.attemptsMade,
    ...(job.failedReason ? { error: job.failedReason } : {}),
    ...(state === 'done' && job.returnvalue && typeof job.returnvalue === 'object' ? { summary: job.returnvalue as Record<string, unknown> } : {}),
    createdAt: job.timestamp,
    ...(job.processedOn ? { startedAt: job.processedOn } : {}),
    ...(job.finishedOn ? { finishedAt: job.finishedOn } : {}),
  };
}

export interface BullRunnerOptions {
  /** Redis URL: redis://[user:password@]host:port[/db] or rediss:// (TLS). */
  redis: string;
  /** Queue name (default 'img2img'); workers must use the same. */
  queue?: string;
  /** Job kinds and their handlers, for validation at submit time (default: the four file jobs). */
  handlers?: Record<string, JobHandler>;
  /** Attempts per job for transient errors (default 4: the first and 3 retries). */
  attempts?: number;
  /** First retry delay in seconds, doubled for each further retry (default 2: 2, 4, 8 s). */
  backoffSeconds?: number;
  /** Finished jobs kept in Redis: done ones (default 100000, oldest dropped); failed ones are all kept. */
  keepDone?: number;
  /** Folder that relative paths in options are resolved against (default: process.cwd()). */
  cwd?: string;
  /** Listen for job events ('update'); default true. */
  listen?: boolean;
}

/** Queues jobs on Redis and reports on them; workers (runWorker) anywhere run them. */
export class BullJobRunner implements JobRunner {
  readonly events = new EventEmitter();
  readonly queue: Queue;
  readonly name: string;
  private readonly client: Redis;
  private readonly eventsClient: Redis | null;
  private readonly queueEvents: QueueEvents | null;
  private readonly handlers: Record<string, JobHandler>;
  private closed = false;

  constructor(private readonly o: BullRunnerOptions) {
    this.name = o.queue ?? DEFAULT_QUEUE;
    this.handlers = o.handlers ?? fileJobHandlers();
    this.events.setMaxListeners(0);
    this.client = redisClient(o.redis);
    this.client.on('error', () => undefined);
    this.queue = new Queue(this.name, { connection: this.client });
    this.queue.on('error', () => undefined);
    if (o.listen === false) {
      this.eventsClient = null;
      this.queueEvents = null;
    } else {
      this.eventsClient = redisClient(o.redis, { blocking: true });
      this.eventsClient.on('error', () => undefined);
      this.queueEvents = new QueueEvents(this.name, { connection: this.eventsClient });
      this.queueEvents.on('error', () => undefined);
      const update = (id: string) => {
        if (this.events.listenerCount('update') === 0) return;
        this.status(id).then((s) => s && this.events.emit('update', s), () => undefined);
      };
      for (const e of ['waiting', 'active', 'progress', 'completed', 'failed', 'delayed'] as const) {
        this.queueEvents.on(e, ({ jobId }: { jobId: string }) => update(jobId));
      }
    }
  }

  /** Resolves when Redis answers (and the event reader listens, so no event of a job submitted after this is missed). */
  async ready(timeoutMs = 10_000): Promise<void> {
    await reachable(this.client, this.o.redis, timeoutMs);
    await this.queue.waitUntilReady();
    await this.queueEvents?.waitUntilReady();
  }

  /** The raw BullMQ event reader (submit --wait uses it for its counts), or null without `listen`. */
  get bullEvents(): QueueEvents | null {
    return this.queueEvents;
  }

  kinds(): string[] {
    return Object.keys(this.handlers);
  }

  private jobOptions() {
    return {
      attempts: this.o.attempts ?? 4,
      backoff: { type: 'exponential' as const, delay: Math.round((this.o.backoffSeconds ?? 2) * 1000) },
      removeOnComplete: { count: this.o.keepDone ?? 100_000 },
      removeOnFail: false,
    };
  }

  /** The options as queued (uploads are refused: a queue on Redis carries options, not files). */
  private prepare(kind: string, options: unknown, meta: SubmitMeta = {}): Record<string, unknown> {
    return checkSubmit({ handlers: this.handlers, closed: this.closed, cwd: this.o.cwd ?? process.cwd(), takesInput: false }, kind, options, meta).options;
  }

  async submit(kind: string, options: unknown, meta: SubmitMeta = {}): Promise<string> {
    const data: QueuedJobData = { kind, options: this.prepare(kind, options, meta), ...(meta.label ? { label: meta.label } : {}) };
    const job = await this.queue.add(kind, data, this.jobOptions());
    return job.id!;
  }

  /** Queues many jobs (split parts, already prepared) in bulk; returns their ids in order. */
  async submitSpecs(specs: readonly JobSpec[]): Promise<string[]> {
    const ids: string[] = [];
    const opts = this.jobOptions();
    for (let i = 0; i < specs.length; i += 500) {
      const chunk = specs.slice(i, i + 500).map((s) => ({ name: s.kind, data: { kind: s.kind, options: this.prepare(s.kind, s.options), label: s.label } satisfies QueuedJobData, opts }));
      for (const job of await this.queue.addBulk(chunk)) ids.push(job.id!);
    }
    return ids;
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const job = await Job.fromId(this.queue, id);
    if (!job) return undefined;
    return toStatus(job, await job.getState());
  }

  async list(o: ListOptions = {}): Promise<JobStatus[]> {
    const limit = o.limit ?? 50;
    const out: JobStatus[] = [];
    for (const state of o.states ?? JOB_STATES) {
      if (state === 'cancelled') continue;
      const asc = state === 'queued' || state === 'running';
      const jobs = await this.queue.getJobs(BULL_STATES[state], 0, Math.max(0, limit - 1), asc);
      for (const job of jobs.slice(0, limit)) {
        const s = toStatus(job, BULL_STATES[state][0]);
        if (s) out.push({ ...s, state });
      }
    }
    return out;
  }

  async counts(): Promise<Record<JobState, number>> {
    const c = await this.queue.getJobCounts();
    const n = (types: JobType[]) => types.reduce((s, t) => s + (c[t] ?? 0), 0);
    return { queued: n(BULL_STATES.queued), running: n(BULL_STATES.running), done: n(BULL_STATES.done), failed: n(BULL_STATES.failed), cancelled: 0 };
  }

  async cancel(id: string): Promise<boolean> {
    const job = await Job.fromId(this.queue, id);
    if (!job || stateOf(await job.getState()) !== 'queued') return false;
    try {
      await job.remove();
    } catch {
      return false; // taken by a worker meanwhile
    }
    const s = toStatus(job, 'waiting');
    if (s) this.events.emit('update', { ...s, state: 'cancelled', error: 'cancelled', finishedAt: Date.now() });
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queueEvents?.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    this.client.disconnect();
    this.eventsClient?.disconnect();
  }
}

export interface WorkerOptions {
  redis: string;
  queue?: string;
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number;
  /** Job kinds and their handlers (default: the four file jobs). */
  handlers?: Record<string, JobHandler>;
  /** ONNX Runtime threads for jobs that do not set their own (default: all cores, divided among `concurrency` jobs). */
  threads?: number;
  /** A job whose worker stops renewing its lock for this long is taken back (default 30). */
  lockSeconds?: number;
  /** How often this worker checks for stalled jobs (default 30). */
  stalledSeconds?: number;
  /** Times a job may be taken back from a stalled worker before it fails (default 2). */
  maxStalled?: number;
  /** One line per job started, done, retried or failed, and worker events. */
  log?: (line: string) => void;
  /** Tests only: wait this long at the start of every job (with progress 0 reported), so a test can kill a worker mid-job. */
  testDelayMs?: number;
}

export interface RunningWorker {
  worker: Worker;
  /** Stops taking jobs and waits for the running ones (force: does not wait). */
  close(force?: boolean): Promise<void>;
}

/** Options with the worker's thread count where the job sets none. */
function withThreads(kind: string, options: Record<string, unknown>, threads: number | undefined): Record<string, unknown> {
  if (!threads) return options;
  if (kind === 'mosaic.auto') return options.threads === undefined ? { ...options, threads } : options;
  if (kind === 'translate' || kind === 'restore.apply') {
    const runtime = (options.runtime ?? {}) as Record<string, unknown>;
    return runtime.threads === undefined ? { ...options, runtime: { ...runtime, threads } } : options;
  }
  return options;
}

/** Runs jobs from the queue until closed. Resolves once connected to Redis. */
export async function runWorker(o: WorkerOptions): Promise<RunningWorker> {
  const name = o.queue ?? DEFAULT_QUEUE;
  const handlers: Record<string, JobHandler> = o.handlers ?? fileJobHandlers();
  const log = o.log ?? (() => undefined);
  const client = redisClient(o.redis, { blocking: true });
  let lastError = '';
  client.on('error', (err: Error) => {
    if (err.message !== lastError) log(`redis: ${err.message}`);
    lastError = err.message;
  });
  await reachable(client, o.redis).catch((err) => {
    client.disconnect();
    throw err;
  });
  const concurrency = o.concurrency ?? 1;
  const threads = o.threads ?? (concurrency > 1 ? Math.max(1, Math.floor(availableParallelism() / concurrency)) : undefined);
  const started = new Map<string, number>();
  const processor = async (job: Job): Promise<Record<string, unknown>> => {
    const { kind, options, label } = job.data as QueuedJobData;
    const what = `${job.id} ${kind} ${label ?? ''}`.trim();
    const handler = Object.hasOwn(handlers, kind) ? handlers[kind] : undefined;
    if (!handler) throw new UnrecoverableError(`unknown job kind '${kind}' (this worker runs: ${Object.keys(handlers).join(', ')})`);
    const attempt = Math.max(1, job.attemptsStarted ?? job.attemptsMade + 1);
    started.set(job.id!, performance.now());
    log(`start ${what}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
    let lastSent = 0;
    let latest: JobProgress | null = null;
    const send = () => {
      if (!latest) return;
      lastSent = performance.now();
      job.updateProgress(latest as object).catch(() => undefined);
      latest = null;
    };
    if (o.testDelayMs) {
      await job.updateProgress({ done: 0, total: 1, text: 'test delay' });
      await new Promise((r) => setTimeout(r, o.testDelayMs));
    }
    try {
      const out = await handler.run(withThreads(kind, options, threads), {
        attempt,
        log: (line) => log(`${job.id}: ${line}`),
        onProgress: (p) => {
          latest = p;
          if (performance.now() - lastSent > 250 || p.done >= p.total) send();
        },
      });
      return out.summary;
    } catch (err) {
      if (!isTransient(err)) throw new UnrecoverableError(messageOf(err));
      throw err;
    }
  };
  const worker = new Worker(name, processor, {
    connection: client,
    concurrency,
    lockDuration: Math.round((o.lockSeconds ?? 30) * 1000),
    stalledInterval: Math.round((o.stalledSeconds ?? 30) * 1000),
    maxStalledCount: o.maxStalled ?? 2,
  });
  const secs = (id: string | undefined) => {
    const t = id ? started.get(id) : undefined;
    if (id) started.delete(id);
    return t === undefined ? '' : ` (${((performance.now() - t) / 1000).toFixed(2)} s)`;
  };
  worker.on('completed', (job) => log(`done ${job.id} ${job.data.label ?? job.name}${secs(job.id)}`));
  worker.on('failed', (job, err) => {
    if (!job) return log(`failed: ${err.message}`);
    const attempts = job.opts.attempts ?? 1;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    const wait = final ? '' : ` in ${((job.opts.backoff && typeof job.opts.backoff === 'object' ? job.opts.backoff.delay ?? 0 : 0) * 2 ** (job.attemptsMade - 1) / 1000).toFixed(0)} s`;
    log(`${final ? 'failed' : `retry${wait}`} ${job.id} ${job.data.label ?? job.name}${secs(job.id)}: ${err.message}`);
  });
  worker.on('stalled', (jobId) => log(`stalled ${jobId}: its worker stopped; back in the queue`));
  worker.on('error', (err) => {
    if (err.message !== lastError) log(`worker: ${err.message}`);
    lastError = err.message;
  });
  await worker.waitUntilReady();
  return {
    worker,
    async close(force = false) {
      await worker.close(force);
      client.disconnect();
    },
  };
}
