// restore apply: only the regions and their feather band change; several regions; odd sizes;
// folders; clear errors that leave no output behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { readImage, writeImage, type Image } from '../../src/data/image.js';
import { defineD, defineG, parseDiscriminatorConfig, parseGeneratorConfig } from '../../src/models/networks.js';
import { createMask, maskToImage, type Mask } from '../../src/mosaic/mask.js';
import { fillEllipse, fillRect } from '../../src/mosaic/shapes.js';
import { applyMosaic } from '../../src/mosaic/mosaic.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { planRegion, regionAlpha, restoreImage } from '../../src/restore/apply.js';
import { blockGridBaseline } from '../../src/restore/baseline.js';
import { psnr } from '../../src/restore/metrics.js';
import { registerRestoreCommands } from '../../src/cli/restore.js';
import { restoreFiles as restoreFilesAnyThreads, type RestoreFilesOptions } from '../../src/restore/files.js';
import { regionsFromBoxes, regionsFromMask } from '../../src/restore/regions.js';
import { saveNetwork } from '../../src/models/checkpoint.js';
import { tempDir } from '../helpers/tiny-datasets.js';

const restoreFiles = (inputs: string[], output: string, o: RestoreFilesOptions) => restoreFilesAnyThreads(inputs, output, { runtime: { threads: 1 }, ...o });

const root = tempDir('restore-apply');
const genPath = join(root, 'latest_net_G.safetensors');
const discPath = join(root, 'latest_net_D.safetensors');
const meta = { format: 'img2img-network' as const, model: 'pix2pix', epoch: 1, step: 0 };
const gCfg = parseGeneratorConfig({ netG: 'unet_128', inputNc: 3, outputNc: 3, ngf: 4, norm: 'batch', useDropout: false });
const dCfg = parseDiscriminatorConfig({ netD: 'basic', inputNc: 6, ndf: 4, norm: 'batch' });
await saveNetwork(genPath, defineG(gCfg), { ...meta, role: 'G', kind: 'generator', config: gCfg as unknown as Record<string, unknown> });
await saveNetwork(discPath, defineD(dCfg), { ...meta, role: 'D', kind: 'discriminator', config: dCfg as unknown as Record<string, unknown> });

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

/** A mosaicked odd-size image with two separate regions (a rectangle and an ellipse). */
function mosaicked(w: number, h: number): { img: Image; mask: Mask } {
  const mask = createMask(w, h);
  fillRect(mask, { x: 3, y: 5, w: 30, h: 21 });
  fillEllipse(mask, w - 30, h - 25, 17, 13);
  return { img: applyMosaic(syntheticImage(w, h, 7), mask, { blockSize: 6 }).image, mask };
}

test('alpha: exactly 1 on the region, 0 beyond the feather band; the window is square and >= the model size', () => {
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
  const plan = planRegion({ x: 0, y: 3, w: 20, h: 60 }, 45, 70, 128, 16, 8);
  assert.equal(plan.window.w, 128);
  assert.equal(plan.window.h, 128);
  assert.deepEqual(plan.band, { x: 0, y: 0, w: 28, h: 70 });
  const big = planRegion({ x: 100, y: 40, w: 200, h: 50 }, 400, 300, 128, 16, 8);
  assert.equal(big.window.w, 256); // 232 rounded up to a multiple of the model size; no resizing
  assert.equal(big.modelSide, 256);
  assert.ok(big.window.x <= 84 && big.window.x + 256 >= 316);
  const huge = planRegion({ x: 0, y: 0, w: 1100, h: 90 }, 1200, 100, 128, 16, 8);
  assert.equal(huge.window.w, 1132);
  assert.equal(huge.modelSide, 1024); // past 8 x 128 the window is resized to 1024
});

