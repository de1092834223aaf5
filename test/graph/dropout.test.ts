// Dropout's sampling, through the runtime that draws the masks (the op tests feed a fixed mask,
// and the GAN step fixtures run without dropout, so only these tests see the sampling): the keep
// rate is 1 - p, kept units are scaled by 1 / (1 - p), the gradient passes through the same mask,
// each run draws a fresh mask from the seeded stream, and eval mode is the identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as g from '../../src/graph/index.js';
import { Dropout, Sequential } from '../../src/nn/index.js';
import { Step } from '../../src/runtime/step.js';
import { Rng } from '../../src/util/rng.js';

const N = 200_000;

async function dropoutStep(p: number, seed: number) {
  const x = g.input('x', [N]);
  const step = await Step.compile({
    build: () => {
      const y = g.dropout(x, p, true);
      return { y, gx: g.grad(g.mean(y), [x])[0] };
    },
    rng: new Rng(seed),
  }, { threads: 1 });
  return step;
}

for (const p of [0.5, 0.2]) {
  test(`dropout p=${p}: keeps 1 - p of the units (within 5 sigma), scales them by 1/(1 - p), same mask for the gradient`, async () => {
    const step = await dropoutStep(p, 7);
    const xs = Float32Array.from({ length: N }, (_, i) => 1 + (i % 13) / 13);
    const { y, gx } = await step.run({ x: xs });
    const [maskName] = Object.keys(step.lastMasks);
    const mask = step.lastMasks[maskName];
    const scale = Math.fround(1 / (1 - p));
    let kept = 0;
    for (let i = 0; i < N; i++) {
      assert.ok(mask[i] === 0 || mask[i] === 1, `mask[${i}] = ${mask[i]}`);
      kept += mask[i];
      // y = x * (mask / (1 - p)): exactly x * scale where kept, 0 where dropped.
      assert.equal(y[i], mask[i] ? Math.fround(xs[i] * scale) : 0, `y[${i}]`);
      assert.equal(gx[i], mask[i] ? Math.fround(scale / N) : 0, `dy/dx[${i}]`);
    }
    const sigma = Math.sqrt(N * p * (1 - p));
    assert.ok(Math.abs(kept - N * (1 - p)) < 5 * sigma, `kept ${kept} of ${N}, expected ${N * (1 - p)} +- ${5 * sigma}`);
    // The mean is preserved in expectation: E[y] = E[x].
    const meanX = xs.reduce((a, b) => a + b, 0) / N;
    const meanY = y.reduce((a, b) => a + b, 0) / N;
    assert.ok(Math.abs(meanY - meanX) < 0.02 * meanX, `mean ${meanY} vs ${meanX}`);
    await step.release();
  });
}

test('dropout draws a fresh mask each run from its seeded stream; the same seed gives the same masks', async () => {
  const a = await dropoutStep(0.5, 11);
  const b = await dropoutStep(0.5, 11);
  const x = new Float32Array(N).fill(1);
  const a1 = (await a.run({ x })).y.slice();
  const a2 = (await a.run({ x })).y.slice();
  const b1 = (await b.run({ x })).y.slice();
  assert.deepEqual(a1, b1);
  let same = 0;
  for (let i = 0; i < N; i++) same += a1[i] === a2[i] ? 1 : 0;
  // Two independent Bernoulli(0.5) masks agree on about half the units.
  assert.ok(Math.abs(same / N - 0.5) < 0.01, `successive masks agree on ${same} of ${N}`);
  await a.release();
  await b.release();
});

test('a Dropout layer drops in training mode and is the identity in eval mode', async () => {
  const net = new Sequential(Dropout(0.5));
  const x = g.input('x', [N]);
  const ones = new Float32Array(N).fill(1);
  net.train();
  const train = await Step.compile({ build: () => ({ y: net.forward(x) }), rng: new Rng(1), modules: [net] }, { threads: 1 });
  const y = (await train.run({ x: ones })).y;
  const zeros = y.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / N - 0.5) < 0.01, `${zeros} of ${N} dropped`);
  assert.ok(y.every((v) => v === 0 || v === 2), 'kept units are scaled by 2');
  net.train(false);
  const evalStep = await Step.compile({ build: () => ({ y: net.forward(x) }), modules: [net] }, { threads: 1 });
  assert.deepEqual((await evalStep.run({ x: ones })).y, ones);
  await train.release();
  await evalStep.release();
});
