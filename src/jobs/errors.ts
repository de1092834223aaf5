// Which job failures are worth a retry. Transient: the network or the file system said "not now"
// (a reset connection, a full disk, a stale NFS handle, too many open files). Everything else (bad
// options, a missing or broken input, a region outside the image) fails the same way every time,
// so the job fails at once with its message.

/** System error codes that may go away on their own (on the worker's machine or the shared folder). */
export const TRANSIENT_CODES = [
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH',
  'ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE', 'EBUSY', 'EAGAIN', 'ESTALE', 'EIO', 'ENOMEM',
] as const;

const codePattern = new RegExp(`\\b(${TRANSIENT_CODES.join('|')})\\b`);

/**
 * Whether `err` (or an error in its `cause` chain) is transient: its `code` is one of
 * TRANSIENT_CODES, or its message names one (the jobs reword errors to name the file, which drops
 * `code` but keeps Node's "ENOSPC: no space left on device, write" text).
 */
export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_CODES as readonly string[]).includes(code)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && codePattern.test(message)) return true;
  }
  return false;
}

/** The message of any thrown value. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
