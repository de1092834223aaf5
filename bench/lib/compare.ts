// Shared by the training benches: each case runs in its own process on each side (so each peak
// RSS is that case's), PyTorch at 1 thread and at all cores with the faster kept (on 2 shared
// cores OpenMP's spinning sometimes makes 2 threads slower than 1), and the ratios printed.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { runTorch } from './pytorch.js';

export const arg = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);

/** img2img's threads (default: all cores, ORT's default). */
export const benchThreads = (): number => Number(arg('--threads') ?? availableParallelism());

export interface TorchResult { threads: number; peakRssMB: number; values: Record<string, number> }

/**
 * Runs a PyTorch bench script on one case at 1 thread and at all cores, each in its own process.
 * `key` is the value compared (the smaller wins); every value of the winning run is kept.
 */
export function torchBest(script: string, testCase: unknown, key: string): { best: TorchResult | null; all: TorchResult[]; version: string } {
  const all: TorchResult[] = [];
  let version = 'n/a';
  for (const threads of [...new Set([1, availableParallelism()])]) {
    const r = runTorch<{ torch: string; peakRssMB: number; results: Record<string, number>[] }>(script, [testCase], [String(threads)]);
    if (!r) continue;
    version = r.torch;
    all.push({ threads, peakRssMB: r.peakRssMB, values: r.results[0] });
  }
  const best = all.reduce<TorchResult | null>((b, r) => (!b || r.values[key] < b.values[key] ? r : b), null);
  return { best, all, version };
}

/** Runs this script again as a child for one case (`--child NAME`): its JSON result and peak RSS. */
export function runChild<T>(script: string, caseName: string, extra: string[] = []): T & { peakRssMB: number } {
  const r = spawnSync(process.execPath, [...process.execArgv, script, '--child', caseName, ...extra], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`bench child for ${caseName} failed (status ${r.status})`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T & { peakRssMB: number };
}

/** For a child: prints its result with the process's peak RSS, as the last line. */
export function childResult(values: Record<string, number>): void {
  console.log(JSON.stringify({ ...values, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
}

export const ratio = (a: number, b?: number) => (b ? `${(a / b).toFixed(2)}x` : '-');

/** Prints rows as a Markdown table (paste into the README). */
export function table(head: string[], rows: (string | number)[][]): void {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

/**
 * A training bench's entry point. Run as a child (`--child NAME`), it runs that case's `child` and
 * returns null; otherwise it runs each case (those whose name contains `--only`'s value, if given)
 * in its own child process and returns one table row per case from `row`.
 */
export async function benchCases<C extends { name: string }, R>(
  script: string,
  cases: readonly C[],
  child: (c: C) => Promise<void>,
  row: (c: C, ours: R & { peakRssMB: number }) => (string | number)[],
): Promise<(string | number)[][] | null> {
  const childCase = arg('--child');
  if (childCase) {
    const c = cases.find((k) => k.name === childCase);
    if (!c) throw new Error(`no bench case named ${childCase}`);
    await child(c);
    return null;
  }
  const only = arg('--only');
  return cases.filter((c) => !only || c.name.includes(only)).map((c) => row(c, runChild<R>(script, c.name, ['--threads', String(benchThreads())])));
}
