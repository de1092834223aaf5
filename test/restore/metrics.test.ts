import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createImage, type Image } from '../../src/data/image.js';
import { createMask } from '../../src/mosaic/mask.js';
import { fillRect } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { mse, psnr, ssim } from '../../src/restore/metrics.js';
import { regionsFromMask } from '../../src/restore/regions.js';
import { estimateGrid, mosaicPixels } from '../../src/restore/grid.js';
import { createRng } from '../../src/util/rng.js';

const withNoise = (img: Image, std: number, seed: number): Image => {
  const rng = createRng(seed);
  return { ...img, data: img.data.map((v) => Math.min(255, Math.max(0, Math.round(v + rng.normal(0, std))))) };
};

test('PSNR: identical is Infinity; known MSE values; only the masked pixels count', () => {
  const a = syntheticImage(40, 30, 1);
  assert.equal(psnr(a, a), Infinity);
  const plus1 = { ...a, data: a.data.map((v) => (v < 255 ? v + 1 : v - 1)) };
  assert.equal(mse(a, plus1), 1);
  assert.ok(Math.abs(psnr(a, plus1) - 20 * Math.log10(255)) < 1e-9); // 48.1308 dB
  const g0 = createImage(10, 10, 3, 100), g10 = createImage(10, 10, 3, 110);
  assert.ok(Math.abs(psnr(g0, g10) - 20 * Math.log10(25.5)) < 1e-9); // 28.1308 dB
  // Differences outside the mask are ignored.
  const mask = fillRect(createMask(10, 10), { x: 0, y: 0, w: 5, h: 10 });
  const half = { ...g0, data: g0.data.slice() };
  for (let y = 0; y < 10; y++) for (let x = 5; x < 10; x++) for (let k = 0; k < 3; k++) half.data[(y * 10 + x) * 3 + k] = 0;
  assert.equal(psnr(g0, half, mask), Infinity);
  assert.throws(() => psnr(g0, half, createMask(10, 10)), /selects no pixel/);
  assert.throws(() => psnr(g0, createImage(10, 11, 3)), /differ in size/);
});

test('SSIM: identical is exactly 1, the closed form for flat images, decreases with noise', () => {
  const a = syntheticImage(48, 40, 2);
  assert.equal(ssim(a, a), 1);
  // Flat images: sigma = 0, so SSIM = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1) at every pixel.
  const C1 = (0.01 * 255) ** 2;
  const expected = (2 * 100 * 110 + C1) / (100 * 100 + 110 * 110 + C1);
  assert.ok(Math.abs(ssim(createImage(20, 20, 3, 100), createImage(20, 20, 3, 110)) - expected) < 1e-12);
  const s5 = ssim(a, withNoise(a, 5, 1)), s20 = ssim(a, withNoise(a, 20, 1)), s60 = ssim(a, withNoise(a, 60, 1));
  assert.ok(s5 < 1 && s20 < s5 && s60 < s20, `${s5} ${s20} ${s60}`);
  // Masked: noise only outside the mask barely matters inside it (windows overlap the edge only).
  const mask = fillRect(createMask(48, 40), { x: 0, y: 0, w: 16, h: 40 });
  const noisyRight = { ...a, data: a.data.slice() };
  const n = withNoise(a, 40, 3);
  for (let y = 0; y < 40; y++) for (let x = 32; x < 48; x++) for (let k = 0; k < 3; k++) noisyRight.data[(y * 48 + x) * 3 + k] = n.data[(y * 48 + x) * 3 + k];
  assert.equal(ssim(a, noisyRight, mask), 1);
  assert.ok(ssim(a, noisyRight) < 0.95);
});

test('estimateGrid finds the block size and offset of a mosaic (region-aligned grid); none in a clean region', () => {
  const img = syntheticImage(90, 70, 8, { noise: 3, flatAreas: false });
  const mask = fillRect(createMask(90, 70), { x: 13, y: 9, w: 50, h: 41 });
  const { image: mosaicked } = applyMosaic(img, mask, { blockSize: 7, style: 'average', grid: 'region' });
  const [region] = regionsFromMask(mask);
  assert.deepEqual(estimateGrid(mosaicked, region), { bw: 7, bh: 7, ox: 13 % 7, oy: 9 % 7 });
  assert.equal(estimateGrid(img, region), null);
});

test('mosaicPixels in a box larger than the mosaic: the mosaic part (also of cut blocks) only', () => {
  const img = syntheticImage(96, 80, 12, { noise: 6, flatAreas: false });
  const mosaicMask = fillRect(createMask(96, 80), { x: 21, y: 18, w: 45, h: 37 }); // not on the 8 px grid
  const { image: mosaicked } = applyMosaic(img, mosaicMask, { blockSize: 8, style: 'average', grid: 'image' });
  const [box] = regionsFromMask(fillRect(createMask(96, 80), { x: 10, y: 8, w: 70, h: 60 }));
  const grid = estimateGrid(mosaicked, box);
  assert.deepEqual(grid, { bw: 8, bh: 8, ox: 0, oy: 0 });
  const m = mosaicPixels(mosaicked, box, grid!);
  let wrong = 0, area = 0;
  for (let p = 0; p < 96 * 80; p++) {
    if (m.data[p] !== mosaicMask.data[p]) wrong++;
    area += mosaicMask.data[p];
  }
  // Clean pixels of a cut block that happen to equal its colour may count; nearly all must match.
  assert.ok(wrong < 0.02 * area, `${wrong} of ${area} pixels misclassified`);
  assert.equal(m.data[20 * 96 + 21], 1);
  assert.equal(m.data[20 * 96 + 20], 0);
});

