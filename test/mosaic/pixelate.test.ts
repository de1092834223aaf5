import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createImage, type Image } from '../../src/data/image.js';
import { createMask, type Mask } from '../../src/mosaic/mask.js';
import { fillEllipse, fillRect } from '../../src/mosaic/shapes.js';
import { pixelate } from '../../src/mosaic/pixelate.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { featherMask } from '../../src/mosaic/feather.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { createRng } from '../../src/util/rng.js';

/** Pseudo-random but fixed pixel values. */
function noisy(w: number, h: number, c: 1 | 3 = 3): Image {
  const img = createImage(w, h, c);
  const rng = createRng(42);
  for (let i = 0; i < img.data.length; i++) img.data[i] = rng.int(256);
  return img;
}

const px = (img: Image, x: number, y: number): number[] => [...img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels)];

function blockPixels(img: Image, x0: number, y0: number, x1: number, y1: number): number[][] {
  const out: number[][] = [];
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out.push(px(img, x, y));
  return out;
}

function assertUniform(img: Image, x0: number, y0: number, x1: number, y1: number, value: number[]): void {
  for (const p of blockPixels(img, x0, y0, x1, y1)) assert.deepEqual(p, value);
}

function assertOutsideUnchanged(a: Image, b: Image, inside: (i: number) => boolean): void {
  for (let i = 0; i < a.width * a.height; i++) {
    if (inside(i)) continue;
    for (let k = 0; k < a.channels; k++) assert.equal(b.data[i * a.channels + k], a.data[i * a.channels + k], `pixel ${i} changed`);
  }
}

const fullMask = (w: number, h: number): Mask => fillRect(createMask(w, h), { x: 0, y: 0, w, h });

test('average: every block is the rounded mean of its block', () => {
  const img = noisy(10, 7);
  const out = pixelate(img, fullMask(10, 7), { blockSize: 4, style: 'average' });
  // Blocks on the image grid, clipped at the right/bottom edge: x 0-3, 4-7, 8-9; y 0-3, 4-6.
  for (const [x0, x1] of [[0, 4], [4, 8], [8, 10]]) {
    for (const [y0, y1] of [[0, 4], [4, 7]]) {
      const pixels = blockPixels(img, x0, y0, x1, y1);
      const mean = [0, 1, 2].map((k) => Math.round(pixels.reduce((s, p) => s + p[k], 0) / pixels.length));
      assertUniform(out, x0, y0, x1, y1, mean);
    }
  }
});

test('average over the whole block even when the mask covers part of it', () => {
  const img = noisy(8, 8, 1);
  const mask = fillRect(createMask(8, 8), { x: 0, y: 0, w: 2, h: 2 });
  const out = pixelate(img, mask, { blockSize: 4, style: 'average' });
  const mean = Math.round(blockPixels(img, 0, 0, 4, 4).reduce((s, p) => s + p[0], 0) / 16);
  assertUniform(out, 0, 0, 2, 2, [mean]);
  assertOutsideUnchanged(img, out, (i) => mask.data[i] === 1);
});

test('center takes the block centre pixel; random takes an actual pixel of its block', () => {
  const img = noisy(12, 8);
  const c = pixelate(img, fullMask(12, 8), { blockSize: 4, style: 'center' });
  for (const bx of [0, 4, 8]) for (const by of [0, 4]) assertUniform(c, bx, by, bx + 4, by + 4, px(img, bx + 2, by + 2));
  const r = pixelate(img, fullMask(12, 8), { blockSize: 4, style: 'random', seed: 7 });
  for (const bx of [0, 4, 8]) {
    for (const by of [0, 4]) {
      const v = px(r, bx, by);
      assertUniform(r, bx, by, bx + 4, by + 4, v);
      assert.ok(blockPixels(img, bx, by, bx + 4, by + 4).some((p) => p.every((x, k) => x === v[k])), `block ${bx},${by} value is not one of its pixels`);
    }
  }
  // Seeded: same seed, same output; another seed, another choice somewhere.
  assert.deepEqual(pixelate(img, fullMask(12, 8), { blockSize: 4, style: 'random', seed: 7 }).data, r.data);
  assert.notDeepEqual(pixelate(img, fullMask(12, 8), { blockSize: 4, style: 'random', seed: 8 }).data, r.data);
});

