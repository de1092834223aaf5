// `npm run fuzz [-- --minutes N | --seconds N] [--seed S] [--workers N] [--memory-mb N] [--keep DIR]`:
// the fuzz suite, bounded by time and seeded (the same seed replays the same cases in the same
// order; how many depends on the time). Exits 1 when any case fails; --keep saves failing inputs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatResult, runFuzz } from './fuzz.js';
import { TARGETS, type Target } from './seeds.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    'memory-mb': { type: 'string', default: '1024' },
    'timeout-ms': { type: 'string', default: '10000' },
    cases: { type: 'string' },
    target: { type: 'string', multiple: true },
    keep: { type: 'string' },
    'show-errors': { type: 'boolean', default: false },
  },
});
const seconds = values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes ?? 1) * 60;
const targets = (values.target ?? [...TARGETS]) as Target[];
for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`unknown target ${t}; use ${TARGETS.join(', ')}`);
const r = await runFuzz({
  seed: Number(values.seed), seconds, workers: Number(values.workers), memoryMb: Number(values['memory-mb']),
  timeoutMs: Number(values['timeout-ms']), maxCases: values.cases !== undefined ? Number(values.cases) : undefined,
  workDir: mkdtempSync(join(tmpdir(), 'img2img-fuzz-')), keepFailures: values.keep, targets, log: (l) => console.log(l),
});
console.log(formatResult(r));
if (values['show-errors']) for (const [t, l] of Object.entries(r.sampleErrors)) console.log(`\n${t}:\n  ${l.join('\n  ')}`);
const refused = (h: (typeof r.hostile)[number]) => (h.outcome === 'ok' && h.anyError ? 'parsed, then refused by a loader' : h.outcome === 'error' ? 'refused' : h.outcome);
console.log(`\nhand-made cases: ${r.hostile.map((h) => `${h.label}: ${refused(h)}`).join('; ')}`);
process.exitCode = r.failures.length ? 1 : 0;
