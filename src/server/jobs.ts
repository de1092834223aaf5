// Server-side work as jobs: a small interface the HTTP server talks to, and an in-process
// implementation (a FIFO queue in this process). A queue backed by Redis (BullMQ, issue 15)
// implements the same JobRunner with the same handlers; the server does not change.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress { done: number; total: number; text?: string }

/** What a job is and how far it got (JSON-serializable). */
export interface JobStatus {
  id: string;
  kind: string;
  state: JobState;
  progress: JobProgress | null;
  /** Position in the queue (0 = next), while queued. */
  position?: number;
  error?: string;
  /** The handler's summary of the result (counts, sizes), when done. */
  summary?: Record<string, unknown>;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

/** A finished job's output. */
export interface JobResult { contentType: string; data: Uint8Array; summary?: Record<string, unknown> }

export interface JobContext {
  onProgress(p: JobProgress): void;
  /** Aborted when the job is cancelled; handlers check it between steps. */
  signal: AbortSignal;
}

/**
 * One kind of job: its options schema (validated at submit time, so a bad request fails at once)
 * and the work. `input` is the uploaded file, if the kind takes one. Handlers hold no per-job
 * state, so a queue worker in another process can run them as they are.
 */
export interface JobHandler<O = unknown> {
  schema: z.ZodType<O>;
  /** Whether the job needs an uploaded file. */
  needsInput: boolean;
  run(options: O, input: Uint8Array | undefined, ctx: JobContext): Promise<JobResult>;
}

/** Events: 'update' with a JobStatus whenever a job changes state or reports progress. */
export interface JobEvents {
  on(event: 'update', listener: (s: JobStatus) => void): unknown;
  off(event: 'update', listener: (s: JobStatus) => void): unknown;
}

/** What the server needs from a job queue. */
export interface JobRunner {
  /** The job kinds it runs. */
  kinds(): string[];
  /** Validates the options and queues the job; returns its id. Throws JobError (status 400/429) on bad options or a full queue. */
  submit(kind: string, options: unknown, input?: Uint8Array): Promise<string>;
  status(id: string): Promise<JobStatus | undefined>;
  /** The output of a job that is done. */
  result(id: string): Promise<JobResult | undefined>;
  /** Cancels a queued or running job; false when it was unknown or already finished. */
  cancel(id: string): Promise<boolean>;
  readonly events: JobEvents;
  close(): Promise<void>;
}

/** A job request the runner refuses, with the HTTP status that says why. */
export class JobError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'JobError';
  }
}

export interface InProcessOptions {
  /** Jobs waiting at most (more are refused with 429); default 16. */
  maxQueued?: number;
  /** Finished jobs (and their results) kept for status and download; default 32, oldest dropped first. */
  keepFinished?: number;
}

interface Entry { status: JobStatus; options: unknown; input?: Uint8Array; result?: JobResult; abort: AbortController }

/** Jobs run one at a time in this process (ONNX Runtime already uses every core for one). */
export class InProcessJobRunner implements JobRunner {
  readonly events = new EventEmitter();
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private readonly finished: string[] = [];
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly handlers: Record<string, JobHandler<any>>, private readonly o: InProcessOptions = {}) {
    this.events.setMaxListeners(0);
  }

  kinds(): string[] {
    return Object.keys(this.handlers);
  }

  async submit(kind: string, options: unknown, input?: Uint8Array): Promise<string> {
    if (this.closed) throw new JobError(503, 'the server is shutting down');
    const handler = Object.hasOwn(this.handlers, kind) ? this.handlers[kind] : undefined;
    if (!handler) throw new JobError(404, `unknown job kind '${kind}' (known: ${this.kinds().join(', ')})`);
    if (handler.needsInput && !input) throw new JobError(400, `a ${kind} job needs an uploaded image`);
    const parsed = handler.schema.safeParse(options);
    if (!parsed.success) throw new JobError(400, `bad ${kind} options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
    if (this.queue.length >= (this.o.maxQueued ?? 16)) throw new JobError(429, 'too many jobs waiting; try again later');
    const id = randomUUID();
    const status: JobStatus = { id, kind, state: 'queued', progress: null, createdAt: Date.now() };
    this.jobs.set(id, { status, options: parsed.data, input, abort: new AbortController() });
    this.queue.push(id);
    this.emit(id);
    this.pump();
    return id;
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const e = this.jobs.get(id);
    return e ? this.snapshot(e) : undefined;
  }

  async result(id: string): Promise<JobResult | undefined> {
    return this.jobs.get(id)?.result;
  }

  async cancel(id: string): Promise<boolean> {
    const e = this.jobs.get(id);
    if (!e || (e.status.state !== 'queued' && e.status.state !== 'running')) return false;
    if (e.status.state === 'queued') {
      this.queue.splice(this.queue.indexOf(id), 1);
      this.finish(e, 'cancelled', 'cancelled');
    } else e.abort.abort();
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.queue]) await this.cancel(id);
    for (const e of this.jobs.values()) if (e.status.state === 'running') e.abort.abort();
    await this.running;
  }

  private snapshot(e: Entry): JobStatus {
    const s = { ...e.status };
    if (s.state === 'queued') s.position = this.queue.indexOf(s.id);
    return s;
  }

  private emit(id: string): void {
    const e = this.jobs.get(id);
    if (e) this.events.emit('update', this.snapshot(e));
  }

  private finish(e: Entry, state: JobState, error?: string): void {
    e.status.state = state;
    e.status.finishedAt = Date.now();
    if (error) e.status.error = error;
    e.input = undefined;
    this.finished.push(e.status.id);
    while (this.finished.length > (this.o.keepFinished ?? 32)) this.jobs.delete(this.finished.shift()!);
    this.emit(e.status.id);
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const id = this.queue.shift()!;
    const e = this.jobs.get(id)!;
    this.running = this.runOne(e).finally(() => {
      this.running = null;
      this.pump();
    });
    for (const q of this.queue) this.emit(q);
  }

  private async runOne(e: Entry): Promise<void> {
    const handler = this.handlers[e.status.kind];
    e.status.state = 'running';
    e.status.startedAt = Date.now();
    this.emit(e.status.id);
    try {
      const result = await handler.run(e.options, e.input, {
        signal: e.abort.signal,
        onProgress: (p) => {
          e.status.progress = p;
          this.emit(e.status.id);
        },
      });
      if (e.abort.signal.aborted) return this.finish(e, 'cancelled', 'cancelled');
      e.result = result;
      if (result.summary) e.status.summary = result.summary;
      this.finish(e, 'done');
    } catch (err) {
      if (e.abort.signal.aborted) return this.finish(e, 'cancelled', 'cancelled');
      this.finish(e, 'failed', err instanceof Error ? err.message : String(err));
    }
  }
}
