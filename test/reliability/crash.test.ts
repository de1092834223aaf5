// Issue 17, item 2: the short crash test of `npm test`. A tiny pix2pix run is killed with SIGKILL
// inside a checkpoint save (a seeded choice among the saves' crash points), inside the epoch-2
// save (which once came after 'latest', so a kill there lost the epoch's checkpoint for good) and
// after a random delay, resumed, and must end bit-identical to an uninterrupted run. The long version
// (`npm run crash-test`: every crash point of every save plus 20 random-delay runs) is in
// docs/reliability.md with its figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { runCrashSuite } from './crash-harness.js';
import { tempDir } from '../helpers/tiny-datasets.js';

test('killed inside saves and at a random moment, training resumes to a bit-identical end', async () => {
  const dir = tempDir('crash');
  try {
    const seed = Number(process.env.IMG2IMG_CRASH_SEED ?? 17);
    const r = await runCrashSuite({ dir, seed, pointRuns: 1, delayRuns: 1, killsPerRun: 1, namedPoints: [/^save 2: staged 2_net_G/] });
    assert.ok(r.savePoints >= 20, `only ${r.savePoints} crash points inside saves`);
    assert.equal(r.runs.length, 3);
    assert.equal(r.runs[0].kills.length, 1, 'the kill inside a save happened');
    assert.equal(r.runs[1].kills.length, 1, 'the kill inside the epoch save happened');
    for (const run of r.runs) assert.ok(run.identical, `${run.mode} run killed at ${run.kills.join(', ')}: ${run.differs}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
