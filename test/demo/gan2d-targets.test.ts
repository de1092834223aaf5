// The GAN demo's target distributions: built-in shapes and pictures sampled by inverse CDF.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createImage, writeImage } from '../../src/data/image.js';
import { cellDensity, darknessWeights, imageSampler, shrinkWeights, weightSampler } from '../../src/demo/shapes2d-image.js';
import { shapeSampler, SHAPES_2D } from '../../src/demo/shapes2d.js';
import { createRng } from '../../src/util/rng.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gan2d-targets-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('built-in shapes: seeded, inside [-1, 1]^2, with the expected geometry', () => {
  for (const s of SHAPES_2D) {
    const a = shapeSampler(s).sample(2000, createRng(1));
    assert.deepEqual(a, shapeSampler(s).sample(2000, createRng(1)), s);
    assert.ok(a.every((v) => Math.abs(v) < 1.05), `${s} leaves the unit box`);
  }
  const ring = shapeSampler('ring').sample(2000, createRng(2));
  for (let i = 0; i < 2000; i++) assert.ok(Math.abs(Math.hypot(ring[2 * i], ring[2 * i + 1]) - 0.75) < 0.25);
  // Every 8gaussians point is near one of the 8 centres.
  const g8 = shapeSampler('8gaussians').sample(2000, createRng(3));
  const hits = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const k = Math.round(Math.atan2(g8[2 * i + 1], g8[2 * i]) / (Math.PI / 4));
    const c = (k * Math.PI) / 4;
    assert.ok(Math.hypot(g8[2 * i] - 0.75 * Math.cos(c), g8[2 * i + 1] - 0.75 * Math.sin(c)) < 0.3);
    hits.add((k + 8) % 8);
  }
  assert.equal(hits.size, 8);
  assert.throws(() => shapeSampler('square'), /unknown shape 'square': choose ring, spiral, 8gaussians, grid, moons/);
});

test('cellDensity: a GridDensity over cell edges whose CDF is exact (uniform inside cells)', () => {
  const d = cellDensity([1, 0, 3], 'cells');
  assert.deepEqual([...d.x], [0, 1, 2, 3]);
  assert.deepEqual([...d.cdf], [0, 0.25, 0.25, 1]);
  assert.equal(d.cdfAt(0.5), 0.125);
  assert.equal(d.cdfAt(2.5), 0.625);
  assert.throws(() => cellDensity([0, 0], 'blank'), /total mass is 0/);
  assert.throws(() => cellDensity([1, -1], 'neg'), /cell 1 has mass -1/);
});

test('a picture: points fall only on dark pixels, in proportion to darkness, uniform within pixels', async () => {
  // 40 x 20: a black 10 x 10 block top-left, a mid-grey 10 x 10 block bottom-right, white elsewhere.
  const img = createImage(40, 20, 1, 255);
  for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) img.data[y * 40 + x] = 0;
  for (let y = 10; y < 20; y++) for (let x = 30; x < 40; x++) img.data[y * 40 + x] = 128;
  const path = join(dir, 'blocks.png');
  await writeImage(path, img);
  const s = await imageSampler(path);
  const n = 20000;
  const p = s.sample(n, createRng(4));
  // Plane coordinates: scale 2/40 per pixel, centred, y up.
  let inA = 0;
  let sumAx = 0;
  const colsA = new Array(10).fill(0);
  for (let i = 0; i < n; i++) {
    const [x, y] = [p[2 * i], p[2 * i + 1]];
    const a = x >= -1 && x < -0.5 && y > 0 && y <= 0.5;
    const b = x >= 0.5 && x < 1 && y > -0.5 && y <= 0;
    assert.ok(a || b, `point (${x}, ${y}) is on a white pixel`);
    if (a) {
      inA++;
      sumAx += x;
      colsA[Math.floor((x + 1) / 0.05)]++;
    }
  }
  const expected = 1 / (1 + (1 - 128 / 255));
  const sigma = Math.sqrt((expected * (1 - expected)) / n);
  assert.ok(Math.abs(inA / n - expected) < 4 * sigma, `black block holds ${inA / n}, expected ${expected}`);
  assert.ok(Math.abs(sumAx / inA + 0.75) < 0.01, `mean x in the black block ${sumAx / inA}`);
  for (const c of colsA) assert.ok(Math.abs(c / inA - 0.1) < 0.015, `column shares ${colsA.map((v) => (v / inA).toFixed(3))}`);
});

test('picture weights: alpha counts as white, shrinking keeps the mass, a blank picture is refused', async () => {
  const img = createImage(4, 2, 4, 0); // black, fully transparent
  img.data[3] = 255; // pixel (0, 0) opaque black
  const w = darknessWeights(img);
  assert.deepEqual([...w.data], [1, 0, 0, 0, 0, 0, 0, 0]);
  const big = { width: 5, height: 3, data: Float64Array.from({ length: 15 }, (_, i) => i) };
  const small = shrinkWeights(big, 2);
  assert.deepEqual([small.width, small.height], [2, 1]);
  assert.equal(small.data.reduce((a, b) => a + b, 0), 105);
  assert.throws(() => weightSampler({ width: 2, height: 2, data: new Float64Array(4) }, 'white.png'), /white.png: the picture has no dark pixels/);
  const white = join(dir, 'white.png');
  await writeImage(white, createImage(8, 8, 3, 255));
  await assert.rejects(imageSampler(white), /no dark pixels/);
});
