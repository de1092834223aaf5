// The web server's jobs, as one JobRunner the HTTP layer talks to. Three kinds:
//   restore  an uploaded image restored in memory (restore-job.ts), on the in-process runner;
//   video    an uploaded video (video-uploads.ts) restored by a `restore.apply` file job whose
//            input and output are files in the server's work folder, named by the server;
//   folder   the one folder the operator exposed (serve --folder), split into one `restore.apply`
//            job per file (splitFileJob), written to a new folder under the operator's output folder.
// Videos and folders go to the file-job runner: the in-process one (the embedded default) or the
// queue on Redis, whose workers run `restore.apply` as they run `img2img submit`'s jobs. Each page
// job has its own id and status; a folder's status adds up its parts (files done, the running
// parts' progress, files per second, ETA). Requests carry settings only (boxes, model, ...): no
// option names a path.
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { messageOf } from '../jobs/errors.js';
import { splitFileJob } from '../jobs/split.js';
import { FINAL_STATES, JobError, JOB_STATES, type JobProgress, type JobResult, type JobRunner, type JobState, type JobStatus, type ListOptions, type SubmitMeta } from '../jobs/types.js';
import { parseBox } from '../mosaic/shapes.js';
import type { RuntimeInput } from '../runtime/options.js';
import { partsDir } from '../video/pipeline.js';
import { hasRegion, parseJobOptions, restoreFields, type RestoreJobOptions } from './restore-job.js';
import type { VideoUploads } from './video-uploads.js';

export type ServerJobKind = 'restore' | 'video' | 'folder';

export interface ServerJobsOptions {
  /** Runs the image kind ('restore': upload and result in memory): an in-process runner. */
  local: JobRunner;
  /** Runs the file jobs ('restore.apply') of videos and folders: `local` itself, or a queue on Redis. */
  files: JobRunner;
  /** Uploaded videos (no video kind without). */
  uploads?: VideoUploads;
  /** Server-owned folder for the video results. */
  resultsDir: string;
  /** The folder the page may restore (read only) and where its results go (a new subfolder per job). */
  folder?: { input: string; output: string };
  /** Shipped restorers offered ('classical' is always there). */
  models: readonly string[];
  /** ONNX Runtime settings for the file jobs (in-process; a queue's workers use their own). */
  runtime?: RuntimeInput;
  /** Page jobs queued or running at once (more are refused with 429; default 16). */
  maxPending?: number;
  /** Finished page jobs kept (their video results too; default 32). */
  keepFinished?: number;
}

interface Part {
  runner: JobRunner;
  id: string;
  label: string;
  state: JobState;
  progress: JobProgress | null;
  status?: JobStatus;
}

interface PageJob {
  status: JobStatus;
  parts: Part[];
  /** Parts per state. */
  counts: Record<JobState, number>;
  running: Set<Part>;
  upload?: string;
  /** The uploaded video's file, which messages call "the video". */
  input?: string;
  /** The video result (a file in resultsDir). */
  output?: string;
  /** The folder job's output folder. */
  outDir?: string;
}

const zeroCounts = () => Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;

/** The restore.apply options of a page's restoration settings. */
function applyOptions(o: RestoreJobOptions, runtime: RuntimeInput | undefined): Record<string, unknown> {
  return {
    boxes: o.boxes, auto: o.auto, style: o.style, consistency: o.consistency, feather: o.feather, tolerance: o.tolerance,
    ...(o.model === 'classical' ? { method: 'classical' } : { method: 'model', model: o.model }),
    ...(runtime ? { runtime } : {}),
  };
}

/** A folder job's output folder name: the time it started (UTC), unique. */
function runName(n: number): string {
  return `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}-${n}`;
}

export class ServerJobs implements JobRunner {
  readonly events = new EventEmitter();
  private readonly jobs = new Map<string, PageJob>();
  private readonly finished: string[] = [];
  /** Parts not yet finished: runner -> part id -> its page job. */
  private readonly parts = new Map<JobRunner, Map<string, { job: PageJob; part: Part }>>();
  private readonly listeners: [JobRunner, (s: JobStatus) => void][] = [];
  private readonly videoSchema: z.ZodType<RestoreJobOptions & { upload: string }>;
  private readonly folderSchema: z.ZodType<RestoreJobOptions>;
  private folderRuns = 0;
  private closed = false;

