// A fuzz worker: runs the cases the parent sends (over IPC) one at a time and answers with the
// outcome and its peak memory. The parent kills it on a timeout or when it grows past the limit.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { probes } from './targets.js';
import type { Target } from './seeds.js';

export interface CaseMessage { id: number; target: Target; path: string }
export interface ResultMessage {
  id: number;
  /**
   * ok: the first probe (the parser) accepted the input; error: it threw a clear error naming the
   * input; unclear / escape: a probe failed (every probe runs; later ones only have to fail clearly).
   */
  outcome: 'ok' | 'error' | 'unclear' | 'escape';
  message?: string;
  ms: number;
  /** Peak RSS of this worker so far, MiB. */
  maxRssMb: number;
  /** Some probe (not only the first) threw a clear error. */
  anyError?: boolean;
}

const INTERNAL = ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError', 'AggregateError'];

/** Why an error is not a clear one, or null when it is. */
export function unclearReason(err: unknown, name: string): string | null {
  if (!(err instanceof Error)) return `threw a non-Error: ${String(err)}`;
  if (INTERNAL.includes(err.constructor.name) || INTERNAL.includes(err.name)) return `bare ${err.name}`;
  if (/Maximum call stack/i.test(err.message)) return 'stack overflow';
  if (!err.message.includes(name)) return 'message does not name the input';
  return null;
}

process.on('message', async (m: CaseMessage) => {
  const t0 = performance.now();
  const bytes = new Uint8Array(readFileSync(m.path));
  const name = basename(m.path);
  let outcome: ResultMessage['outcome'] = 'ok';
  let message: string | undefined;
  let anyError = false;
  const list = probes(m.target, m.path, bytes);
  for (let i = 0; i < list.length; i++) {
    try {
      await list[i]();
    } catch (err) {
      const e = err as Error & { escape?: boolean };
      if (e?.escape) {
        outcome = 'escape';
        message = e.message;
        break;
      }
      const why = unclearReason(err, name);
      if (why) {
        outcome = 'unclear';
        message = `${why}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 500);
        break;
      }
      anyError = true;
      if (i === 0) {
        outcome = 'error';
        message = e.message.slice(0, 300);
      }
    }
  }
  const reply: ResultMessage = { id: m.id, outcome, message, anyError, ms: performance.now() - t0, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  process.send!(reply);
});
process.send!({ ready: true });