test('restoreImage: several regions on an odd-size image; pixels beyond the feather band are bit-identical', async () => {
  const { img, mask } = mosaicked(157, 93);
  const identity = async (win: Image) => ({ ...win, data: win.data.map((v) => 255 - v) });
  for (const feather of [0, 5, 8]) {
    const out = await restoreImage(img, regionsFromMask(mask), identity, { size: 128, modelChannels: 3, margin: 16, feather, consistency: false });
    const band = feather > 0 ? 2 * Math.ceil(feather / 2) : 0;
    const diff = changed(img, out);
    assert.ok(diff.length > 0);
    for (const [x, y] of diff) assert.ok(distToMask(mask, x, y) <= band, `feather ${feather}: (${x},${y}) changed`);
    // Every region pixel got the model output (alpha 1 there), whatever its distance to the border.
    for (let p = 0; p < mask.data.length; p++) if (mask.data[p]) assert.equal(out.data[p * 3], 255 - img.data[p * 3]);
  }
});

test('smoothed input + consistency with a do-nothing model: closer to the original than the block-grid baseline, outside untouched', async () => {
  const clean = syntheticImage(150, 110, 11, { noise: 3 });
  const mask = createMask(150, 110);
  fillRect(mask, { x: 20, y: 14, w: 61, h: 45 });
  fillEllipse(mask, 110, 75, 25, 20);
  const mosaicked = applyMosaic(clean, mask, { blockSize: 7, style: 'average', grid: 'image' }).image;
  const baseline = await blockGridBaseline(mosaicked, mask, { bw: 7, bh: 7, ox: 0, oy: 0 });
  const out = await restoreImage(mosaicked, regionsFromMask(mask), async (w) => w, { size: 128, modelChannels: 3, feather: 0, smoothInput: true });
  assert.ok(psnr(out, clean, mask) > psnr(baseline, clean, mask), `${psnr(out, clean, mask)} vs ${psnr(baseline, clean, mask)}`);
  assert.ok(psnr(baseline, clean, mask) > psnr(mosaicked, clean, mask));
  for (const [x, y] of changed(mosaicked, out)) assert.equal(mask.data[y * 150 + x], 1);
});

test('center-style mosaic (block colour = one pixel): without consistency the smoothing is not pulled to the samples and scores better', async () => {
  const clean = syntheticImage(150, 110, 12, { noise: 3 });
  const mask = createMask(150, 110);
  fillRect(mask, { x: 20, y: 14, w: 91, h: 75 });
  const mosaicked = applyMosaic(clean, mask, { blockSize: 8, style: 'center', grid: 'image' }).image;
  const o = { size: 128, modelChannels: 3 as const, feather: 0, smoothInput: true };
  const forced = await restoreImage(mosaicked, regionsFromMask(mask), async (w) => w, o);
  const free = await restoreImage(mosaicked, regionsFromMask(mask), async (w) => w, { ...o, consistency: false });
  assert.ok(psnr(free, clean, mask) > psnr(forced, clean, mask) + 0.5, `${psnr(free, clean, mask)} vs ${psnr(forced, clean, mask)}`);
  assert.ok(psnr(free, clean, mask) > psnr(mosaicked, clean, mask));
  for (const [x, y] of changed(mosaicked, free)) assert.equal(mask.data[y * 150 + x], 1);
});

test('restoreFiles: consistency defaults to what restore.json says the model was trained with', async () => {
  const dir = join(root, 'consistency');
  const ck = join(dir, 'ck');
  await mkdir(ck, { recursive: true });
  await saveNetwork(join(ck, 'latest_net_G.safetensors'), defineG(gCfg), { ...meta, role: 'G', kind: 'generator', config: gCfg as unknown as Record<string, unknown> });
  await writeFile(join(ck, 'restore.json'), JSON.stringify({ size: 128, input: 'smooth', target: 'residual', batchSize: 8, consistency: false }));
  const mask = createMask(90, 70);
  fillRect(mask, { x: 10, y: 10, w: 60, h: 48 });
  await writeImage(join(dir, 'in.png'), applyMosaic(syntheticImage(90, 70, 4), mask, { blockSize: 6, style: 'center', grid: 'image' }).image);
  const run = async (name: string, consistency?: boolean) => {
    await restoreFiles([join(dir, 'in.png')], join(dir, name), { checkpoint: join(ck, 'latest_net_G.safetensors'), boxes: ['10,10,60,48'], consistency });
    return readImage(join(dir, name));
  };
  const byDefault = await run('default.png');
  assert.deepEqual(byDefault.data, (await run('off.png', false)).data);
  assert.ok(changed(byDefault, await run('on.png', true)).length > 0);
});