  constructor(private readonly o: ServerJobsOptions) {
    this.events.setMaxListeners(0);
    const fields = restoreFields(o.models);
    this.videoSchema = z.object({ upload: z.uuid({ message: 'expected the id of an uploaded video' }), ...fields }).strict().refine(...hasRegion);
    this.folderSchema = z.object(fields).strict().refine(...hasRegion);
    for (const runner of new Set([o.local, o.files])) {
      this.parts.set(runner, new Map());
      const listener = (s: JobStatus) => {
        const ref = this.parts.get(runner)?.get(s.id);
        if (ref) this.update(ref.job, ref.part, s);
      };
      runner.events.on('update', listener);
      this.listeners.push([runner, listener]);
    }
  }

  kinds(): ServerJobKind[] {
    return ['restore', ...(this.o.uploads ? ['video' as const] : []), ...(this.o.folder ? ['folder' as const] : [])];
  }

  async submit(kind: string, options: unknown, meta: SubmitMeta = {}): Promise<string> {
    if (this.closed) throw new JobError(503, 'the server is shutting down');
    if (!(this.kinds() as string[]).includes(kind)) throw new JobError(404, `unknown job kind '${kind}' (known: ${this.kinds().join(', ')})`);
    const pending = [...this.jobs.values()].filter((j) => !FINAL_STATES.has(j.status.state)).length;
    if (pending >= (this.o.maxPending ?? 16)) throw new JobError(429, 'too many jobs waiting; try again later');
    if (kind !== 'restore' && meta.input) throw new JobError(400, `a ${kind} job takes its settings as JSON (upload a video to api/uploads first)`);
    const id = randomUUID();
    const job: PageJob = { status: { id, kind, state: 'queued', progress: null, createdAt: Date.now() }, parts: [], counts: zeroCounts(), running: new Set() };
    if (kind === 'restore') {
      await this.start(job, [{ runner: this.o.local, kind: 'restore', options, meta: { input: meta.input } }]);
    } else if (kind === 'video') {
      const o = this.parse(this.videoSchema, kind, options);
      const upload = this.o.uploads!.get(o.upload);
      if (!upload) throw new JobError(400, 'no such upload (uploads are kept for a while only): upload the video again');
      for (const b of o.boxes) {
        const box = parseBox(b);
        if (box.w < 1 || box.h < 1 || box.x + box.w > upload.width || box.y + box.h > upload.height) {
          throw new JobError(400, `box ${b} is outside the ${upload.width}x${upload.height} frame`);
        }
      }
      // In use from here on: a new upload does not push it out.
      upload.users++;
      job.upload = upload.id;
      job.input = upload.path;
      job.output = join(this.o.resultsDir, `${id}.mp4`);
      job.status.label = `video ${upload.width}x${upload.height}, ${upload.frames} frames`;
      const apply = { inputs: [upload.path], output: job.output, ...applyOptions(o, this.o.runtime) };
      try {
        await mkdir(this.o.resultsDir, { recursive: true, mode: 0o700 });
        await this.start(job, [{ runner: this.o.files, kind: 'restore.apply', options: apply, meta: { label: job.status.label } }]);
      } catch (err) {
        upload.users--;
        throw err;
      }
    } else {
      const o = this.parse(this.folderSchema, kind, options);
      const { input, output } = this.o.folder!;
      job.outDir = join(output, runName(++this.folderRuns));
      job.status.label = `folder ${input}`;
      const specs = await splitFileJob('restore.apply', { inputs: [input], output: job.outDir + sep, ...applyOptions(o, this.o.runtime) }).catch((err) => {
        throw new JobError(400, messageOf(err));
      });
      await this.start(job, specs.map((s) => ({ runner: this.o.files, kind: s.kind, options: s.options, meta: { label: s.label } })));
    }
    return id;
  }

