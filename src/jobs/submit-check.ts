// What every runner checks when a job is submitted, before it is queued: the runner is open, the
// kind is known, an upload is there exactly when the kind takes one (and the runner can carry it),
// and the handler accepts the options (prepare). Failures are JobErrors with their HTTP status.
import { messageOf } from './errors.js';
import { JobError, type JobHandler, type SubmitMeta } from './types.js';

export interface SubmitCheck {
  handlers: Record<string, JobHandler<any>>;
  closed: boolean;
  /** Folder relative paths are resolved against. */
  cwd: string;
  /** Whether this runner carries uploads (in memory); a queue on Redis does not. */
  takesInput: boolean;
}

/** The kind's handler and its options as queued; throws a JobError saying why not. */
export function checkSubmit(c: SubmitCheck, kind: string, options: unknown, meta: SubmitMeta = {}): { handler: JobHandler<any>; options: Record<string, unknown> } {
  if (c.closed) throw new JobError(503, 'the job runner is closed');
  const handler = Object.hasOwn(c.handlers, kind) ? c.handlers[kind] : undefined;
  if (!handler) throw new JobError(404, `unknown job kind '${kind}' (known: ${Object.keys(c.handlers).join(', ')})`);
  if (handler.needsInput && !c.takesInput) throw new JobError(400, `a ${kind} job takes an upload, which this runner cannot carry`);
  if (handler.needsInput && !meta.input) throw new JobError(400, `a ${kind} job needs an uploaded file`);
  if (!handler.needsInput && meta.input) throw new JobError(400, `a ${kind} job takes no upload`);
  try {
    return { handler, options: handler.prepare(options, c.cwd) };
  } catch (err) {
    throw new JobError(400, messageOf(err));
  }
}
