// Crash points for the crash tests (test/reliability/crash-*.ts): with IMG2IMG_CRASH_AT=N in the
// environment the process kills itself with SIGKILL at the N-th point it passes (inside every
// checkpoint save, after every training step, inside every atomic write); with
// IMG2IMG_CRASH_TRACE=FILE it appends each point's number and name there. Without either
// variable a point costs one comparison.
import { appendFileSync } from 'node:fs';

const at = Number(process.env.IMG2IMG_CRASH_AT ?? 0) || 0;
const trace = process.env.IMG2IMG_CRASH_TRACE;
let passed = 0;

/** Marks a point where a kill -9 must leave a state the next run can resume from. */
export function crashPoint(name: string): void {
  if (!at && !trace) return;
  passed++;
  if (trace) appendFileSync(trace, `${passed} ${name}\n`);
  if (passed === at) process.kill(process.pid, 'SIGKILL');
}
