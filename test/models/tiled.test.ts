// Tiled inference (src/inference/tiled.ts): the tile grid, image-wide normalization statistics
// measured over tiles, seamless blending, and the Translator switching to tiles above its pixel
// budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as g from '../../src/graph/index.js';
import { Step } from '../../src/runtime/step.js';
import { Conv2d, InstanceNorm2d, ReLU, Sequential, manualSeed } from '../../src/nn/index.js';
import { defineG, parseGeneratorConfig } from '../../src/models/index.js';
import { Translator } from '../../src/inference/translator.js';
import {
  TileNorm, blendTiles, coreBounds, cropPlanar, measureStats, padPlanar, statFeeds, tileStarts, type TiledRun,
} from '../../src/inference/tiled.js';
import { hashUniform } from './fixture-input.js';

test('tile starts: multiples of the step, first at 0, last flush with the end, overlaps at least as asked; cores partition the axis', () => {
  for (const [n, tile, overlap, m] of [[1000, 512, 64, 4], [964, 512, 64, 4], [4096, 768, 256, 256], [1024, 768, 256, 256], [520, 512, 64, 8], [512, 512, 64, 4]]) {
    const s = tileStarts(n, tile, overlap, m);
    assert.equal(s[0], 0);
    assert.equal(s[s.length - 1] + Math.min(tile, n), Math.max(n, Math.min(tile, n)));
    for (let i = 0; i + 1 < s.length; i++) {
      assert.equal(s[i] % m, 0);
      assert.ok(s[i + 1] > s[i], `${n}: starts increase`);
      assert.ok(s[i] + tile - s[i + 1] >= overlap, `${n}/${tile}: overlap ${s[i] + tile - s[i + 1]} < ${overlap}`);
    }
    const b = coreBounds(s, tile, n, m);
    assert.equal(b[0], 0);
    assert.equal(b[b.length - 1], n);
    for (let i = 0; i < s.length; i++) {
      assert.ok(b[i] >= s[i] && b[i + 1] <= s[i] + tile && b[i] < b[i + 1], `core ${i} inside its tile`);
      if (i > 0) assert.equal(b[i] % m, 0);
    }
  }
  // As few tiles as the overlap allows: 4096 px in 768 px tiles overlapping by >= 256 takes 8.
  assert.equal(tileStarts(4096, 768, 256, 256).length, 8);
});

test('padPlanar pads as forwardAnySize does (reflect, split evenly) and cropPlanar undoes it', () => {
  const x = Float32Array.from({ length: 2 * 5 * 7 }, (_, i) => i);
  const p = padPlanar(x, 2, 5, 7, 8, 12);
  assert.equal(p.top, 1);
  assert.equal(p.left, 2);
  // Row 0 of the padded plane is row 1 of the image (reflection about row 0); column 0 is column 2.
  assert.equal(p.data[0], x[1 * 7 + 2]);
  assert.deepEqual(cropPlanar(p.data, 2, 8, 12, p.top, p.left, 5, 7), x);
});

/** A small net with a small receptive field: conv3 -> IN -> ReLU -> conv3 -> IN -> conv1 (RF 5 px). */
function smallNet() {
  manualSeed(3);
  return new Sequential(
    new Conv2d(3, 6, 3, { padding: 1 }), new InstanceNorm2d(6), ReLU(),
    new Conv2d(6, 6, 3, { padding: 1 }), new InstanceNorm2d(6), new Conv2d(6, 3, 1),
  );
}

async function tileRunner(net: Sequential, th: number, tw: number, norm: TileNorm | null) {
  const input = g.input('input', [1, 3, th, tw]);
  const build = () => ({ output: net.forward(input), ...(norm?.outputs ?? {}) });
  const step = await Step.compile({ build: norm ? () => g.withNormOverride(norm, build) : build, modules: [net] }, { threads: 1 });
  return { step, run: (f: Record<string, Float32Array>) => step.run(f) };
}

