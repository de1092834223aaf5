import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createImage, type Image } from '../../src/data/image.js';
import { createMask } from '../../src/mosaic/mask.js';
import { fillRect } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { blockGridBaseline } from '../../src/restore/baseline.js';
import { mse, psnr, ssim } from '../../src/restore/metrics.js';
import { applyResidual, encodeResidual } from '../../src/restore/residual.js';
import { regionsFromMask } from '../../src/restore/regions.js';
import { estimateGrid, smoothRegion } from '../../src/restore/smooth.js';
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

test('block-grid baseline: bicubic from one sample per block, closer to the original than the mosaic, only inside the mask', async () => {
  const img = syntheticImage(64, 48, 5, { noise: 0, flatAreas: false });
  const mask = fillRect(createMask(64, 48), { x: 10, y: 6, w: 40, h: 30 });
  const { image: mosaicked } = applyMosaic(img, mask, { blockSize: 8, style: 'average', grid: 'image' });
  const base = await blockGridBaseline(mosaicked, mask, { bw: 8, bh: 8, ox: 0, oy: 0 });
  for (let p = 0; p < 64 * 48; p++) if (!mask.data[p]) for (let k = 0; k < 3; k++) assert.equal(base.data[p * 3 + k], mosaicked.data[p * 3 + k]);
  assert.ok(psnr(base, img, mask) > psnr(mosaicked, img, mask) + 1, `${psnr(base, img, mask)} vs ${psnr(mosaicked, img, mask)}`);
  assert.ok(ssim(base, img, mask) > ssim(mosaicked, img, mask));
});

test('residual targets: encode then apply gives the clean image back (differences within -128..127), clamped beyond', () => {
  const clean = syntheticImage(30, 20, 3, { noise: 4, flatAreas: false });
  const mosaicked = applyMosaic(clean, fillRect(createMask(30, 20), { x: 4, y: 4, w: 20, h: 12 }), { blockSize: 5 }).image;
  assert.ok(clean.data.every((v, i) => Math.abs(v - mosaicked.data[i]) <= 127));
  const r = encodeResidual(mosaicked, clean);
  assert.deepEqual(applyResidual(mosaicked, r).data, clean.data);
  const black = createImage(2, 1, 3, 0), white = createImage(2, 1, 3, 255);
  assert.deepEqual([...encodeResidual(black, white).data], [255, 255, 255, 255, 255, 255]);
  assert.deepEqual([...applyResidual(black, createImage(2, 1, 3, 128)).data], [0, 0, 0, 0, 0, 0]);
});

test('smoothRegion: finds the block grid (size and offset); consistent blocks beat the exact-grid baseline; no grid in a clean region', async () => {
  const img = syntheticImage(90, 70, 8, { noise: 3, flatAreas: false });
  const mask = fillRect(createMask(90, 70), { x: 13, y: 9, w: 50, h: 41 });
  const { image: mosaicked } = applyMosaic(img, mask, { blockSize: 7, style: 'average', grid: 'region' });
  const [region] = regionsFromMask(mask);
  assert.deepEqual(estimateGrid(mosaicked, region), { bw: 7, bh: 7, ox: 13 % 7, oy: 9 % 7 });
  const { image, found } = await smoothRegion(mosaicked, region);
  assert.deepEqual(found?.grid, { bw: 7, bh: 7, ox: 6, oy: 2 });
  const exact = await blockGridBaseline(mosaicked, mask, { bw: 7, bh: 7, ox: 13, oy: 9 });
  assert.ok(psnr(image, img, mask) > psnr(exact, img, mask), `${psnr(image, img, mask)} vs ${psnr(exact, img, mask)}`);
  // Every 7x7 block of the region now averages to its mosaic colour (up to rounding).
  for (let by = 9; by < 50; by += 7) {
    for (let bx = 13; bx < 63; bx += 7) {
      let s = 0;
      for (let y = by; y < by + 7; y++) for (let x = bx; x < bx + 7; x++) s += image.data[(y * 90 + x) * 3];
      assert.ok(Math.abs(s / 49 - mosaicked.data[(by * 90 + bx) * 3]) <= 0.5, `block ${bx},${by}`);
    }
  }
  for (let p = 0; p < 90 * 70; p++) if (!mask.data[p]) for (let k = 0; k < 3; k++) assert.equal(image.data[p * 3 + k], mosaicked.data[p * 3 + k]);
  assert.equal(estimateGrid(img, region), null);
  assert.equal((await smoothRegion(img, region)).image, img);
});

test('smoothRegion on a box larger than the mosaic: clean pixels in the box stay, the mosaic part (also of cut blocks) is smoothed', async () => {
  const img = syntheticImage(96, 80, 12, { noise: 6, flatAreas: false });
  const mosaicMask = fillRect(createMask(96, 80), { x: 21, y: 18, w: 45, h: 37 }); // not on the 8 px grid
  const { image: mosaicked } = applyMosaic(img, mosaicMask, { blockSize: 8, style: 'average', grid: 'image' });
  const [box] = regionsFromMask(fillRect(createMask(96, 80), { x: 10, y: 8, w: 70, h: 60 }));
  const { image, found } = await smoothRegion(mosaicked, box);
  assert.deepEqual(found?.grid, { bw: 8, bh: 8, ox: 0, oy: 0 });
  for (let p = 0; p < 96 * 80; p++) {
    if (!mosaicMask.data[p]) for (let k = 0; k < 3; k++) assert.equal(image.data[p * 3 + k], mosaicked.data[p * 3 + k]);
  }
  // The cut blocks along x = 21..23 were smoothed too: the mosaic part no longer all one colour per block.
  assert.equal(found?.mosaic.data[20 * 96 + 21], 1);
  assert.equal(found?.mosaic.data[20 * 96 + 20], 0);
  assert.ok(psnr(image, img, mosaicMask) > psnr(mosaicked, img, mosaicMask));
});
