// The fuzz suite (issue 17): seeded mutations of every file format img2img reads (safetensors,
// .pth, ONNX, PNG/JPEG, tar.gz/zip dataset archives), plus the review's hand-made hostile inputs,
// each run in a worker process with a time limit and a memory limit. A case fails when a loader
// throws an unclear error (a bare TypeError/RangeError, a stack overflow, a message that does not
// name the input), writes outside its folder, runs past the time limit, grows past the memory
// limit, or crashes the process. (The video container probe joins the targets once video exists.)
import { fork, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/util/rng.js';
import { mutateBytes, mutateOnnx, mutatePng, mutatePth, mutateSafetensors, mutateTarGz } from './mutate.js';
import { EXTENSION, hostileCorpus, seedCorpus, TARGETS, type Target } from './seeds.js';
import type { CaseMessage, ResultMessage } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export type Outcome = ResultMessage['outcome'] | 'timeout' | 'memory' | 'crash';
export const FAILURES: readonly Outcome[] = ['unclear', 'escape', 'timeout', 'memory', 'crash'];

export interface FuzzOptions {
  seed: number;
  /** Stop generating cases after this long. */
  seconds: number;
  /** Or after this many cases (hand-made ones included). */
  maxCases?: number;
  /** Worker processes (default 2). */
  workers?: number;
  /** Per-case time limit (default 10 s). */
  timeoutMs?: number;
  /** Per-worker peak RSS limit (default 1024 MiB; the bugs fixed allocated 1-3 GB). */
  memoryMb?: number;
  /** Scratch folder (created; removed at the end). */
  workDir: string;
  /** Failing inputs are copied here with their outcome (default: not kept). */
  keepFailures?: string;
  /** Only these targets (default all). */
  targets?: readonly Target[];
  log?: (line: string) => void;
}

export interface CaseRecord { id: number; target: Target; label: string; outcome: Outcome; message?: string; ms: number; anyError?: boolean }

export interface FuzzResult {
  seed: number;
  cases: number;
  seconds: number;
  /** Outcome counts per target. */
  byTarget: Record<string, Record<string, number>>;
  failures: CaseRecord[];
  /** The hand-made cases and their outcomes. */
  hostile: CaseRecord[];
  maxCaseMs: number;
  maxRssMb: number;
  /** A few distinct clear error messages per target (the input's name replaced by CASE). */
  sampleErrors: Record<string, string[]>;
}

const MUTATORS: Record<Target, (b: Uint8Array, rng: Rng, other?: Uint8Array) => Uint8Array> = {
  safetensors: mutateSafetensors, pth: mutatePth, onnx: mutateOnnx, png: mutatePng, jpeg: mutateBytes, 'tar.gz': mutateTarGz, zip: mutateBytes, video: mutateBytes,
};

interface Worker { proc: ChildProcess; busy?: { c: CaseMessage; label: string; timer: NodeJS.Timeout; killedFor?: Outcome } }

/** Runs the suite; see the module comment. Never throws for a failing case (they are in the result). */
export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const t0 = Date.now();
  const log = o.log ?? (() => undefined);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const memoryMb = o.memoryMb ?? 1024;
  const targets = o.targets ?? TARGETS;
  mkdirSync(o.workDir, { recursive: true });
  if (o.keepFailures) mkdirSync(o.keepFailures, { recursive: true });
  const seeds = await seedCorpus();
  const hostile = (await hostileCorpus()).filter((h) => targets.includes(h.target));
  const records: CaseRecord[] = [];
  let maxRssMb = 0;
  let nextId = 0;
  const deadline = Date.now() + o.seconds * 1000; // the corpus is built; the time budget is for cases

  /** Case `id`: a hand-made one, or a mutation of a seed chosen from (seed, id). */
  const makeCase = (id: number): { target: Target; label: string; bytes: Uint8Array } => {
    if (id < hostile.length) return hostile[id];
    const k = id - hostile.length;
    const target = targets[k % targets.length];
    const rng = new Rng((o.seed * 1_000_003 + k * 7919) % 2 ** 31);
    const pool = seeds[target];
    const base = pool[rng.int(pool.length)];
    const other = pool[rng.int(pool.length)];
    let bytes: Uint8Array;
    try {
      bytes = MUTATORS[target](base, rng, other);
      if (rng.random() < 0.25) bytes = MUTATORS[target](bytes, rng, other); // stacked mutations
    } catch {
      bytes = mutateBytes(base, rng, other); // a format-aware mutator tripped on its own input
    }
    return { target, label: `mutation ${k}`, bytes };
  };

  const more = () => Date.now() < deadline && (o.maxCases === undefined || nextId < o.maxCases);

  await new Promise<void>((done) => {
    const workers: Worker[] = [];
    let active = 0;
    const finish = (w: Worker, outcome: Outcome, message: string | undefined, ms: number, anyError?: boolean) => {
      const b = w.busy!;
      clearTimeout(b.timer);
      w.busy = undefined;
      const rec: CaseRecord = { id: b.c.id, target: b.c.target, label: b.label, outcome, ...(message ? { message } : {}), ms: Math.round(ms), ...(anyError ? { anyError } : {}) };
      records.push(rec);
      if (FAILURES.includes(outcome)) {
        log(`FAIL case ${rec.id} (${rec.target}, ${rec.label}): ${outcome}${message ? `: ${message}` : ''}`);
        if (o.keepFailures) {
          const stem = join(o.keepFailures, `seed${o.seed}-case${rec.id}`);
          copyFileSync(b.c.path, stem + EXTENSION[rec.target]);
          writeFileSync(`${stem}.json`, JSON.stringify(rec, null, 1));
        }
      }
      rmSync(b.c.path, { force: true });
      rmSync(`${b.c.path}.out`, { recursive: true, force: true });
    };
    const dispatch = (w: Worker) => {
      if (!more()) {
        w.proc.kill('SIGKILL');
        return;
      }
      const id = nextId++;
      const c = makeCase(id);
      const path = join(o.workDir, `case${id}${EXTENSION[c.target]}`);
      writeFileSync(path, c.bytes);
      const msg: CaseMessage = { id, target: c.target, path };
      const timer = setTimeout(() => {
        w.busy!.killedFor = 'timeout';
        w.proc.kill('SIGKILL');
      }, timeoutMs);
      w.busy = { c: msg, label: c.label, timer };
      w.proc.send(msg);
    };
    const spawnWorker = () => {
      const proc = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      proc.stderr?.resume();
      const w: Worker = { proc };
      workers.push(w);
      active++;
      const poll = setInterval(() => {
        const rss = rssMb(proc.pid);
        if (rss !== null) maxRssMb = Math.max(maxRssMb, rss);
        if (rss !== null && rss > memoryMb && w.busy && !w.busy.killedFor) {
          w.busy.killedFor = 'memory';
          proc.kill('SIGKILL');
        }
      }, 50);
      proc.on('message', (m: ResultMessage | { ready: true }) => {
        if ('ready' in m) {
          dispatch(w);
          return;
        }
        maxRssMb = Math.max(maxRssMb, m.maxRssMb);
        if (m.maxRssMb > memoryMb) {
          finish(w, 'memory', `peak RSS ${m.maxRssMb.toFixed(0)} MiB`, m.ms);
          proc.kill('SIGKILL'); // the peak is sticky: a fresh worker takes the next case
          return;
        }
        finish(w, m.outcome, m.message, m.ms, m.anyError);
        dispatch(w);
      });
      proc.on('exit', (code, signal) => {
        clearInterval(poll);
        active--;
        if (w.busy) {
          const why = w.busy.killedFor ?? 'crash';
          finish(w, why, why === 'crash' ? `worker exited (${signal ?? code})` : why === 'timeout' ? `over ${timeoutMs} ms` : `over ${memoryMb} MiB`, why === 'timeout' ? timeoutMs : 0);
        }
        if (more()) spawnWorker();
        else if (active === 0) done();
      });
    };
    for (let i = 0; i < (o.workers ?? 2); i++) spawnWorker();
  });

  rmSync(o.workDir, { recursive: true, force: true });
  records.sort((a, b) => a.id - b.id);
  const byTarget: FuzzResult['byTarget'] = {};
  for (const r of records) {
    const t = (byTarget[r.target] ??= {});
    t[r.outcome] = (t[r.outcome] ?? 0) + 1;
  }
  const sampleErrors: Record<string, string[]> = {};
  for (const r of records) {
    if (r.outcome !== 'error' || !r.message) continue;
    const list = (sampleErrors[r.target] ??= []);
    const m = r.message.replace(/\S*case\d+\.[\w.]+/g, 'CASE').replace(/\d{3,}/g, 'N').slice(0, 120);
    if (list.length < 8 && !list.includes(m)) list.push(m);
  }
  return {
    sampleErrors,
    seed: o.seed,
    cases: records.length,
    seconds: (Date.now() - t0) / 1000,
    byTarget,
    failures: records.filter((r) => FAILURES.includes(r.outcome)),
    hostile: records.filter((r) => r.id < hostile.length),
    maxCaseMs: Math.max(0, ...records.filter((r) => r.outcome !== 'timeout').map((r) => r.ms)),
    maxRssMb,
  };
}

function rssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** A table of the result for logs and docs. */
export function formatResult(r: FuzzResult): string {
  const outcomes: Outcome[] = ['ok', 'error', ...FAILURES];
  const rows = Object.entries(r.byTarget).map(([t, c]) => `| ${t} | ${Object.values(c).reduce((a, b) => a + b, 0)} | ${outcomes.map((k) => c[k] ?? 0).join(' | ')} |`);
  return [
    `seed ${r.seed}: ${r.cases} cases in ${r.seconds.toFixed(0)} s, ${r.failures.length} failures; slowest case ${r.maxCaseMs} ms, peak worker RSS ${r.maxRssMb.toFixed(0)} MiB`,
    '',
    `| target | cases | ${outcomes.join(' | ')} |`,
    `| --- | --- | ${outcomes.map(() => '---').join(' | ')} |`,
    ...rows,
  ].join('\n');
}
