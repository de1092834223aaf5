// CycleGAN through the CLI: train on an unaligned set with the reference defaults, then test
// writes both directions (real, fake, reconstruction) and translate runs one direction. Outputs
// are checked for content: sizes, test inputs passed through unchanged, generated images that
// differ from their inputs, and translate with G_A agreeing with test's fake_B.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readImage, type Image } from '../../src/data/image.js';
import { cli } from '../helpers/cli.js';
import { makeUnalignedDataset, tempDir } from '../helpers/tiny-datasets.js';

const rgb = (file: string) => readImage(file, { channels: 3 });

/** Mean absolute difference of two same-size images, in 0..255. */
function meanAbsDiff(a: Image, b: Image): number {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels], 'sizes differ');
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

test('train --model cycle_gan, test both directions, translate with G_A', async () => {
  const root = tempDir('cyc');
  const ck = join(root, 'ck');
  await makeUnalignedDataset(join(root, 'data'), 2, 3, 64);
  await makeUnalignedDataset(join(root, 'data'), 1, 1, 64, 'test');
  const r = cli(['train', '--model', 'cycle_gan', '--dataroot', join(root, 'data'), '--name', 'c', '--checkpoints-dir', ck, '--netG', 'resnet_6blocks',
    '--ngf', '4', '--ndf', '4', '--load-size', '64', '--crop-size', '64', '--max-steps', '2', '--threads', '1', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const opts = JSON.parse(readFileSync(join(ck, 'c', 'train_opt.json'), 'utf8'));
  assert.deepEqual([opts.norm, opts.ganMode, opts.poolSize, opts.noDropout, opts.lambdaIdentity], ['instance', 'lsgan', 50, true, 0.5]);
  const log = readFileSync(join(ck, 'c', 'loss_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(log[0].losses), ['D_A', 'G_A', 'cycle_A', 'idt_A', 'D_B', 'G_B', 'cycle_B', 'idt_B']);
  for (const role of ['G_A', 'G_B', 'D_A', 'D_B']) assert.ok(existsSync(join(ck, 'c', `latest_net_${role}.safetensors`)), role);

  const t = cli(['test', '--model', 'cycle_gan', '--dataroot', join(root, 'data'), '--name', 'c', '--checkpoints-dir', ck, '--results-dir', join(root, 'res'), '--crop-size', '64']);
  assert.equal(t.code, 0, t.stderr);
  const images = join(root, 'res', 'c', 'test_latest', 'images');
  const files = readdirSync(images).sort();
  const names = files.map((f) => f.replace(/^0_/, ''));
  assert.deepEqual(names, ['fake_A.png', 'fake_B.png', 'real_A.png', 'real_B.png', 'rec_A.png', 'rec_B.png']);
  const img: Record<string, Image> = {};
  for (const f of files) img[f.replace(/^0_|\.png$/g, '')] = await rgb(join(images, f));
  for (const [k, v] of Object.entries(img)) assert.deepEqual([v.width, v.height], [64, 64], k);
  // Inputs as read (64x64 at crop 64, no flip at test time), generated images new.
  assert.ok(meanAbsDiff(img.real_A, await rgb(join(root, 'data', 'testA', '0.png'))) < 0.6, 'real_A is not testA/0.png');
  assert.ok(meanAbsDiff(img.real_B, await rgb(join(root, 'data', 'testB', '0.png'))) < 0.6, 'real_B is not testB/0.png');
  for (const [out, input] of [['fake_B', 'real_A'], ['rec_A', 'real_A'], ['fake_A', 'real_B'], ['rec_B', 'real_B'], ['rec_A', 'fake_B'], ['rec_B', 'fake_A']]) {
    assert.ok(meanAbsDiff(img[out], img[input]) > 2, `${out} is a copy of ${input}`);
  }

  const tr = cli(['translate', '--checkpoint', join(ck, 'c', 'latest_net_G_A.safetensors'), join(root, 'data', 'testA'), '-o', join(root, 'out')]);
  assert.equal(tr.code, 0, tr.stderr);
  assert.deepEqual(readdirSync(join(root, 'out')), ['0.png']);
  // G_A on testA/0.png is test's fake_B (instance norm: train and eval mode agree).
  assert.ok(meanAbsDiff(await rgb(join(root, 'out', '0.png')), img.fake_B) < 0.6, 'translate with G_A disagrees with test\'s fake_B');
});
