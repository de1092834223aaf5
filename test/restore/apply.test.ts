// restore apply: only the regions and their feather band change; several regions; odd sizes;
// grey and RGBA; folders; the shipped model by default; clear errors that leave no output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { readImage, writeImage, type Image } from '../../src/data/image.js';
import { createMask, maskToImage, type Mask } from '../../src/mosaic/mask.js';
import { fillEllipse, fillRect } from '../../src/mosaic/shapes.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { registerRestoreCommands } from '../../src/cli/restore.js';
import { saveNetwork } from '../../src/models/checkpoint.js';
import { defineG, parseGeneratorConfig } from '../../src/models/networks.js';
import { apply, modelPath } from '../../src/restore/job.js';
import { psnr } from '../../src/restore/metrics.js';
import { saveRestorer } from '../../src/restore/net/checkpoint.js';
import { MosaicRestorer, RestorerConfigSchema } from '../../src/restore/net/restorer.js';
import { regionAlpha } from '../../src/restore/paste.js';
import { regionsFromBoxes, regionsFromMask } from '../../src/restore/regions.js';
import { restoreRegions } from '../../src/restore/restore-image.js';
import { SHIPPED_MODELS } from '../../src/restore/shipped.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/tiny-datasets.js';

const root = tempDir('restore-apply');
const runtime = { threads: 1 };
// A small restorer whose output differs from the classical estimate (its tail is not zero).
const restorerPath = join(root, 'tiny-restorer.safetensors');
const tiny = new MosaicRestorer(RestorerConfigSchema.parse({ arch: 'mosaic-restorer', features: 8, blocks: 1 })).initialize(new Rng(3));
tiny.tail.weight.data.forEach((_, i, a) => (a[i] = Math.sin(i) * 0.05));
await saveRestorer(restorerPath, tiny, { step: 0 });
const genPath = join(root, 'latest_net_G.safetensors');
const gCfg = parseGeneratorConfig({ netG: 'unet_128', inputNc: 3, outputNc: 3, ngf: 4, norm: 'batch', useDropout: false });
await saveNetwork(genPath, defineG(gCfg), { format: 'img2img-network', model: 'pix2pix', epoch: 1, step: 0, role: 'G', kind: 'generator', config: gCfg as unknown as Record<string, unknown> });

/** Pixels (x, y) whose value differs between a and b. */
function changed(a: Image, b: Image): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < a.width * a.height; p++) {
    for (let k = 0; k < a.channels; k++) {
      if (a.data[p * a.channels + k] !== b.data[p * a.channels + k]) {
        out.push([p % a.width, Math.floor(p / a.width)]);
        break;
      }
    }
  }
  return out;
}

/** Chebyshev distance from (x, y) to the nearest mask pixel (brute force; small images only). */
function distToMask(m: Mask, x: number, y: number): number {
  let best = Infinity;
  for (let yy = 0; yy < m.height; yy++) for (let xx = 0; xx < m.width; xx++) if (m.data[yy * m.width + xx]) best = Math.min(best, Math.max(Math.abs(xx - x), Math.abs(yy - y)));
  return best;
}

/** A mosaicked odd-size image with two separate regions (a rectangle and an ellipse), and its original. */
function mosaicked(w: number, h: number): { img: Image; clean: Image; mask: Mask } {
  const mask = createMask(w, h);
  fillRect(mask, { x: 3, y: 5, w: 30, h: 21 });
  fillEllipse(mask, w - 30, h - 25, 17, 13);
  const clean = syntheticImage(w, h, 7);
  return { img: applyMosaic(clean, mask, { blockSize: 6 }).image, clean, mask };
}

test('alpha: exactly 1 on the region, 0 beyond the feather band', () => {
  const mask = fillRect(createMask(50, 40), { x: 10, y: 12, w: 9, h: 7 });
  const [region] = regionsFromMask(mask);
  const { grown, alpha } = regionAlpha(region, 8);
  for (let y = 0; y < grown.h; y++) {
    for (let x = 0; x < grown.w; x++) {
      const ix = grown.x + x, iy = grown.y + y;
      const inside = ix >= 10 && ix < 19 && iy >= 12 && iy < 19;
      const d = Math.max(10 - ix, ix - 18, 12 - iy, iy - 18, 0);
      const a = alpha[y * grown.w + x];
      if (inside) assert.equal(a, 1);
      if (d > 8) assert.equal(a, 0);
      if (d >= 1 && d <= 2) assert.ok(a > 0.5 && a <= 1);
    }
  }
});

