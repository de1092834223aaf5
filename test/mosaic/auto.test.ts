// `mosaic auto` and camRegionSource with a hand-made "brightness" classifier (no training):
// feature = ReLU(mean(RGB) - 0.5) on the [-1, 1] input, class 1 weight +1, class 0 weight -1, so
// the class-1 CAM is exactly the bright areas and class 0 has no positive evidence anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import * as g from '../../src/graph/index.js';
import { readImage, writeImage, type Image } from '../../src/data/image.js';
import { autoMosaicFiles } from '../../src/mosaic/auto.js';
import { camRegionSource, dilateMask, heatmapToMask } from '../../src/mosaic/cam-regions.js';
import { createMask, maskBoundingBox, maskFromImage, maskArea } from '../../src/mosaic/mask.js';
import { makePairs } from '../../src/mosaic/pairs.js';
import { registerMosaicCommands } from '../../src/cli/mosaic.js';
import { createRng } from '../../src/util/rng.js';

const SIZE = 32;

async function brightnessClassifier(path: string): Promise<void> {
  const x = g.input('image', [1, 3, SIZE, SIZE]);
  const f = g.relu(g.conv2d(x, g.constant(new Float32Array(3).fill(1 / 3), [1, 3, 1, 1]), g.constant([-0.5]), {}));
  const logits = g.linear(g.flatten(g.globalAvgPool(f)), g.constant([-1, 1], [2, 1]), g.constant([0, 0]));
  await writeFile(path, g.writeOnnx({ logits }).bytes);
  await writeFile(path.replace(/\.onnx$/, '.json'), JSON.stringify({ classes: ['plain', 'bright'], inputSize: SIZE, normalize: 'default' }));
}

/** Dark noisy background with bright textured squares (x, y, side). */
function scene(w: number, h: number, squares: [number, number, number][], seed = 1): Image {
  const rng = createRng(seed);
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = 20 + rng.int(40);
  for (const [x0, y0, s] of squares) {
    for (let y = y0; y < y0 + s; y++) for (let x = x0; x < x0 + s; x++) for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = 215 + rng.int(40);
  }
  return { width: w, height: h, channels: 3, data };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'img2img-auto-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('dilateMask: exact Euclidean dilation (brute force check)', () => {
  const rng = createRng(3);
  const m = createMask(23, 17);
  for (let i = 0; i < 6; i++) m.data[rng.int(m.data.length)] = 1;
  for (const r of [1, 2.5, 4]) {
    const d = dilateMask(m, r);
    for (let y = 0; y < 17; y++) {
      for (let x = 0; x < 23; x++) {
        let inside = 0;
        for (let q = 0; q < m.data.length; q++) if (m.data[q] && (q % 23 - x) ** 2 + (Math.floor(q / 23) - y) ** 2 <= r * r) inside = 1;
        assert.equal(d.data[y * 23 + x], inside, `r ${r} at ${x},${y}`);
      }
    }
  }
  assert.equal(maskArea(dilateMask(createMask(5, 5), 3)), 0);
  // Threshold, largest vs all.
  const heat = new Float32Array(10 * 4);
  heat[11] = 1; heat[12] = 0.8; heat[17] = 0.6; heat[5] = 0.3;
  assert.deepEqual([...heatmapToMask(heat, 10, 4, { regions: 'all' }).data].flatMap((v, i) => (v ? [i] : [])), [11, 12, 17]);
  assert.deepEqual([...heatmapToMask(heat, 10, 4).data].flatMap((v, i) => (v ? [i] : [])), [11, 12]);
  assert.throws(() => heatmapToMask(heat, 10, 4, { threshold: 0 }), /threshold 0: need a fraction of the CAM maximum in \(0, 1\]/);
});

