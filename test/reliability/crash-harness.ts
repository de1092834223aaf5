// The crash test (issue 17): a tiny pix2pix run is killed with SIGKILL, at crash points
// (IMG2IMG_CRASH_AT: inside every checkpoint save, after steps, inside atomic writes) or after a
// random delay, then resumed (--continue-train when a checkpoint was committed, --overwrite when
// none was), possibly several times, and must end bit-identical to an uninterrupted run: every
// network, training-state and manifest file and the loss log.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeAlignedDataset } from '../helpers/tiny-datasets.js';
import { Rng } from '../../src/util/rng.js';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

export interface CrashSuiteOptions {
  /** Work folder (created; the caller removes it). */
  dir: string;
  seed: number;
  /** Kills at crash points: 'saves' = one run per point inside a save (every one), else this many runs at random points. */
  pointRuns: 'saves' | number;
  /** Runs killed after a random delay (between crash points too). */
  delayRuns: number;
  /** Kills per run before it may finish (default 2). */
  killsPerRun?: number;
  /** Also one run killed at the first crash point whose name matches each of these. */
  namedPoints?: RegExp[];
  log?: (line: string) => void;
}

export interface CrashRunRecord {
  mode: 'point' | 'delay';
  /** Crash points (or delays in ms) of each kill, in order. */
  kills: (number | string)[];
  /** Processes started, the last one finishing. */
  processes: number;
  identical: boolean;
  /** The first file that differs, if any. */
  differs?: string;
}

export interface CrashSuiteResult {
  /** Crash points an uninterrupted run passes, and those inside saves. */
  points: number;
  savePoints: number;
  runs: CrashRunRecord[];
  seconds: number;
}

const runOptions = (dataroot: string, checkpointsDir: string, name: string) => ({
  dataroot, checkpointsDir, name, model: 'pix2pix', netG: 'unet_128', ngf: 4, ndf: 4, loadSize: 136, cropSize: 128,
  nEpochs: 2, nEpochsDecay: 1, saveEpochFreq: 2, seed: 7, runtime: { threads: 1 },
});

interface ChildExit { code: number | null; signal: NodeJS.Signals | null; stderr: string }

function runChild(options: object, env: Record<string, string>, killAfterMs?: number): Promise<ChildExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(options)], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

/** What the comparison covers: every checkpoint file, manifest and the loss log. */
function resultFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /(_net_.+\.safetensors|_train_state\.safetensors|_checkpoint\.json|^loss_log\.jsonl)$/.test(f)).sort();
}

function compare(ref: string, got: string): string | undefined {
  const a = resultFiles(ref);
  const b = resultFiles(got);
  if (a.join() !== b.join()) return `file lists differ: [${a.join(', ')}] vs [${b.join(', ')}]`;
  for (const f of a) if (!readFileSync(join(ref, f)).equals(readFileSync(join(got, f)))) return f;
  const leftovers = readdirSync(got).filter((f) => f.startsWith('.'));
  if (leftovers.length) return `leftover temp files: ${leftovers.join(', ')}`;
  return undefined;
}

/** Runs the suite; throws only on harness failures (a run that is not identical is recorded, not thrown). */
export async function runCrashSuite(o: CrashSuiteOptions): Promise<CrashSuiteResult> {
  const t0 = Date.now();
  const log = o.log ?? (() => undefined);
  const data = join(o.dir, 'data');
  const ck = join(o.dir, 'ck');
  mkdirSync(ck, { recursive: true });
  if (!existsSync(data)) await makeAlignedDataset(data, 3, 128);

  // The uninterrupted run, with its crash points traced.
  const tracePath = join(o.dir, 'reference.trace');
  rmSync(tracePath, { force: true });
  const refStart = Date.now();
  const ref = await runChild({ ...runOptions(data, ck, 'reference'), overwrite: true }, { IMG2IMG_CRASH_TRACE: tracePath });
  if (ref.code !== 0) throw new Error(`the uninterrupted run failed: ${ref.stderr}`);
  const refMs = Date.now() - refStart;
  const trace = readFileSync(tracePath, 'utf8').trim().split('\n').map((l) => l.slice(l.indexOf(' ') + 1));
  // Inside a save: its staged writes, the commit, the renames (and the atomic writes they make).
  const inSave = trace.map((name, i) => ({ name, at: i + 1 })).filter((p, i) =>
    p.name.startsWith('save ') || (p.name.startsWith('write ') && (trace[i + 1] ?? '').startsWith('save ')) || /^write .+_checkpoint\.json$/.test(p.name));
  log(`uninterrupted run: ${trace.length} crash points, ${inSave.length} inside saves, ${(refMs / 1000).toFixed(1)} s`);
  const rng = new Rng(o.seed);
  const runs: CrashRunRecord[] = [];
  const refDir = join(ck, 'reference');

  const oneRun = async (index: number, mode: 'point' | 'delay', firstKill: number | undefined): Promise<void> => {
    const name = `run${index}`;
    rmSync(join(ck, name), { recursive: true, force: true });
    const kills: (number | string)[] = [];
    let processes = 0;
    const maxKills = o.killsPerRun ?? 2;
    for (;;) {
      // (the state file is only ever renamed into place after its set was committed)
      const resume = existsSync(join(ck, name, 'latest_checkpoint.json')) || existsSync(join(ck, name, 'latest_train_state.safetensors'));
      const opts = { ...runOptions(data, ck, name), ...(resume ? { continueTrain: true } : { overwrite: true }) };
      const killing = kills.length < maxKills;
      let env: Record<string, string> = {};
      let delay: number | undefined;
      if (killing && mode === 'point') {
        const at = kills.length === 0 && firstKill !== undefined ? firstKill : 1 + rng.int(trace.length);
        env = { IMG2IMG_CRASH_AT: String(at) };
        kills.push(`${at}:${trace[at - 1] ?? '?'}`);
      } else if (killing) {
        delay = Math.round(refMs * (0.2 + 0.8 * rng.random())); // anywhere from start-up to the end
        kills.push(`${delay}ms`);
      }
      processes++;
      const r = await runChild(opts, env, delay);
      if (r.code === 0) {
        if (killing) kills.pop(); // finished before the kill came
        break;
      }
      if (r.signal !== 'SIGKILL') throw new Error(`${name} failed (exit ${r.code}) after kills ${kills.join(', ')}:\n${r.stderr}`);
      if (processes > maxKills + 2) throw new Error(`${name} did not finish`);
    }
    const differs = compare(refDir, join(ck, name));
    runs.push({ mode, kills, processes, identical: differs === undefined, ...(differs ? { differs } : {}) });
    log(`${name} (${mode}): killed at ${kills.join(', ') || 'nothing (finished first)'}; ${processes} processes; ${differs ? `DIFFERS: ${differs}` : 'bit-identical'}`);
    rmSync(join(ck, name), { recursive: true, force: true });
  };

  let index = 0;
  if (o.pointRuns === 'saves') {
    for (const p of inSave) await oneRun(index++, 'point', p.at);
  } else {
    for (let i = 0; i < o.pointRuns; i++) await oneRun(index++, 'point', inSave.length && i % 2 === 0 ? inSave[rng.int(inSave.length)].at : undefined);
  }
  for (const re of o.namedPoints ?? []) {
    const at = trace.findIndex((name) => re.test(name));
    if (at < 0) throw new Error(`no crash point matches ${re}`);
    await oneRun(index++, 'point', at + 1);
  }
  for (let i = 0; i < o.delayRuns; i++) await oneRun(index++, 'delay', undefined);
  return { points: trace.length, savePoints: inSave.length, runs, seconds: (Date.now() - t0) / 1000 };
}
