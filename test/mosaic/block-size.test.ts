import { test } from 'node:test';
import assert from 'node:assert/strict';
import { areaBlockSize, autoBlockSize, parseBlockSize } from '../../src/mosaic/block-size.js';

test('auto rule: ceil(long side / 100), at least 4', () => {
  assert.equal(autoBlockSize(256, 256), 4);
  assert.equal(autoBlockSize(1000, 700), 10);
  assert.equal(autoBlockSize(700, 1000), 10);
  assert.equal(autoBlockSize(1920, 1080), 20);
  assert.equal(autoBlockSize(401, 50), 5);
  assert.equal(autoBlockSize(64, 64), 4);
  assert.equal(autoBlockSize(4000, 3000), 40);
});

test('area rule grows with region area and is clamped', () => {
  const sizes = [100, 1000, 10_000, 40_000, 160_000].map((a) => areaBlockSize(a));
  for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] >= sizes[i - 1], `not monotone: ${sizes}`);
  assert.ok(sizes[4] > sizes[1]);
  assert.equal(areaBlockSize(10_000), 10);
  assert.equal(areaBlockSize(1), 4);
  assert.equal(areaBlockSize(1e9), 64);
  assert.equal(areaBlockSize(10_000, { factor: 0.2, max: 15 }), 15);
});

test('parseBlockSize', () => {
  assert.equal(parseBlockSize('12'), 12);
  assert.equal(parseBlockSize('auto'), 'auto');
  assert.equal(parseBlockSize('AREA'), 'area');
  assert.throws(() => parseBlockSize('0'), /bad block size "0"/);
  assert.throws(() => parseBlockSize('big'), /bad block size "big"/);
});
