// Jobs run by a runner: the library's file jobs (translate, restore.apply, mosaic.add,
// mosaic.auto) queued with their options objects, run in this process (InProcessJobRunner) or by
// workers anywhere through Redis (BullJobRunner + runWorker). Both implement JobRunner, so a
// caller (the CLI's submit/jobs, the web server) does not care which one it has. The web server's
// own runner (src/server/jobs.ts: uploads in, bytes out) has the same JobStatus, 'update' events,
// kinds/submit/status/cancel/close; these runners' statuses are assignable to its JobStatus, and
// they add list() and counts() but have no result(id) (file jobs' outputs are files: see summary).
import type { z } from 'zod';

/** The library jobs a runner takes: their options objects are the jobs' own (validated by their schemas). */
export const FILE_JOB_KINDS = ['translate', 'restore.apply', 'mosaic.add', 'mosaic.auto'] as const;
export type FileJobKind = (typeof FILE_JOB_KINDS)[number];

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'cancelled'];

/** How far a job got: `done` of `total` (files, frames, ...), and what it is doing. */
export interface JobProgress { done: number; total: number; text?: string }

/** What a job is and how far it got (JSON-serializable). */
export interface JobStatus {
  id: string;
  kind: string;
  state: JobState;
  progress: JobProgress | null;
  /** What the job works on (its input file, for a split folder), for lists and messages. */
  label?: string;
  /** Position in the queue (0 = next), while queued, where the runner knows it cheaply. */
  position?: number;
  /** Attempts started so far (a retry or a job taken back from a stalled worker adds one). */
  attempts?: number;
  /** Why it failed (its last attempt's message), or why the last attempt failed while it waits for a retry. */
  error?: string;
  /** The job's result summary (outputs, counts), when done. */
  summary?: Record<string, unknown>;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}

/** Events: 'update' with a JobStatus whenever a job changes state or reports progress. */
export interface JobEvents {
  on(event: 'update', listener: (s: JobStatus) => void): unknown;
  off(event: 'update', listener: (s: JobStatus) => void): unknown;
}

export interface ListOptions {
  /** Only jobs in these states (default: all). */
  states?: readonly JobState[];
  /** At most this many per state, newest first for finished ones (default 50). */
  limit?: number;
}

/** A job queue: the CLI's submit/jobs and the web server talk to this. */
export interface JobRunner {
  /** The job kinds it runs. */
  kinds(): string[];
  /**
   * Validates the options with the kind's schema and queues the job; returns its id. Relative
   * paths are resolved against this process's folder. Throws JobError (status 400) for bad options.
   */
  submit(kind: string, options: unknown, meta?: { label?: string }): Promise<string>;
  status(id: string): Promise<JobStatus | undefined>;
  list(o?: ListOptions): Promise<JobStatus[]>;
  /** How many jobs are in each state. */
  counts(): Promise<Record<JobState, number>>;
  /** Cancels a queued job; false when unknown or no longer queued (running jobs finish). */
  cancel(id: string): Promise<boolean>;
  readonly events: JobEvents;
  close(): Promise<void>;
}

/** A job request the runner refuses, with the HTTP status that says why (400 bad options, 404 unknown kind, 503 closed). */
export class JobError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'JobError';
  }
}

export interface JobContext {
  /** Progress of this job (a runner forwards it as 'update' events; the queue stores it on the job). */
  onProgress(p: JobProgress): void;
  /** Notes (video encoder fallbacks, ...). */
  log(line: string): void;
  /** 1 on the first attempt; more when retried or taken back from a stalled worker. */
  attempt: number;
}

/**
 * One kind of job: its options schema (checked at submit time, so a bad request fails at once) and
 * the work. Handlers keep no per-job state, so a worker in another process runs them as they are.
 */
export interface JobHandler {
  schema: z.ZodType;
  /**
   * The options as they are queued: validated, plain JSON, paths made absolute against `cwd` (a
   * worker elsewhere sees the same shared folder at the same path). Throws for bad options.
   */
  prepare(options: unknown, cwd: string): Record<string, unknown>;
  /** Runs the job; returns a JSON summary (outputs, counts). */
  run(options: Record<string, unknown>, ctx: JobContext): Promise<Record<string, unknown>>;
}
