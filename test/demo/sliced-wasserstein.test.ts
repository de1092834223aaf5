import assert from 'node:assert/strict';
import { test } from 'node:test';
import { projectionAngles, slicedWasserstein, wasserstein1d } from '../../src/demo/sliced-wasserstein.js';
import { createRng } from '../../src/util/rng.js';

const cloud = (n: number, seed: number, dx = 0, dy = 0) => {
  const rng = createRng(seed);
  return Float32Array.from({ length: 2 * n }, (_, i) => rng.normal() + (i % 2 === 0 ? dx : dy));
};

test('wasserstein1d: equal sizes pair sorted values; unequal sizes integrate the quantile functions', () => {
  assert.equal(wasserstein1d(Float64Array.of(3, 1, 2), Float64Array.of(2, 3, 4)), 1);
  // a: 0 | 1 at u = 1/2; b: 0 | 0.5 | 1 at u = 1/3, 2/3: they differ by 0.5 on [1/3, 2/3).
  assert.ok(Math.abs(wasserstein1d(Float64Array.of(1, 0), Float64Array.of(0.5, 1, 0)) - 1 / 6) < 1e-12);
  // Every value repeated twice is the same distribution.
  const a = Float64Array.of(0.3, -2, 5, 1.5);
  assert.ok(wasserstein1d(a.slice(), Float64Array.from([...a, ...a])) < 1e-12);
  assert.throws(() => wasserstein1d(new Float64Array(0), Float64Array.of(1)), /at least one value/);
});

test('sliced Wasserstein: 0 for the same set, |shift| * 2/pi for a shifted copy, symmetric, seeded', () => {
  const a = cloud(500, 1);
  assert.equal(slicedWasserstein(a, a), 0);
  const b = a.map((v, i) => (i % 2 === 0 ? v + 0.5 : v));
  // Shifting by t moves every projection by t.u, so the mean of |t.u| over directions is |t| 2/pi.
  const d = slicedWasserstein(a, b, { projections: 256 });
  assert.ok(Math.abs(d - 0.5 * (2 / Math.PI)) < 2e-3, `shift: ${d}`);
  const c = cloud(700, 2, 0.2, -0.1);
  assert.equal(slicedWasserstein(a, c, { seed: 3 }), slicedWasserstein(a, c, { seed: 3 }));
  assert.ok(Math.abs(slicedWasserstein(a, c, { seed: 3 }) - slicedWasserstein(c, a, { seed: 3 })) < 1e-12);
  // Two samples of one law are much closer than samples of laws a unit apart.
  assert.ok(slicedWasserstein(cloud(1000, 4), cloud(1000, 5)) < 0.2 * slicedWasserstein(cloud(1000, 4), cloud(1000, 6, 1, 0)));
});

test('projection angles: one per stratum of [0, pi)', () => {
  const t = projectionAngles(8, createRng(0));
  t.forEach((v, i) => assert.ok(v >= (i * Math.PI) / 8 && v < ((i + 1) * Math.PI) / 8));
  assert.throws(() => projectionAngles(0, createRng(0)), /positive integer/);
});

test('sliced Wasserstein rejects odd lengths, empty sets and non-finite points', () => {
  assert.throws(() => slicedWasserstein([0, 1, 2], [0, 1]), /even length/);
  assert.throws(() => slicedWasserstein([], [0, 1]), /empty/);
  assert.throws(() => slicedWasserstein([0, NaN], [0, 1]), /non-finite coordinate at point 0/);
});