test('mosaic auto: CAM regions are mosaicked; largest vs all; dilation; image and mask files', () => withDir(async (dir) => {
  const model = join(dir, 'bright.onnx');
  await brightnessClassifier(model);
  const inDir = join(dir, 'in');
  const img = scene(64, 64, [[8, 28, 20], [44, 6, 10]]);
  await writeImage(join(inDir, 'a.png'), img);
  await writeImage(join(inDir, 'sub', 'b.jpg'), scene(48, 40, [[10, 10, 14]], 2));

  const all = await autoMosaicFiles([inDir], join(dir, 'all'), { classifier: model, classSpec: 'bright', regions: 'all', blockSize: 4 });
  assert.deepEqual(all.map((r) => [r.output, r.maskOutput]), [
    [join(dir, 'all', 'a.png'), join(dir, 'all', 'a_mask.png')],
    [join(dir, 'all', 'sub', 'b.png'), join(dir, 'all', 'sub', 'b_mask.png')],
  ]);
  assert.equal(all[0].regions, 2);
  assert.ok(all[0].probability > 0.5);
  const maskAll = maskFromImage(await readImage(all[0].maskOutput));
  // The big square's box, recovered to within the CAM's resolution (input 32 px for a 64 px image).
  const big = maskBoundingBox({ ...maskAll, data: maskAll.data.map((v, i) => (i % 64 < 36 ? v : 0)) })!;
  for (const [got, want] of [[big.x, 8], [big.y, 28], [big.x + big.w, 28], [big.y + big.h, 48]]) assert.ok(Math.abs(got - want) <= 3, `box ${JSON.stringify(big)}`);
  // Pixels outside the mask are untouched; inside, the texture is pixelated.
  const out = await readImage(all[0].output);
  let changed = 0;
  for (let i = 0; i < 64 * 64; i++) {
    for (let c = 0; c < 3; c++) {
      if (!maskAll.data[i]) assert.equal(out.data[i * 3 + c], img.data[i * 3 + c]);
      else if (out.data[i * 3 + c] !== img.data[i * 3 + c]) changed++;
    }
  }
  assert.ok(changed > maskArea(maskAll), `only ${changed} channel values changed`);

  const largest = await autoMosaicFiles([join(inDir, 'a.png')], join(dir, 'largest'), { classifier: model, classSpec: 1, dilate: 3 });
  assert.equal(largest[0].regions, 1);
  const maskL = maskFromImage(await readImage(largest[0].maskOutput));
  const boxL = maskBoundingBox(maskL)!;
  assert.ok(boxL.x + boxL.w <= 36 && boxL.y >= 20, `largest region only: ${JSON.stringify(boxL)}`);
  assert.ok(Math.abs(boxL.x - (big.x - 3)) <= 1 && Math.abs(boxL.w - (big.w + 6)) <= 2, 'dilated by 3 px');

  // Class 'plain' has no positive evidence anywhere: empty mask, image unchanged.
  const none = await autoMosaicFiles([join(inDir, 'a.png')], join(dir, 'none'), { classifier: model, classSpec: 0 });
  assert.equal(none[0].area, 0);
  assert.deepEqual((await readImage(none[0].output)).data, img.data);
}));

test('mosaic auto: bad class, bad threshold, bad file: clear errors, no partial outputs', () => withDir(async (dir) => {
  const model = join(dir, 'bright.onnx');
  await brightnessClassifier(model);
  const good = join(dir, 'good.png');
  await writeImage(good, scene(40, 40, [[10, 10, 12]]));
  const out = join(dir, 'out');
  await assert.rejects(autoMosaicFiles([good], out, { classifier: model, classSpec: 2 }), /class 2 is out of range for classifier .*bright\.onnx: it has 2 classes \(0\.\.1: plain, bright\)/);
  await assert.rejects(autoMosaicFiles([good], out, { classifier: model, classSpec: 1, threshold: 1.5 }), /threshold 1\.5/);
  assert.equal(existsSync(out), false);
  const bad = join(dir, 'bad.png');
  await writeFile(bad, 'not an image');
  await assert.rejects(autoMosaicFiles([bad], out, { classifier: model, classSpec: 1 }), (e: Error) => e.message.includes(bad));
  assert.equal(existsSync(out), false);
  const errors: string[] = [];
  await assert.rejects(autoMosaicFiles([good, bad], out, { classifier: model, classSpec: 1, onError: (_i, e) => errors.push(e.message) }), /1 of 2 images failed/);
  assert.match(errors[0], /cannot read image .*bad\.png/);
  assert.deepEqual((await readdir(out)).sort(), ['good.png', 'good_mask.png']);
}));

test('mosaic auto via the CLI; camRegionSource feeds makePairs', () => withDir(async (dir) => {
  const model = join(dir, 'bright.onnx');
  await brightnessClassifier(model);
  const src = join(dir, 'src');
  await writeImage(join(src, 'one.png'), scene(40, 40, [[12, 12, 16]], 4));
  await writeImage(join(src, 'two.png'), scene(40, 40, [[10, 14, 18]], 5));

  const program = new Command('img2img').exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerMosaicCommands(program.command('mosaic'));
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    await program.parseAsync(['mosaic', 'auto', '--classifier', model, '--class', '1', '--regions', 'all', '--block-size', '4', src, '-o', join(dir, 'cli')], { from: 'user' });
  } finally {
    console.log = log;
  }
  assert.equal(lines.length, 2);
  assert.match(lines[0], /one\.png {2}1 region, \d+ px {2}p=/);
  assert.deepEqual((await readdir(join(dir, 'cli'))).sort(), ['one.png', 'one_mask.png', 'two.png', 'two_mask.png']);

  const source = camRegionSource(model, 1, { dilate: 1 });
  try {
    const m = await makePairs({ input: src, output: join(dir, 'pairs'), size: 24, countPerImage: 2, seed: 3, split: [1, 0, 0], regionSource: source });
    assert.equal(m.pairs.length, 4);
    assert.ok(m.pairs.every((p) => p.shapes[0].kind === 'source'), JSON.stringify(m.pairs.map((p) => p.shapes)));
  } finally {
    await source.release();
  }
  const badClass = camRegionSource(model, 7);
  await assert.rejects(badClass(scene(24, 24, [])), /class 7 is out of range/);
}));
