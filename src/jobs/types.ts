// The one job interface: the library's file jobs (translate, restore.apply, mosaic.add,
// mosaic.auto) and the web server's jobs (an uploaded image restored in memory; videos and folders
// as file jobs) are queued through a JobRunner, run in this process (InProcessJobRunner) or by
// workers anywhere through Redis (BullJobRunner + runWorker). A caller (the CLI's submit/jobs, the
// web server) does not care which one it has. Two capabilities are optional: an uploaded input
// (SubmitMeta.input: in-process only, as the upload stays in memory) and result(id) (the bytes a
// job made in memory; file jobs' outputs are files, named in their summary).
import type { z } from 'zod';

/** The library jobs a runner takes: their options objects are the jobs' own (validated by their schemas). */
export const FILE_JOB_KINDS = ['translate', 'restore.apply', 'mosaic.add', 'mosaic.auto'] as const;
export type FileJobKind = (typeof FILE_JOB_KINDS)[number];

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'cancelled'];
/** The states a job does not leave. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled']);

/** How far a job got: `done` of `total` (files, frames, regions, ...), and what it is doing. */
export interface JobProgress {
  done: number;
  total: number;
  text?: string;
  /** `done` units per second in this phase (a video's frames per second), when known. */
  rate?: number;
  /** Seconds left in this phase at that rate, when known. */
  etaSeconds?: number | null;
}

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

/**
 * A finished job's output for download: bytes the job made in memory, or a file its owner chose
 * (the web server's video results: a server-made name in its own work folder, streamed).
 */
export type JobResult = { contentType: string; filename?: string } & ({ data: Uint8Array; file?: undefined } | { file: string; data?: undefined });

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

/** What a submit may carry besides the options. */
export interface SubmitMeta {
  /** What the job works on, for lists and messages. */
  label?: string;
  /** The uploaded file of a kind whose handler `needsInput` (runners that keep uploads in memory only). */
  input?: Uint8Array;
}

/** A job queue: the CLI's submit/jobs and the web server talk to this. */
export interface JobRunner {
  /** The job kinds it runs. */
  kinds(): string[];
  /**
   * Validates the options with the kind's handler and queues the job; returns its id. Relative
   * paths are resolved against the runner's folder. Throws JobError: 400 bad options (or an upload
   * this runner cannot carry), 404 unknown kind, 429 too many jobs waiting, 503 closed.
   */
  submit(kind: string, options: unknown, meta?: SubmitMeta): Promise<string>;
  status(id: string): Promise<JobStatus | undefined>;
  list(o?: ListOptions): Promise<JobStatus[]>;
  /** How many jobs are in each state. */
  counts(): Promise<Record<JobState, number>>;
  /**
   * Cancels a queued job, or asks a running one to stop where the runner can (in-process: its
   * handler sees ctx.signal between steps; a Redis worker's running job finishes). False when
   * unknown, finished, or running where it cannot be stopped.
   */
  cancel(id: string): Promise<boolean>;
  /** Optional: the download of a job that is done, for jobs that make one (undefined otherwise). */
  result?(id: string): Promise<JobResult | undefined>;
  readonly events: JobEvents;
  close(): Promise<void>;
}

/** A job request the runner refuses, with the HTTP status that says why (400 bad options, 404 unknown kind, 429 full, 503 closed). */
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
  /** Aborted when the job is cancelled while it runs (in-process runners); handlers check it between steps. */
  signal?: AbortSignal;
  /** The uploaded file, for a kind whose handler `needsInput`. */
  input?: Uint8Array;
}

/** What a job's run gives back: its JSON summary, and the bytes it made in memory, if any. */
export interface JobOutput {
  summary: Record<string, unknown>;
  result?: JobResult;
}

/**
 * One kind of job: its options schema (checked at submit time, so a bad request fails at once) and
 * the work. Handlers keep no per-job state, so a worker in another process runs them as they are.
 */
export interface JobHandler<O = Record<string, unknown>> {
  schema: z.ZodType;
  /**
   * The options as they are queued: validated, paths made absolute against `cwd` (a worker
   * elsewhere sees the same shared folder at the same path); plain JSON for a queue. Throws for
   * bad options.
   */
  prepare(options: unknown, cwd: string): O;
  /** Whether the job takes an uploaded file (ctx.input); such kinds run only where uploads stay in memory. */
  needsInput?: boolean;
  run(options: O, ctx: JobContext): Promise<JobOutput>;
}

/** The queue's name when none is given (workers and submitters must agree). */
export const DEFAULT_QUEUE = 'img2img';
