// The classical restoration: consistency with block means, interpolation through the true
// sample positions, and that it beats the mosaic and PIL-style bicubic where it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Image } from '../../src/data/image.js';
import { pixelate, type MosaicStyle } from '../../src/mosaic/pixelate.js';
import { rectMask } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { classicalEstimate, cubicWeights, planarToBytes } from '../../src/restore/classical.js';
import { psnr } from '../../src/restore/metrics.js';

const img = syntheticImage(96, 80, 7);
const box = { x: 13, y: 9, w: 61, h: 58 };
const mask = rectMask(img.width, img.height, box);
const mosaicOf = (style: MosaicStyle, k: number): Image => pixelate(img, mask, { blockSize: k, style, grid: 'image', seed: 3 });

test('Catmull-Rom weights sum to 1 and interpolate (t = 0 gives the sample itself)', () => {
  for (const t of [0, 0.25, 0.5, 0.9]) assert.ok(Math.abs([...cubicWeights(t)].reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.deepEqual([...cubicWeights(0)], [0, 1, 0, 0]);
});

test('average style: every block that holds mosaic pixels has its colour as its mean after the estimate', () => {
  const k = 8, mos = mosaicOf('average', k);
  const est = classicalEstimate(mos, mask.data, { bw: k, bh: k, ox: 0, oy: 0 }, { style: 'average' });
  const plane = img.width * img.height;
  for (let by = 0; by < img.height; by += k) {
    for (let bx = 0; bx < img.width; bx += k) {
      let hit = -1;
      for (let y = by; y < Math.min(img.height, by + k); y++) for (let x = bx; x < Math.min(img.width, bx + k); x++) if (mask.data[y * img.width + x] && hit < 0) hit = y * img.width + x;
      if (hit < 0) continue;
      for (let c = 0; c < 3; c++) {
        let s = 0, n = 0;
        for (let y = by; y < Math.min(img.height, by + k); y++) for (let x = bx; x < Math.min(img.width, bx + k); x++) { s += est.data[c * plane + y * img.width + x]; n++; }
        // Clamping to 0..255 can move a mean slightly; elsewhere the projection is exact.
        assert.ok(Math.abs(s / n - mos.data[hit * 3 + c]) < 0.05, `block ${bx},${by} channel ${c}: mean ${s / n} vs colour ${mos.data[hit * 3 + c]}`);
      }
    }
  }
});

test('pixels outside the mosaic are copied unchanged', () => {
  const mos = mosaicOf('average', 6);
  const out = planarToBytes(classicalEstimate(mos, mask.data, { bw: 6, bh: 6, ox: 0, oy: 0 }));
  for (let p = 0; p < mask.data.length; p++) if (!mask.data[p]) for (let c = 0; c < 3; c++) assert.equal(out[p * 3 + c], mos.data[p * 3 + c]);
});

test('center style: the estimate passes through each sampled pixel (block start + floor(k/2))', () => {
  const k = 6, mos = mosaicOf('center', k);
  const est = classicalEstimate(mos, mask.data, { bw: k, bh: k, ox: 0, oy: 0 }, { style: 'center' });
  const plane = img.width * img.height;
  // Interior blocks (all 16 cubic neighbours inside the mosaic), so the samples are the block colours.
  for (let by = 3 * k; by + 3 * k < box.y + box.h; by += k) {
    for (let bx = 3 * k; bx + 3 * k < box.x + box.w; bx += k) {
      const p = (by + k / 2) * img.width + bx + k / 2;
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(est.data[c * plane + p] - img.data[p * 3 + c]) < 1e-3, `sample of block ${bx},${by}`);
    }
  }
});

test('the estimate is closer to the original than the mosaic for every style, and than PIL-style bicubic for centre sampling', () => {
  for (const style of ['average', 'center', 'random'] as const) {
    const k = 8, mos = mosaicOf(style, k), grid = { bw: k, bh: k, ox: 0, oy: 0 };
    const est: Image = { ...img, data: planarToBytes(classicalEstimate(mos, mask.data, grid, { style })) };
    assert.ok(psnr(est, img, mask) > psnr(mos, img, mask) + 1, `${style}: ${psnr(est, img, mask)} vs mosaic ${psnr(mos, img, mask)}`);
    if (style === 'center') {
      const pil: Image = { ...img, data: planarToBytes(classicalEstimate(mos, mask.data, grid, { style: 'average', consistency: false })) };
      assert.ok(psnr(est, img, mask) > psnr(pil, img, mask), `center: true positions ${psnr(est, img, mask)} vs block centres ${psnr(pil, img, mask)}`);
    }
  }
});
