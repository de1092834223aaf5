import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTick, histogram, linearTicks, logTicks, niceStep } from '../../src/plot/index.js';

test('niceStep picks 1, 2 or 5 times a power of ten', () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(6, 6), 1);
  assert.equal(niceStep(1, 4), 0.5);
  assert.equal(niceStep(0.03, 6), 0.005);
  assert.equal(niceStep(7000, 6), 2000);
});

test('linearTicks are exact multiples without float drift', () => {
  assert.deepEqual(linearTicks(0, 1, 10).ticks, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(linearTicks(1e15, 1e15 + 10, 5).ticks, [1e15, 1e15 + 2, 1e15 + 4, 1e15 + 6, 1e15 + 8, 1e15 + 10]);
  assert.deepEqual(linearTicks(-3, 3, 6).ticks, [-3, -2, -1, 0, 1, 2, 3]);
  assert.deepEqual(linearTicks(0, 1, 10).ticks.map((t) => formatTick(t, 0.1)), ['0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1']);
});

test('logTicks: decades, thinned when many; 1-2-5 inside one decade', () => {
  assert.deepEqual(logTicks(0.01, 100), [0.01, 0.1, 1, 10, 100]);
  assert.deepEqual(logTicks(1e-8, 1e8, 6), [1e-8, 1e-5, 0.01, 10, 1e4, 1e7]);
  assert.deepEqual(logTicks(0.15, 0.9), [0.2, 0.5]);
});

test('formatTick: decimals from the step, exponents for extremes', () => {
  assert.equal(formatTick(0.25, 0.05), '0.25');
  assert.equal(formatTick(2000, 500), '2000');
  assert.equal(formatTick(150000), '1.5e5');
  assert.equal(formatTick(0.0001), '1e-4');
  assert.equal(formatTick(-0, 1), '0');
});

test('histogram as density integrates to 1', () => {
  const h = histogram([0, 0.1, 0.5, 0.99, 1, 2], 4, 0, 1, true);
  assert.equal(h.outside, 1);
  assert.deepEqual(h.edges, [0, 0.25, 0.5, 0.75, 1]);
  const area = h.heights.reduce((a, v) => a + v * 0.25, 0);
  assert.ok(Math.abs(area - 5 / 6) < 1e-12, `area ${area}`);
});
