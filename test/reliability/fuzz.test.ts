// Issue 17: the short seeded fuzz run of `npm test`: 160 cases (about 10 s on a quiet machine,
// capped at 60 s on a busy one). The hand-made hostile inputs of the review are replayed first,
// then seeded mutations of every format, each case in a worker process with a time and a memory
// limit. `npm run fuzz -- --minutes N` is the long run
// (docs/reliability.md has its figures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatResult, runFuzz } from '../fuzz/fuzz.js';
import { TARGETS } from '../fuzz/seeds.js';
import { tempDir } from '../helpers/tiny-datasets.js';

test('fuzz: hostile and mutated inputs give clear errors within time and memory limits', async () => {
  const seed = Number(process.env.IMG2IMG_FUZZ_SEED ?? 1);
  const r = await runFuzz({ seed, seconds: 60, maxCases: Number(process.env.IMG2IMG_FUZZ_CASES ?? 160), workers: 2, workDir: tempDir('fuzz') });
  assert.deepEqual(r.failures, [], formatResult(r));
  assert.ok(r.cases >= 100, `only ${r.cases} cases ran in 60 s\n${formatResult(r)}`);
  for (const t of TARGETS) assert.ok(Object.values(r.byTarget[t] ?? {}).reduce((a, b) => a + b, 0) >= 5, `few ${t} cases`);
  const refused = (label: string) => {
    const h = r.hostile.find((x) => x.label === label);
    assert.ok(h && (h.outcome === 'error' || h.anyError), `${label}: ${h?.outcome}`);
  };
  for (const label of ['../ traversal', 'PAX path traversal', 'GNU long-name traversal', 'zip ../ entry', 'zip bomb (128 MiB of zeros)',
    'stride-0 view (1.6 GB)', 'self-referencing list', 'lists nested 100,000 deep', 'overlapping offsets', 'absurd ngf', 'absurd numDowns',
    'PNG claiming 16383 x 16383', 'ragged initializer']) refused(label);
});