  private parse<T>(schema: z.ZodType<T>, kind: string, options: unknown): T {
    try {
      return parseJobOptions(schema, kind, options);
    } catch (err) {
      throw new JobError(400, messageOf(err));
    }
  }

  /** Submits the parts (a failed submit cancels those already queued), then follows them. */
  private async start(job: PageJob, specs: { runner: JobRunner; kind: string; options: unknown; meta: SubmitMeta }[]): Promise<void> {
    const parts: Part[] = [];
    try {
      for (const s of specs) {
        const id = await s.runner.submit(s.kind, s.options, s.meta);
        parts.push({ runner: s.runner, id, label: s.meta.label ?? '', state: 'queued', progress: null });
      }
    } catch (err) {
      for (const p of parts) await p.runner.cancel(p.id).catch(() => false);
      throw err;
    }
    job.parts = parts;
    job.counts.queued = parts.length;
    job.status.progress = parts.length > 1 ? { done: 0, total: parts.length, text: `${parts.length} files` } : null;
    this.jobs.set(job.status.id, job);
    for (const p of parts) this.parts.get(p.runner)!.set(p.id, { job, part: p });
    this.emit(job);
    // Events that came before the parts were known: their statuses now.
    for (const p of parts) {
      const s = await p.runner.status(p.id).catch(() => undefined);
      if (s) this.update(job, p, s);
    }
  }

  /** A part's new status: the page job's status follows. */
  private update(job: PageJob, part: Part, s: JobStatus): void {
    if (FINAL_STATES.has(part.state)) return;
    job.counts[part.state]--;
    job.counts[s.state]++;
    part.state = s.state;
    part.progress = s.progress;
    part.status = s;
    if (s.state === 'running') job.running.add(part);
    else job.running.delete(part);
    if (FINAL_STATES.has(s.state)) this.parts.get(part.runner)?.delete(part.id);
    job.status.startedAt ??= s.startedAt ?? (s.state === 'queued' ? undefined : Date.now());
    if (job.status.kind === 'folder') this.batch(job);
    else this.single(job, s);
    if (FINAL_STATES.has(job.status.state)) void this.finish(job);
    this.emit(job);
  }

  /** One part: its status, under the page job's id and kind. */
  private single(job: PageJob, s: JobStatus): void {
    const { id, kind, label, createdAt } = job.status;
    const summary = s.summary && kind === 'video'
      ? { frames: s.summary.frames, regions: s.summary.regions, restored: s.summary.restored }
      : s.summary;
    job.status = {
      ...s, id, kind, createdAt, ...(label ? { label } : {}), ...(summary ? { summary } : {}),
      ...(s.state === 'cancelled' ? { error: 'cancelled' } : s.error ? { error: this.words(job, s.error) } : {}),
      progress: s.progress && s.progress.text ? { ...s.progress, text: this.words(job, s.progress.text) } : s.progress,
    };
  }

  /** A video job's message with the server's file names as words ("the video", "the result"). */
  private words(job: PageJob, text: string): string {
    if (!job.input || !job.output) return text;
    return text.split(job.input).join('the video').split(job.output).join('the result').split(basename(job.input)).join('the video');
  }

