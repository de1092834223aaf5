// The embedded job runner: a FIFO queue in this process, `concurrency` jobs at a time (default 1:
// ONNX Runtime already uses every core for one job). The same JobRunner as the Redis queue, so a
// caller switches by constructing the other one. Besides the queue's file jobs it carries what
// only a runner in this process can: uploads in memory (kinds whose handler needsInput), results
// in memory (result(id)), and cancelling a running job (its handler sees ctx.signal).
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { messageOf } from './errors.js';
import { fileJobHandlers } from './file-jobs.js';
import { checkSubmit } from './submit-check.js';
import { JobError, type JobHandler, type JobResult, type JobRunner, type JobState, type JobStatus, type ListOptions, type SubmitMeta, JOB_STATES } from './types.js';

export interface InProcessOptions {
  /** Job kinds and their handlers (default: the four file jobs). */
  handlers?: Record<string, JobHandler<any>>;
  /** Jobs run at once (default 1). */
  concurrency?: number;
  /** Jobs waiting at most (more are refused with JobError 429; default unlimited). */
  maxQueued?: number;
  /** Finished jobs kept for status and lists (default 1000, oldest dropped first). */
  keepFinished?: number;
  /** Finished jobs whose results (bytes in memory) are kept for download (default 32, oldest dropped first). */
  keepResults?: number;
  /** Folder that relative paths in options are resolved against (default: process.cwd()). */
  cwd?: string;
  /** Notes from the jobs (video encoder fallbacks, removed leftovers, ...). */
  log?: (line: string) => void;
}

interface Entry {
  status: JobStatus;
  options: Record<string, unknown>;
  input?: Uint8Array;
  result?: JobResult;
  abort: AbortController;
}

export class InProcessJobRunner implements JobRunner {
  readonly events = new EventEmitter();
  private readonly handlers: Record<string, JobHandler<any>>;
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private readonly finished: string[] = [];
  private readonly withResults: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly o: InProcessOptions = {}) {
    this.handlers = o.handlers ?? fileJobHandlers();
    this.events.setMaxListeners(0);
  }

  kinds(): string[] {
    return Object.keys(this.handlers);
  }

  async submit(kind: string, options: unknown, meta: SubmitMeta = {}): Promise<string> {
    const { options: prepared } = checkSubmit({ handlers: this.handlers, closed: this.closed, cwd: this.o.cwd ?? process.cwd(), takesInput: true }, kind, options, meta);
    if (this.queue.length >= (this.o.maxQueued ?? Infinity)) throw new JobError(429, 'too many jobs waiting; try again later');
    const id = randomUUID();
    const status: JobStatus = { id, kind, state: 'queued', progress: null, createdAt: Date.now(), attempts: 0, ...(meta.label ? { label: meta.label } : {}) };
    this.jobs.set(id, { status, options: prepared, input: meta.input, abort: new AbortController() });
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

  async list(o: ListOptions = {}): Promise<JobStatus[]> {
    const states = o.states ?? JOB_STATES;
    const limit = o.limit ?? 50;
    const out: JobStatus[] = [];
    for (const state of states) {
      const of = [...this.jobs.values()].filter((e) => e.status.state === state);
      if (state === 'done' || state === 'failed' || state === 'cancelled') of.reverse();
      out.push(...of.slice(0, limit).map((e) => this.snapshot(e)));
    }
    return out;
  }

  async counts(): Promise<Record<JobState, number>> {
    const c = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const e of this.jobs.values()) c[e.status.state]++;
    return c;
  }

  /** Cancels a queued job, or aborts a running one (it ends 'cancelled' when its handler returns). */
  async cancel(id: string): Promise<boolean> {
    const e = this.jobs.get(id);
    if (!e || (e.status.state !== 'queued' && e.status.state !== 'running')) return false;
    if (e.status.state === 'running') {
      e.abort.abort();
      return true;
    }
    this.queue.splice(this.queue.indexOf(id), 1);
    this.finish(e, 'cancelled', 'cancelled');
    return true;
  }

  /** Stops taking jobs, cancels the queued ones, aborts the running ones and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.queue]) await this.cancel(id);
    for (const e of this.jobs.values()) if (e.status.state === 'running') e.abort.abort();
    await Promise.all([...this.running]);
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running.size || this.queue.length) await Promise.race([...this.running]);
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
    while (this.finished.length > (this.o.keepFinished ?? 1000)) this.jobs.delete(this.finished.shift()!);
    if (e.result) {
      this.withResults.push(e.status.id);
      while (this.withResults.length > (this.o.keepResults ?? 32)) {
        const old = this.jobs.get(this.withResults.shift()!);
        if (old) old.result = undefined;
      }
    }
    this.emit(e.status.id);
  }

  private pump(): void {
    while (!this.closed && this.running.size < (this.o.concurrency ?? 1) && this.queue.length) {
      const e = this.jobs.get(this.queue.shift()!)!;
      const p: Promise<void> = this.runOne(e).finally(() => {
        this.running.delete(p);
        this.pump();
      });
      this.running.add(p);
      for (const q of this.queue) this.emit(q);
    }
  }

  private async runOne(e: Entry): Promise<void> {
    e.status.state = 'running';
    e.status.startedAt = Date.now();
    e.status.attempts = (e.status.attempts ?? 0) + 1;
    this.emit(e.status.id);
    const signal = e.abort.signal;
    try {
      const out = await this.handlers[e.status.kind].run(e.options, {
        attempt: e.status.attempts,
        signal,
        input: e.input,
        log: (line) => this.o.log?.(`${e.status.label ?? e.status.id}: ${line}`),
        onProgress: (p) => {
          e.status.progress = p;
          this.emit(e.status.id);
        },
      });
      if (signal.aborted) return this.finish(e, 'cancelled', 'cancelled');
      e.status.summary = out.summary;
      e.result = out.result;
      this.finish(e, 'done');
    } catch (err) {
      this.finish(e, signal.aborted ? 'cancelled' : 'failed', signal.aborted ? 'cancelled' : messageOf(err));
    }
  }
}