test('restoreRegions: several regions on an odd-size image, model and classical: better than the mosaic inside, bit-identical beyond the band', async () => {
  const { img, clean, mask } = mosaicked(157, 93);
  const { RestorerRunner } = await import('../../src/restore/net/runner.js');
  const runner = new RestorerRunner(tiny, runtime);
  for (const [label, r] of [['classical', null], ['model', runner]] as const) {
    for (const feather of [0, 5]) {
      const { image: out, reports } = await restoreRegions(img, regionsFromMask(mask), { runner: r, feather });
      assert.equal(reports.filter((x) => x.grid).length, 2, `${label}: both regions hold a grid`);
      const band = feather > 0 ? 2 * Math.ceil(feather / 2) : 0;
      for (const [x, y] of changed(img, out)) assert.ok(distToMask(mask, x, y) <= band, `${label} feather ${feather}: (${x},${y}) changed`);
      if (label === 'classical') assert.ok(psnr(out, clean, mask) > psnr(img, clean, mask) + 1, `${label}: ${psnr(out, clean, mask)} vs ${psnr(img, clean, mask)}`);
      else assert.ok(changed(img, out).length > 100);
    }
  }
  await runner.release();
});

test('restore.apply: own checkpoint, mask with 2 components and a box, any aspect ratio, grey and RGBA inputs, -o as a folder', async () => {
  const dir = join(root, 'files');
  const { img, mask } = mosaicked(161, 67);
  await writeImage(join(dir, 'in.png'), img);
  await writeImage(join(dir, 'mask.png'), maskToImage(mask));
  const done = await apply({ inputs: [join(dir, 'in.png')], output: join(dir, 'out.png'), checkpoint: restorerPath, mask: join(dir, 'mask.png'), boxes: ['140,60,21,7'], runtime });
  assert.equal(done[0].regions, 3);
  const out = await readImage(join(dir, 'out.png'));
  const all = createMask(161, 67);
  for (let p = 0; p < all.data.length; p++) all.data[p] = mask.data[p];
  fillRect(all, { x: 140, y: 60, w: 21, h: 7 });
  for (const [x, y] of changed(img, out)) assert.ok(distToMask(all, x, y) <= 8, `(${x},${y}) changed`);
  assert.ok(changed(img, out).length > 500, 'the mosaic regions changed');
  const [intoDir] = await apply({ inputs: [join(dir, 'in.png')], output: join(dir, 'outdir'), checkpoint: restorerPath, boxes: ['1,1,20,20'], runtime });
  assert.equal(intoDir.output, join(dir, 'outdir', 'in.png'));
  assert.ok(existsSync(intoDir.output));

  // A tall grey image and an RGBA one: channels kept, alpha untouched, changes inside the box only.
  const greyClean: Image = { width: 31, height: 140, channels: 1, data: syntheticImage(31, 140, 3).data.filter((_, i) => i % 3 === 0) };
  const grey = applyMosaic(greyClean, fillRect(createMask(31, 140), { x: 5, y: 100, w: 20, h: 30 }), { blockSize: 5 }).image;
  await writeImage(join(dir, 'grey.png'), grey);
  await apply({ inputs: [join(dir, 'grey.png')], output: join(dir, 'grey-out.png'), checkpoint: restorerPath, boxes: ['5,100,20,30'], feather: 0, runtime });
  const g2 = await readImage(join(dir, 'grey-out.png'));
  assert.equal(g2.channels, 1);
  assert.ok(changed(grey, g2).length > 50);
  for (const [x, y] of changed(grey, g2)) assert.ok(x >= 5 && x < 25 && y >= 100 && y < 130);
  const rgbaClean: Image = { width: 40, height: 40, channels: 4, data: new Uint8Array(40 * 40 * 4).map((_, i) => (i % 4 === 3 ? 77 : (i * 7) % 256)) };
  const rgba = applyMosaic(rgbaClean, fillRect(createMask(40, 40), { x: 10, y: 10, w: 12, h: 12 }), { blockSize: 4 }).image;
  await writeImage(join(dir, 'rgba.png'), rgba);
  await apply({ inputs: [join(dir, 'rgba.png')], output: join(dir, 'rgba-out.png'), checkpoint: restorerPath, boxes: ['10,10,12,12'], feather: 2, runtime });
  const r2 = await readImage(join(dir, 'rgba-out.png'));
  assert.equal(r2.channels, 4);
  for (let p = 0; p < 1600; p++) assert.equal(r2.data[p * 4 + 3], rgba.data[p * 4 + 3]);
});