test('restoreFiles: real generator checkpoint, mask with 2 components and boxes, any aspect ratio, grey and RGBA inputs', async () => {
  const dir = join(root, 'files');
  const { img, mask } = mosaicked(161, 67);
  await writeImage(join(dir, 'in.png'), img);
  await writeImage(join(dir, 'mask.png'), maskToImage(mask));
  const done = await restoreFiles([join(dir, 'in.png')], join(dir, 'out.png'), { checkpoint: genPath, mask: join(dir, 'mask.png'), boxes: ['140,60,21,7'] });
  assert.equal(done[0].regions, 3);
  // -o without an image extension names a folder (as translate and mosaic add).
  const [intoDir] = await restoreFiles([join(dir, 'in.png')], join(dir, 'outdir'), { checkpoint: genPath, boxes: ['1,1,8,8'] });
  assert.equal(intoDir.output, join(dir, 'outdir', 'in.png'));
  assert.ok(existsSync(intoDir.output));
  const out = await readImage(join(dir, 'out.png'));
  const union = maskToImage(mask);
  const all = createMask(161, 67);
  for (let p = 0; p < all.data.length; p++) all.data[p] = union.data[p] ? 1 : 0;
  fillRect(all, { x: 140, y: 60, w: 21, h: 7 });
  for (const [x, y] of changed(img, out)) assert.ok(distToMask(all, x, y) <= 8, `(${x},${y}) changed`);
  // The self-ensemble (8 symmetries of each window) changes the same pixels only, and its result
  // differs from the single pass (the random-init model is not symmetric).
  await restoreFiles([join(dir, 'in.png')], join(dir, 'ens.png'), { checkpoint: genPath, mask: join(dir, 'mask.png'), boxes: ['140,60,21,7'], ensemble: true });
  const ens = await readImage(join(dir, 'ens.png'));
  for (const [x, y] of changed(img, ens)) assert.ok(distToMask(all, x, y) <= 8, `ensemble: (${x},${y}) changed`);
  assert.ok(changed(out, ens).length > 0);

  // A tall grey image and an RGBA one: channels kept, alpha untouched.
  const grey: Image = { width: 31, height: 140, channels: 1, data: syntheticImage(31, 140, 3).data.filter((_, i) => i % 3 === 0) };
  await writeImage(join(dir, 'grey.png'), grey);
  await restoreFiles([join(dir, 'grey.png')], join(dir, 'grey-out.png'), { checkpoint: genPath, boxes: ['5,100,20,30'], feather: 0 });
  const g2 = await readImage(join(dir, 'grey-out.png'));
  assert.equal(g2.channels, 1);
  for (const [x, y] of changed(grey, g2)) assert.ok(x >= 5 && x < 25 && y >= 100 && y < 130);
  const rgba: Image = { width: 40, height: 40, channels: 4, data: new Uint8Array(40 * 40 * 4).map((_, i) => (i % 4 === 3 ? 77 : (i * 7) % 256)) };
  await writeImage(join(dir, 'rgba.png'), rgba);
  await restoreFiles([join(dir, 'rgba.png')], join(dir, 'rgba-out.png'), { checkpoint: genPath, boxes: ['10,10,12,12'], feather: 2 });
  const r2 = await readImage(join(dir, 'rgba-out.png'));
  assert.equal(r2.channels, 4);
  for (let p = 0; p < 1600; p++) assert.equal(r2.data[p * 4 + 3], 77);
});