test('image-wide statistics over tiles: one pass makes the first layer exact, two passes all (two layers); blended tiles then equal the whole-image run', async () => {
  const net = smallNet();
  const [h, w] = [40, 56];
  const x = hashUniform(3 * h * w, 5);
  const whole = await tileRunner(net, h, w, null);
  const expected = (await whole.step.run({ input: x })).output;
  const r: TiledRun = { channels: 3, height: h, width: w, outChannels: 3, tileH: 24, tileW: 24, multiple: 4, overlap: 8 };
  const own = new TileNorm('own', true);
  const a = await tileRunner(net, 24, 24, own);
  const fed = new TileNorm('fed', true);
  const b = await tileRunner(net, 24, 24, fed);
  // The exact statistics: the whole image as one tile.
  const wholeNorm = new TileNorm('own', true);
  const c = await tileRunner(net, h, w, wholeNorm);
  const exact = await measureStats(x, { ...r, tileH: h, tileW: w }, wholeNorm.layers, c.run, null);
  const pass1 = await measureStats(x, r, own.layers, a.run, null);
  const close = (u: Float32Array, v: Float32Array, tol: number) => u.every((e, i) => Math.abs(e - v[i]) <= tol * (1 + Math.abs(v[i])));
  assert.ok(close(pass1[0].mean, exact[0].mean, 1e-4) && close(pass1[0].variance, exact[0].variance, 1e-4), 'layer 1 exact after one pass');
  assert.ok(!close(pass1[1].variance, exact[1].variance, 1e-3), 'layer 2 only estimated after one pass');
  const pass2 = await measureStats(x, r, fed.layers, b.run, pass1);
  for (let k = 0; k < 2; k++) assert.ok(close(pass2[k].mean, exact[k].mean, 1e-4) && close(pass2[k].variance, exact[k].variance, 1e-4), `layer ${k + 1} exact after two passes`);
  // Final pass with the exact statistics: tiles overlap by >= 8 px and pixels within 2 px (a
  // quarter of the overlap) of a tile's inner edge get no weight, which is the receptive
  // field's reach: every weighted pixel saw its whole context.
  const final = new TileNorm('fed', false);
  const f = await tileRunner(net, 24, 24, final);
  const tiled = await blendTiles(x, r, f.run, statFeeds(pass2));
  let worst = 0;
  for (let i = 0; i < tiled.length; i++) worst = Math.max(worst, Math.abs(tiled[i] - expected[i]));
  assert.ok(worst < 1e-4, `tiled vs whole: ${worst}`);
  for (const s of [whole, a, b, c, f]) await s.step.release();
});

test('Translator: images above maxPixels run in tiles (image-wide statistics by default) close to the whole-image run; below it, exactly the whole-image path', async () => {
  manualSeed(7);
  const config = parseGeneratorConfig({ netG: 'resnet_6blocks', ngf: 4, norm: 'instance', useDropout: false });
  const net = defineG(config);
  const [h, w] = [70, 90];
  const x = hashUniform(3 * h * w, 11);
  const whole = new Translator(net, config, false, { threads: 1 }, 0, { maxPixels: 1e9 });
  assert.equal(whole.tiled(h, w), false);
  const expected = await whole.run(x, [1, 3, h, w]);
  const diff = async (opts: ConstructorParameters<typeof Translator>[5]) => {
    const t = new Translator(net, config, false, { threads: 1 }, 0, opts);
    assert.equal(t.tiled(h, w), true);
    const y = await t.run(x, [1, 3, h, w]);
    await t.release();
    assert.equal(y.length, expected.length);
    let sum = 0;
    for (let i = 0; i < y.length; i++) sum += Math.abs(y[i] - expected[i]);
    return sum / y.length;
  };
  const image = await diff({ maxPixels: 0, tile: 48, overlap: 16 });
  const tile = await diff({ maxPixels: 0, tile: 48, overlap: 16, normStats: 'tile' });
  assert.ok(Number.isFinite(image) && Number.isFinite(tile));
  assert.ok(image < tile, `image-wide statistics (${image}) closer to the whole-image run than per-tile ones (${tile})`);
  assert.throws(() => new Translator(net, config, false, {}, 0, { tile: 32, overlap: 32 }), /overlap 32 px must be smaller than the tile/);
  await whole.release();
});

test('Translator: a U-Net in eval mode (BatchNorm running statistics) tiles with only the receptive field to tell', async () => {
  manualSeed(5);
  const config = parseGeneratorConfig({ netG: 'unet_256', numDowns: 3, ngf: 4, norm: 'batch', useDropout: false });
  const net = defineG(config);
  const [h, w] = [60, 76];
  const x = hashUniform(3 * h * w, 13);
  const whole = new Translator(net, config, true, { threads: 1 }, 0, { maxPixels: 1e9 });
  const tiled = new Translator(net, config, true, { threads: 1 }, 0, { maxPixels: 0, tile: 40, overlap: 16 });
  const a = await whole.run(x, [1, 3, h, w]), b = await tiled.run(x, [1, 3, h, w]);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  assert.ok(worst < 0.02, `eval-mode U-Net tiled vs whole: ${worst}`);
  await whole.release();
  await tiled.release();
});