test('without a checkpoint the shipped faithful model is used; method classical needs none', async () => {
  assert.equal(modelPath({ method: 'model', model: 'faithful' }), SHIPPED_MODELS.faithful);
  assert.ok(existsSync(SHIPPED_MODELS.faithful), 'the faithful model ships in models/');
  assert.equal(modelPath({ method: 'classical', model: 'faithful' }), null);
  assert.equal(modelPath({ method: 'model', model: 'sharp', checkpoint: 'x.safetensors' }), 'x.safetensors');
  const dir = join(root, 'shipped');
  const { img, clean, mask } = mosaicked(120, 90);
  await writeImage(join(dir, 'in.png'), img);
  await writeImage(join(dir, 'mask.png'), maskToImage(mask));
  await apply({ inputs: [join(dir, 'in.png')], output: join(dir, 'faithful.png'), mask: join(dir, 'mask.png'), runtime });
  await apply({ inputs: [join(dir, 'in.png')], output: join(dir, 'classical.png'), mask: join(dir, 'mask.png'), method: 'classical', runtime });
  const f = await readImage(join(dir, 'faithful.png')), c = await readImage(join(dir, 'classical.png'));
  assert.ok(psnr(f, clean, mask) > psnr(img, clean, mask) + 1);
  assert.ok(psnr(c, clean, mask) > psnr(img, clean, mask) + 1);
  assert.ok(changed(f, c).length > 0, 'the model changes the classical result');
});

test('restore apply (CLI): a folder in, PNG files out under their names', async () => {
  const dir = join(root, 'cli');
  const box = (w: number, h: number) => fillRect(createMask(w, h), { x: 10, y: 10, w: 20, h: 20 });
  const a = applyMosaic(syntheticImage(70, 50, 1), box(70, 50), { blockSize: 5 }).image;
  await writeImage(join(dir, 'in', 'a.png'), a);
  await writeImage(join(dir, 'in', 'sub', 'b.png'), applyMosaic(syntheticImage(50, 90, 2), box(50, 90), { blockSize: 5 }).image);
  const program = new Command('img2img').exitOverride();
  registerRestoreCommands(program);
  const log = console.log;
  let stdout = '';
  console.log = (...args: unknown[]) => { stdout += args.join(' ') + '\n'; };
  try {
    await program.parseAsync(['restore', 'apply', join(dir, 'in'), '-o', join(dir, 'out'), '--checkpoint', restorerPath, '--box', '10,10,20,20', '--box', '32,5,15,15', '--threads', '1'], { from: 'user' });
  } finally {
    console.log = log;
  }
  // The second box of each image holds no mosaic: reported and left alone.
  assert.match(stdout, /restored 2 region\(s\) in 2 image\(s\) .*; 2 region\(s\) held no mosaic grid/);
  assert.ok(existsSync(join(dir, 'out', 'a.png')));
  assert.ok(existsSync(join(dir, 'out', 'sub', 'b.png')));
  const a2 = await readImage(join(dir, 'out', 'a.png'));
  assert.ok(changed(a, a2).length > 100);
  for (const [x, y] of changed(a, a2)) assert.ok(x >= 2 && x < 38 && y >= 2 && y < 38);
});