test('restore apply (CLI): a folder in, PNG files out under their names', async () => {
  const dir = join(root, 'cli');
  await writeImage(join(dir, 'in', 'a.png'), syntheticImage(70, 50, 1));
  await writeImage(join(dir, 'in', 'sub', 'b.jpg'), syntheticImage(50, 90, 2));
  const program = new Command('img2img').exitOverride();
  registerRestoreCommands(program);
  const log = console.log;
  let stdout = '';
  console.log = (...a: unknown[]) => { stdout += a.join(' ') + '\n'; };
  try {
    await program.parseAsync(['restore', 'apply', join(dir, 'in'), '-o', join(dir, 'out'), '--checkpoint', genPath, '--box', '10,10,20,20', '--box', '30,20,15,15', '--threads', '1'], { from: 'user' });
  } finally {
    console.log = log;
  }
  assert.match(stdout, /restored 4 region\(s\) in 2 image\(s\)/);
  assert.ok(existsSync(join(dir, 'out', 'a.png')));
  assert.ok(existsSync(join(dir, 'out', 'sub', 'b.png')));
  const a = await readImage(join(dir, 'in', 'a.png')), a2 = await readImage(join(dir, 'out', 'a.png'));
  for (const [x, y] of changed(a, a2)) assert.ok(x >= 2 && x < 53 && y >= 2 && y < 43);
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
    [{ checkpoint: genPath, mask: join(dir, 'big-mask.png') }, /mask .*big-mask\.png is 64x48 but the image is 32x32/],
    [{ checkpoint: genPath, boxes: ['20,20,20,5'] }, /box 20,20,20,5 is outside the 32x32 image/],
    [{ checkpoint: genPath, boxes: ['-1,0,4,4'] }, /box -1,0,4,4 is outside the 32x32 image/],
    [{ checkpoint: discPath, boxes: ['1,1,4,4'] }, /cannot use .*latest_net_D\.safetensors as a restoration model: .*discriminator/],
    [{ checkpoint: join(dir, 'random.safetensors'), boxes: ['1,1,4,4'] }, /cannot use .*random\.safetensors as a restoration model/],
    [{ checkpoint: join(dir, 'missing.safetensors'), boxes: ['1,1,4,4'] }, /missing\.safetensors .*does not exist/],
    [{ checkpoint: genPath }, /no region given/],
  ];
  for (const [opts, re] of cases) {
    await assert.rejects(restoreFiles([src], out, opts as never), re);
    assert.equal(existsSync(out), false, `output written despite ${re}`);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.')), [], 'no temp files left');
  // Malformed box text is refused too.
  await assert.rejects(restoreFiles([src], out, { checkpoint: genPath, boxes: ['1,2,3'] }), /bad box "1,2,3"/);
  // Several images: the bad one has no output, the good one is written, and the run fails naming it.
  await writeImage(join(dir, 'many', 'ok.png'), syntheticImage(64, 64, 1));
  await writeImage(join(dir, 'many', 'tiny.png'), syntheticImage(16, 16, 1));
  const errors: string[] = [];
  await assert.rejects(restoreFiles([join(dir, 'many')], join(dir, 'many-out'), { checkpoint: genPath, boxes: ['20,20,30,30'], onError: (f, e) => errors.push(e.message) }), /1 of 2 images failed: .*tiny\.png/);
  assert.match(errors[0], /box 20,20,30,30 is outside the 16x16 image/);
  assert.ok(existsSync(join(dir, 'many-out', 'ok.png')));
  assert.equal(existsSync(join(dir, 'many-out', 'tiny.png')), false);
  // A clean image with --auto: nothing found, output identical.
  const clean = syntheticImage(48, 40, 9);
  await writeImage(join(dir, 'clean.png'), clean);
  const [r] = await restoreFiles([join(dir, 'clean.png')], join(dir, 'clean-out.png'), { checkpoint: genPath, auto: true });
  assert.equal(r.regions, 0);
  assert.deepEqual((await readImage(join(dir, 'clean-out.png'))).data, clean.data);
});

test('regionsFromBoxes keeps each box as one region, also when boxes overlap', () => {
  const rs = regionsFromBoxes([{ x: 0, y: 0, w: 5, h: 5 }, { x: 3, y: 3, w: 5, h: 5 }], 10, 10);
  assert.equal(rs.length, 2);
  assert.equal(rs[1].local.length, 25);
});
