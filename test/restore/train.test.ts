// restore train: pairs made once and reused (also on --continue-train), refused when the
// settings differ, training resumes; the trained generator restores an image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImage, writeImage } from '../../src/data/image.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { restoreFiles } from '../../src/restore/files.js';
import { restoreTrain, restoreTrainingOptions } from '../../src/restore/train.js';
import { RESTORE_TRAIN_SETTINGS } from '../../src/restore/settings.js';
import { tempDir } from '../helpers/tiny-datasets.js';

test('restore train: pairs, 2 steps, resume to 3 with the pairs reused; other settings refused; the generator applies', async () => {
  const root = tempDir('restore-train');
  const images = join(root, 'photos');
  for (let i = 0; i < 2; i++) await writeImage(join(images, `p${i}.png`), syntheticImage(150, 140, i));
  const ck = join(root, 'ck');
  const lines: string[] = [];
  const base = { images, checkpointsDir: ck, name: 'r', size: 128, pairsPerImage: 2, batchSize: 2, ngf: 4, ndf: 4, seed: 1, nEpochs: 1, nEpochsDecay: 1, runtime: { threads: 1 }, log: (l: string) => lines.push(l) };
  const quietLog = console.log;
  console.log = () => undefined;
  try {
    const first = await restoreTrain({ ...base, maxSteps: 2 });
    assert.equal(first.step, 2);
    assert.equal(first.pairs, 4);
    assert.match(lines.join('\n'), /made 4 training pairs/);
    const pairFile = join(ck, 'r', 'pairs', 'train', '0000.png');
    const before = readFileSync(pairFile);
    const resumed = await restoreTrain({ ...base, maxSteps: 3, continueTrain: true });
    assert.equal(resumed.step, 3);
    assert.match(lines.join('\n'), /reusing 4 training pairs/);
    assert.deepEqual(readFileSync(pairFile), before);
    // B is the residual: grey (128) wherever A was not mosaicked.
    const ab = await readImage(pairFile);
    let grey = 0;
    for (let y = 0; y < 128; y++) for (let x = 0; x < 128; x++) if (ab.data[(y * 256 + 128 + x) * 3] === 128) grey++;
    assert.ok(grey > 0);
    await assert.rejects(restoreTrain({ ...base, pairsPerImage: 3, maxSteps: 1 }), /holds pairs made with other settings \(size 128, 2 per image, large-region share 1, input smooth, target residual, styles average,center,random, consistency on, seed 1, 2 images; this run: size 128, 3 per image/);
    await assert.rejects(restoreTrain({ ...base, largeRegionShare: 0.5, maxSteps: 1 }), /large-region share 1, .*this run: .*large-region share 0.5,/);
    await assert.rejects(restoreTrain({ ...base, target: 'image', maxSteps: 1 }), /target residual, .*this run: .*target image,/);
    await assert.rejects(restoreTrain({ ...base, input: 'mosaic', maxSteps: 1 }), /input smooth, .*this run: .*input mosaic,/);
    await assert.rejects(restoreTrain({ ...base, styles: ['average'], maxSteps: 1 }), /styles average,center,random, .*this run: .*styles average,/);
    await assert.rejects(restoreTrain({ ...base, consistency: false, maxSteps: 1 }), /consistency on, .*this run: .*consistency off,/);
    await assert.rejects(restoreTrain({ ...base, size: 200 }), /restore\.train: option 'size': expected 128 \(unet_128\) or 256 \(unet_256\).*got 200/);
    await assert.rejects(restoreTrain({ ...base, styles: ['blurred' as 'average'] }), /option 'styles\.0': expected one of 'average'\|'center'\|'random', got "blurred"/);
    await assert.rejects(restoreTrain({ ...base, loss: 'l3' as 'l1' }), /option 'loss': expected one of 'l1'\|'l2', got "l3"/);
    await assert.rejects(restoreTrain({ ...base, largeRegionShare: 2 }), /option 'largeRegionShare': expected number to be <=1, got 2/);
  } finally {
    console.log = quietLog;
  }
  const opts = JSON.parse(readFileSync(join(ck, 'r', 'train_opt.json'), 'utf8'));
  assert.equal(opts.netG, 'unet_128');
  assert.equal(opts.preprocess, RESTORE_TRAIN_SETTINGS.preprocess);
  assert.equal(opts.direction, 'AtoB');
  assert.equal(opts.lambdaL1, 10000);
  assert.equal(opts.batchSize, 2);
  assert.equal(opts.reconstructionLoss, 'l1');
  const info = JSON.parse(readFileSync(join(ck, 'r', 'restore.json'), 'utf8'));
  assert.equal(info.size, 128);
  assert.equal(info.batchSize, 2);
  assert.equal(info.target, 'residual');
  assert.equal(info.input, 'smooth');
  assert.deepEqual(info.styles, ['average', 'center', 'random']);
  assert.equal(info.consistency, true);
  // Every pair (default share 1) has its region from the large-region source: recorded as 'source' shapes.
  const manifest = JSON.parse(readFileSync(join(ck, 'r', 'pairs', 'manifest.json'), 'utf8'));
  assert.ok(manifest.pairs.every((p: { shapes: { kind: string }[] }) => p.shapes[0].kind === 'source'));

  // The generator: size read from restore.json; only the box (+ feather band) changes.
  const src = join(root, 'in.png');
  const img = syntheticImage(90, 70, 5);
  await writeImage(src, img);
  await restoreFiles([src], join(root, 'out.png'), { checkpoint: join(ck, 'r', 'latest_net_G.safetensors'), boxes: ['20,20,30,20'], feather: 4, runtime: { threads: 1 } });
  const out = await readImage(join(root, 'out.png'));
  let inside = 0;
  for (let y = 0; y < 70; y++) {
    for (let x = 0; x < 90; x++) {
      const diff = [0, 1, 2].some((k) => out.data[(y * 90 + x) * 3 + k] !== img.data[(y * 90 + x) * 3 + k]);
      if (diff) assert.ok(x >= 16 && x < 54 && y >= 16 && y < 44, `(${x},${y})`);
      if (diff && x >= 20 && x < 50 && y >= 20 && y < 40) inside++;
    }
  }
  assert.ok(inside > 0);
  assert.ok(existsSync(join(ck, 'r', 'latest_net_D.safetensors')));
});

test('restoreTrainingOptions: U-Net per size, no resize, restoration defaults', () => {
  const o = restoreTrainingOptions({ images: 'x', size: 256 }, 'd');
  assert.equal(o.netG, 'unet_256');
  assert.equal(o.loadSize, 256);
  assert.equal(o.cropSize, 256);
  assert.equal(o.dropout, false);
  assert.equal(o.model, 'pix2pix');
  assert.equal(restoreTrainingOptions({ images: 'x', size: 128 }, 'd').netG, 'unet_128');
});
