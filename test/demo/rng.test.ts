import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, Rng } from '../../src/util/rng.js';

test('xoshiro128** matches the reference output for state (1, 2, 3, 4)', () => {
  const r = new Rng(0);
  r.setState({ s: [1, 2, 3, 4], spareNormal: null });
  // Reference values of Blackman & Vigna's xoshiro128starstar.c (as in the rand_xoshiro crate's tests).
  assert.deepEqual(Array.from({ length: 10 }, () => r.nextUint32()), [
    11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
  ]);
});

test('same seed, same stream; different seeds (also above 2^32) differ', () => {
  const draw = (seed: number) => { const r = createRng(seed); return Array.from({ length: 8 }, () => r.random()); };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.notDeepEqual(draw(0), draw(2 ** 32));
  assert.notDeepEqual(draw(-1), draw(2 ** 32 - 1));
  assert.throws(() => createRng(NaN), /finite/);
});

test('getState/setState resume the exact stream, including a cached normal deviate', () => {
  const a = createRng(7);
  a.normal(); // leaves the second Box-Muller value cached
  const saved = JSON.parse(JSON.stringify(a.getState()));
  const first = [a.normal(), a.random(), a.int(10), a.normal(), a.normal()];
  const b = createRng(999);
  b.setState(saved);
  assert.deepEqual([b.normal(), b.random(), b.int(10), b.normal(), b.normal()], first);
  assert.throws(() => b.setState({ s: [0, 0, 0, 0], spareNormal: null }), /all zero/);
  assert.throws(() => b.setState({ s: [1, 2, 3] as never, spareNormal: null }), /four unsigned/);
  assert.throws(() => b.setState({ s: [1, 2, 3, 2 ** 32], spareNormal: null }), /four unsigned/);
});

test('random, int and normal have the right ranges and moments', () => {
  const r = createRng(123);
  const counts = new Array(6).fill(0);
  let sum = 0;
  let sq = 0;
  const m = 60000;
  for (let i = 0; i < m; i++) {
    const u = r.random();
    assert.ok(u >= 0 && u < 1);
    counts[r.int(6)]++;
    const z = r.normal(2, 3);
    sum += z;
    sq += z * z;
  }
  for (const c of counts) assert.ok(Math.abs(c - m / 6) < 5 * Math.sqrt(m / 6), `die counts ${counts}`);
  const mean = sum / m;
  const std = Math.sqrt(sq / m - mean * mean);
  assert.ok(Math.abs(mean - 2) < 0.05 && Math.abs(std - 3) < 0.05, `normal mean ${mean} std ${std}`);
  assert.equal(r.int(1), 0);
  assert.ok(r.int(2 ** 32) < 2 ** 32);
  assert.throws(() => r.int(0), /integer in \[1, 2\^32\]/);
  assert.throws(() => r.int(1.5), /integer/);
});
