// The 2-D GAN demo learns its target: the sliced Wasserstein distance of the trained generator
// is a small fraction of the untrained one's, and the conditional GAN keeps its classes apart.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { Gan2d, runGan2d } from '../../src/demo/gan2d.js';
import { shapeSampler } from '../../src/demo/shapes2d.js';
import { Step } from '../../src/runtime/step.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gan2d-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const head = async (path: string, n: number) => [...(await readFile(path)).subarray(0, n)];

/** Counts Step compilations and runs per compiled Step while `fn` runs. */
async function countingSteps<T>(fn: () => Promise<T>): Promise<{ result: T; steps: Step[]; runs: Map<Step, number> }> {
  const compile = Step.compile;
  const run = Step.prototype.run;
  const steps: Step[] = [];
  const runs = new Map<Step, number>();
  Step.compile = async (...args) => {
    const s = await compile.apply(Step, args);
    steps.push(s);
    return s;
  };
  Step.prototype.run = function (this: Step, ...args) {
    runs.set(this, (runs.get(this) ?? 0) + 1);
    return run.apply(this, args);
  };
  try {
    return { result: await fn(), steps, runs };
  } finally {
    Step.compile = compile;
    Step.prototype.run = run;
  }
}

// Small enough for CI: 64-wide MLPs, batches of 128, single-threaded ORT (deterministic).
const small = { hidden: 64, batchSize: 128, runtime: { threads: 1 } };

test('GAN on 8 gaussians: final sliced Wasserstein < 0.3 x initial; one D and one G graph run per step; frames and GIF', async () => {
  const steps = 600;
  const out = join(dir, 'plain');
  const { result: r, steps: compiled, runs } = await countingSteps(() => runGan2d({ ...small, targets: [shapeSampler('8gaussians')], steps, seed: 0, frames: 200, gif: true, out }));
  // Measured (seed 0): 0.448 -> 0.064 (x0.14); two independent 1000-point samples of the target are ~0.05 apart.
  const [initial, final] = [r.swdInitial[0], r.swdFinal[0]];
  assert.ok(initial > 0.3, `initial SWD ${initial}`);
  assert.ok(final < 0.3 * initial, `final SWD ${final} vs initial ${initial}`);
  assert.ok(final < 0.12, `final SWD ${final}`);
  assert.equal(r.history.length, 4);

  // Compiled once: D step, G step, sampler; each iteration runs the D graph once and the G graph once.
  assert.equal(compiled.length, 3);
  const [dStep, gStep, sampler] = compiled;
  assert.equal(runs.get(dStep), steps);
  assert.equal(runs.get(gStep), steps);
  assert.equal(runs.get(sampler), r.history.length);

  assert.deepEqual(r.frames, ['000000', '000200', '000400', '000600'].map((s) => join(out, `frame-${s}.png`)));
  for (const f of [...r.frames, r.summary!]) assert.deepEqual(await head(f, 8), PNG, f);
  assert.equal(Buffer.from(await head(r.gif!, 6)).toString('latin1'), 'GIF89a');
  const gif = await sharp(r.gif!, { animated: true }).metadata();
  assert.equal(gif.pages, 4);
  assert.equal(gif.width, (await sharp(r.frames[0]).metadata()).width);
});

test('conditional GAN (ring | moons): each class ends far closer to its own target than to the other', async () => {
  const r = await runGan2d({ ...small, targets: [shapeSampler('ring'), shapeSampler('moons')], steps: 800, seed: 0 });
  // Measured (seed 0): own 0.028 / 0.033, other 0.133 / 0.132; initial 0.445 / 0.323.
  for (let c = 0; c < 2; c++) {
    assert.ok(r.swdFinal[c] < 0.3 * r.swdInitial[c], `class ${c}: ${r.swdFinal[c]} vs initial ${r.swdInitial[c]}`);
    assert.ok(r.swdCross[c][c] < 0.5 * r.swdCross[c][1 - c], `class ${c}: own ${r.swdCross[c][c]}, other ${r.swdCross[c][1 - c]}`);
  }
  assert.equal(r.summary, undefined); // no out folder, nothing written
});

test('Gan2d checks its configuration and batch size', async () => {
  await assert.rejects(Gan2d.create({ classes: 3, batchSize: 2 }), /batch-size 2 is smaller than the number of classes \(3\)/);
  await assert.rejects(Gan2d.create({ classes: 1, hidden: 0 }), /hidden must be a positive integer/);
  await assert.rejects(runGan2d({ targets: [shapeSampler('ring')], frames: 10 }), /need an output folder/);
  const gan = await Gan2d.create({ classes: 2, hidden: 8, batchSize: 5, evalPoints: 3, runtime: { threads: 1 } });
  try {
    assert.deepEqual(gan.batchBlocks, [{ start: 0, count: 2 }, { start: 2, count: 3 }]);
    await assert.rejects(gan.trainStep(new Float32Array(8)), /expected 5 points, got 4/);
    const s = await gan.sample();
    assert.deepEqual(s.map((p) => p.length), [6, 6]);
  } finally {
    await gan.release();
  }
});