test('bad inputs: clear errors and no output file', async () => {
  const dir = join(root, 'bad');
  await mkdir(dir, { recursive: true });
  const src = join(dir, 'small.png');
  await writeImage(src, syntheticImage(32, 32, 4));
  await writeImage(join(dir, 'big-mask.png'), maskToImage(createMask(64, 48)));
  await writeFile(join(dir, 'random.safetensors'), Buffer.from('definitely not a checkpoint, just some bytes'));
  const out = join(dir, 'out.png');
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ checkpoint: restorerPath, mask: join(dir, 'big-mask.png') }, /mask .*big-mask\.png is 64x48 but the image is 32x32/],
    [{ checkpoint: restorerPath, boxes: ['20,20,20,5'] }, /box 20,20,20,5 is outside the 32x32 image/],
    [{ checkpoint: restorerPath, boxes: ['-1,0,4,4'] }, /box -1,0,4,4 is outside the 32x32 image/],
    [{ checkpoint: genPath, boxes: ['1,1,4,4'] }, /latest_net_G\.safetensors is not an img2img restoration model \(a generator checkpoint of a GAN\)/],
    [{ checkpoint: join(dir, 'random.safetensors'), boxes: ['1,1,4,4'] }, /random\.safetensors/],
    [{ checkpoint: join(dir, 'missing.safetensors'), boxes: ['1,1,4,4'] }, /missing\.safetensors does not exist/],
    [{ checkpoint: restorerPath }, /no region given/],
    [{ checkpoint: restorerPath, boxes: ['1,1,4,4'], feather: 100000 }, /restore\.apply: option 'feather': .*256/],
    [{ checkpoint: restorerPath, boxes: ['1,1,4,4'], style: 'median' }, /restore\.apply: option 'style'/],
  ];
  for (const [opts, re] of cases) {
    await assert.rejects(apply({ inputs: [src], output: out, runtime, ...opts }), re);
    assert.equal(existsSync(out), false, `output written despite ${re}`);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.')), [], 'no temp files left');
  await assert.rejects(apply({ inputs: [src], output: out, checkpoint: restorerPath, boxes: ['1,2,3'], runtime }), /bad box "1,2,3"/);
  // Several images: the bad one has no output, the good one is written, and the run fails naming it.
  await writeImage(join(dir, 'many', 'ok.png'), syntheticImage(64, 64, 1));
  await writeImage(join(dir, 'many', 'tiny.png'), syntheticImage(16, 16, 1));
  const errors: string[] = [];
  await assert.rejects(apply({ inputs: [join(dir, 'many')], output: join(dir, 'many-out'), checkpoint: restorerPath, boxes: ['20,20,30,30'], runtime, onError: (f, e) => errors.push(e.message) }),
    /1 of 2 images failed: .*tiny\.png/);
  assert.match(errors[0], /box 20,20,30,30 is outside the 16x16 image/);
  assert.ok(existsSync(join(dir, 'many-out', 'ok.png')));
  assert.equal(existsSync(join(dir, 'many-out', 'tiny.png')), false);
  // A clean image with auto: nothing found, output identical.
  const clean = syntheticImage(48, 40, 9);
  await writeImage(join(dir, 'clean.png'), clean);
  const [r] = await apply({ inputs: [join(dir, 'clean.png')], output: join(dir, 'clean-out.png'), checkpoint: restorerPath, auto: true, runtime });
  assert.equal(r.regions, 0);
  assert.deepEqual((await readImage(join(dir, 'clean-out.png'))).data, clean.data);
});

test('regionsFromBoxes keeps each box as one region, also when boxes overlap', () => {
  const rs = regionsFromBoxes([{ x: 0, y: 0, w: 5, h: 5 }, { x: 3, y: 3, w: 5, h: 5 }], 10, 10);
  assert.equal(rs.length, 2);
  assert.equal(rs[1].local.length, 25);
});

test('restoreRegions with an alpha cache: the same output, one alpha per box and shape, a new one when the shape changes', async () => {
  const { restoreRegions } = await import('../../src/restore/restore-image.js');
  const clean = syntheticImage(96, 80, 5);
  const mask = fillEllipse(createMask(96, 80), 48, 40, 24, 18);
  const mosaicked = applyMosaic(clean, mask, { blockSize: 8 }).image;
  const [ellipse] = regionsFromMask(mask);
  const [rect] = regionsFromBoxes([ellipse.box], 96, 80); // same box, other shape
  const cache = new Map();
  for (const region of [ellipse, ellipse, rect]) {
    const plain = await restoreRegions(mosaicked, [region], { runner: null, feather: 6 });
    const cached = await restoreRegions(mosaicked, [region], { runner: null, feather: 6, alphaCache: cache });
    assert.deepEqual(cached.image.data, plain.image.data, region.label);
    assert.deepEqual(cache.get(`${region.box.x},${region.box.y},${region.box.w},${region.box.h}|6`)?.alpha, regionAlpha(region, 6).alpha);
  }
  assert.equal(cache.size, 1, 'keyed by box and feather; the shape check replaced the entry');
});