  /** Many parts (a folder): files done, the running ones' progress, files per second and ETA. */
  private batch(job: PageJob): void {
    const c = job.counts, n = job.parts.length, st = job.status;
    const finished = c.done + c.failed + c.cancelled;
    let done = finished;
    for (const p of job.running) if (p.progress && p.progress.total > 0) done += Math.min(1, p.progress.done / p.progress.total);
    const elapsed = st.startedAt ? (Date.now() - st.startedAt) / 1000 : 0;
    const rate = finished > 0 && elapsed > 0 ? finished / elapsed : undefined;
    const running = [...job.running].slice(0, 3).map((p) => this.relative(job, p.label)).join(', ');
    st.progress = {
      done, total: n, text: `${finished} of ${n} files${c.failed ? `, ${c.failed} failed` : ''}${running ? `; now ${running}` : ''}`,
      ...(rate ? { rate, etaSeconds: (n - finished) / rate } : {}),
    };
    st.state = finished === n ? (c.failed ? 'failed' : c.cancelled ? 'cancelled' : 'done') : c.running || finished ? 'running' : 'queued';
    if (st.state === 'queued') {
      const first = job.parts.find((p) => p.state === 'queued')?.status?.position;
      if (first !== undefined) st.position = first;
    } else delete st.position;
    if (finished < n) return;
    st.finishedAt = Date.now();
    const failures = job.parts.filter((p) => p.state === 'failed').map((p) => ({ file: this.relative(job, p.label), error: p.status?.error ?? 'failed' }));
    st.summary = { files: n, done: c.done, failed: c.failed, cancelled: c.cancelled, output: job.outDir, failures: failures.slice(0, 20) };
    if (failures.length) st.error = `${failures.length} of ${n} files failed: ${failures.slice(0, 3).map((f) => `${f.file}: ${f.error}`).join('; ')}${failures.length > 3 ? '; ...' : ''}`;
    else if (c.cancelled) st.error = 'cancelled';
  }

  private relative(job: PageJob, label: string): string {
    return this.o.folder && job.outDir ? relative(this.o.folder.input, label) || label : label;
  }

  /** A page job ended: its upload is free again, a failed video's files go, old jobs are dropped. */
  private async finish(job: PageJob): Promise<void> {
    if (this.finished.includes(job.status.id)) return;
    this.finished.push(job.status.id);
    if (job.upload) {
      const u = this.o.uploads?.get(job.upload);
      if (u) u.users--;
    }
    if (job.output && job.status.state !== 'done') await this.removeOutput(job.output);
    while (this.finished.length > (this.o.keepFinished ?? 32)) {
      const old = this.jobs.get(this.finished.shift()!);
      if (!old) continue;
      this.jobs.delete(old.status.id);
      if (old.output) await this.removeOutput(old.output);
    }
  }

  private async removeOutput(file: string): Promise<void> {
    await rm(file, { force: true });
    await rm(partsDir(file), { recursive: true, force: true });
  }

  private emit(job: PageJob): void {
    this.events.emit('update', { ...job.status });
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const j = this.jobs.get(id);
    return j ? { ...j.status } : undefined;
  }

  async list(o: ListOptions = {}): Promise<JobStatus[]> {
    const states = o.states ?? JOB_STATES;
    const all = [...this.jobs.values()].map((j) => ({ ...j.status }));
    return states.flatMap((state) => {
      const of = all.filter((s) => s.state === state);
      return (FINAL_STATES.has(state) ? of.reverse() : of).slice(0, o.limit ?? 50);
    });
  }

  async counts(): Promise<Record<JobState, number>> {
    const c = zeroCounts();
    for (const j of this.jobs.values()) c[j.status.state]++;
    return c;
  }

  /** Cancels the job's queued parts and asks its running ones to stop (a Redis worker's running part finishes). */
  async cancel(id: string): Promise<boolean> {
    const j = this.jobs.get(id);
    if (!j || FINAL_STATES.has(j.status.state)) return false;
    let any = false;
    for (const p of j.parts) if (!FINAL_STATES.has(p.state)) any = (await p.runner.cancel(p.id).catch(() => false)) || any;
    return any;
  }

  async result(id: string): Promise<JobResult | undefined> {
    const j = this.jobs.get(id);
    if (!j || j.status.state !== 'done') return undefined;
    if (j.status.kind === 'restore') return j.parts[0].runner.result?.(j.parts[0].id);
    if (j.status.kind === 'video' && j.output) return { contentType: 'video/mp4', filename: 'restored.mp4', file: j.output };
    return undefined;
  }

  /** Stops taking jobs and cancels the queued parts (the runners are the caller's to close). */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.jobs.values()) if (!FINAL_STATES.has(j.status.state)) await this.cancel(j.status.id);
    for (const [runner, listener] of this.listeners) runner.events.off('update', listener);
  }
}