test('pixels outside the mask stay bit-identical for every style and grid', () => {
  const img = syntheticImage(64, 48, 3);
  const mask = fillEllipse(createMask(64, 48), 30, 20, 17, 11);
  for (const style of ['average', 'center', 'random'] as const) {
    for (const grid of ['image', 'region'] as const) {
      const out = pixelate(img, mask, { blockSize: 5, style, grid });
      assertOutsideUnchanged(img, out, (i) => mask.data[i] === 1);
      assert.notDeepEqual(out.data, img.data);
    }
  }
});

test('rectangular blocks: aspect 2 makes blocks twice as wide as tall', () => {
  const img = noisy(16, 8);
  const out = pixelate(img, fullMask(16, 8), { blockSize: 4, blockAspect: 2, style: 'center' });
  for (const bx of [0, 8]) for (const by of [0, 4]) assertUniform(out, bx, by, bx + 8, by + 4, px(img, bx + 4, by + 2));
  assert.notDeepEqual(px(out, 7, 0), px(out, 8, 0));
});

test('region grid starts blocks at the region corner, image grid at (0,0)', () => {
  const img = noisy(20, 20);
  const mask = fillRect(createMask(20, 20), { x: 3, y: 5, w: 8, h: 8 });
  const reg = pixelate(img, mask, { blockSize: 4, style: 'center', grid: 'region' });
  assertUniform(reg, 3, 5, 7, 9, px(img, 5, 7));
  assertUniform(reg, 7, 9, 11, 13, px(img, 9, 11));
  const im = pixelate(img, mask, { blockSize: 4, style: 'center', grid: 'image' });
  assertUniform(im, 4, 8, 8, 12, px(img, 6, 10));
  assertUniform(im, 3, 5, 4, 8, px(img, 2, 6)); // partial block x 0-3, y 4-7: centre (2, 6)
});

test('feathering: alpha is 1 deep inside, falls monotonically outward, and alpha-0 pixels are untouched', () => {
  const mask = fillRect(createMask(60, 40), { x: 20, y: 10, w: 20, h: 20 });
  const alpha = featherMask(mask, 6);
  assert.equal(alpha[20 * 60 + 30], 1);
  for (const row of [12, 20, 29]) {
    // From the centre to the right edge of the image along the row.
    for (let x = 30; x < 59; x++) assert.ok(alpha[row * 60 + x + 1] <= alpha[row * 60 + x], `alpha rises at x=${x}, row ${row}`);
    assert.ok(alpha[row * 60 + 40] > 0 && alpha[row * 60 + 40] < 1);
    assert.equal(alpha[row * 60 + 46], 0); // farther than the radius (6 px past the edge at x=39)
  }
  const img = syntheticImage(60, 40, 5);
  const out = pixelate(img, mask, { blockSize: 4, feather: 6 });
  assertOutsideUnchanged(img, out, (i) => alpha[i] > 0);
  // Half-transparent pixels lie between the original and the mosaic value.
  const hard = pixelate(img, mask, { blockSize: 4 });
  const i = (20 * 60 + 38) * 3; // inside the mask, 2 px from its edge: 0 < alpha < 1
  assert.ok(alpha[20 * 60 + 38] < 1);
  assert.ok(Math.min(img.data[i], hard.data[i]) <= out.data[i] && out.data[i] <= Math.max(img.data[i], hard.data[i]));
});

test('applyMosaic: auto block size and per-region area sizing', () => {
  const img = syntheticImage(300, 200, 1);
  const mask = createMask(300, 200);
  fillRect(mask, { x: 10, y: 10, w: 30, h: 30 });
  fillRect(mask, { x: 100, y: 20, w: 160, h: 160 });
  assert.deepEqual(applyMosaic(img, mask, { blockSize: 'auto' }).blockSizes, [4]);
  const { image, blockSizes } = applyMosaic(img, mask, { blockSize: 'area' });
  assert.deepEqual(blockSizes, [4, 16]); // round(0.1 * 30) -> min 4; round(0.1 * 160) = 16
  assertOutsideUnchanged(img, image, (i) => mask.data[i] === 1);
  assert.deepEqual(applyMosaic(img, mask, { blockSize: 9 }).blockSizes, [9]);
});
