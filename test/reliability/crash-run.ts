// `npm run crash-test [-- --seed N --delay-runs N --point-runs saves|N --kills-per-run N]`: the long
// crash test. By default one run per crash point inside a save (every one: the staged writes,
// the commit, each rename), 20 runs killed after a random delay, and 10 runs killed twice at
// random crash points; each resumed and compared bit-for-bit with an uninterrupted run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCrashSuite, type CrashRunRecord } from './crash-harness.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    'delay-runs': { type: 'string', default: '20' },
    'point-runs': { type: 'string', default: 'saves' },
    'random-point-runs': { type: 'string', default: '10' },
    'kills-per-run': { type: 'string', default: '2' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'img2img-crash-'));
const log = (l: string) => console.log(l);
try {
  const seed = Number(values.seed);
  const killsPerRun = Number(values['kills-per-run']);
  const pointRuns = values['point-runs'] === 'saves' ? 'saves' : Number(values['point-runs']);
  const a = await runCrashSuite({ dir, seed, pointRuns, delayRuns: Number(values['delay-runs']), killsPerRun: 1, log });
  const b = await runCrashSuite({ dir, seed: seed + 1, pointRuns: Number(values['random-point-runs']), delayRuns: 0, killsPerRun, log });
  const runs: CrashRunRecord[] = [...a.runs, ...b.runs];
  const kills = runs.reduce((n, r) => n + r.kills.length, 0);
  const bad = runs.filter((r) => !r.identical);
  console.log(`\n${runs.length} runs, ${kills} kills (${a.savePoints} crash points inside saves, ${a.points} in all), `
    + `${runs.filter((r) => r.mode === 'delay' && r.kills.length).length} random-delay kills landed; `
    + `${runs.length - bad.length} bit-identical, ${bad.length} different; ${(a.seconds + b.seconds).toFixed(0)} s`);
  process.exitCode = bad.length ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
