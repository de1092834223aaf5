// The pix2pix workflow through the CLI, as a user runs it: train (snake_case aliases accepted),
// the files training leaves, test, translate on odd sizes and folders, and clear errors. Outputs
// are checked for content, not only existence: sizes, inputs passed through unchanged, generated
// images that differ from their inputs, and translate agreeing with test on the same image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readImage, type Image } from '../../src/data/image.js';
import { cli } from '../helpers/cli.js';
import { makeAlignedDataset, tempDir } from '../helpers/tiny-datasets.js';

const root = tempDir('cli');
const ck = join(root, 'checkpoints');

const rgb = (file: string) => readImage(file, { channels: 3 });

/** The left (A) or right (B) half of an A|B pair. */
function half(ab: Image, side: 0 | 1): Image {
  const w = ab.width / 2;
  const data = new Uint8Array(w * ab.height * 3);
  for (let y = 0; y < ab.height; y++) data.set(ab.data.subarray((y * ab.width + side * w) * 3, (y * ab.width + side * w + w) * 3), y * w * 3);
  return { width: w, height: ab.height, channels: 3, data };
}

/** Mean absolute difference of two same-size images, in 0..255. */
function meanAbsDiff(a: Image, b: Image): number {
  assert.deepEqual([a.width, a.height, a.channels], [b.width, b.height, b.channels], 'sizes differ');
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

test('train --model pix2pix leaves checkpoints, loss log, loss curve, samples and HTML', async () => {
  await makeAlignedDataset(join(root, 'data'), 2, 128);
  await makeAlignedDataset(join(root, 'data'), 2, 128, 'test');
  const r = cli(['train', '--model', 'pix2pix', '--dataroot', join(root, 'data'), '--name', 'p', '--checkpoints_dir', ck,
    '--netG', 'unet_128', '--ngf', '4', '--ndf', '4', '--load_size', '128', '--crop-size', '128', '--n_epochs', '1', '--n-epochs-decay', '0',
    '--save-epoch-freq', '1', '--threads', '1', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const dir = join(ck, 'p');
  for (const f of ['latest_net_G.safetensors', 'latest_net_D.safetensors', '1_net_G.safetensors', 'latest_train_state.safetensors', 'loss.png', 'train_opt.json', 'web/index.html', 'web/images/epoch001_fake_B.png']) {
    assert.ok(existsSync(join(dir, f)), `missing ${f}`);
  }
  const log = readFileSync(join(dir, 'loss_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(log.length, 2);
  assert.deepEqual(Object.keys(log[0].losses), ['G_GAN', 'G_L1', 'D_real', 'D_fake']);
  assert.deepEqual(log.map((l) => l.step), [1, 2]);
  assert.ok(log.every((l) => Object.values(l.losses as Record<string, number>).every((v) => Number.isFinite(v) && v > 0)), 'losses are positive numbers');
  const sample = await rgb(join(dir, 'web/images/epoch001_fake_B.png'));
  assert.deepEqual([sample.width, sample.height], [128, 128]);
  assert.equal((await sharp(join(dir, 'loss.png')).metadata()).format, 'png');
  const opts = JSON.parse(readFileSync(join(dir, 'train_opt.json'), 'utf8'));
  assert.equal(opts.nEpochs, 1, 'snake_case --n_epochs reached the option');
  assert.equal(opts.ganMode, 'vanilla');
  assert.ok(readFileSync(join(dir, 'web/index.html'), 'utf8').includes('epoch001_fake_B.png'));
});

test('test writes input, output and target per image and an HTML page', async () => {
  const r = cli(['test', '--model', 'pix2pix', '--dataroot', join(root, 'data'), '--name', 'p', '--checkpoints-dir', ck, '--results-dir', join(root, 'results'), '--crop-size', '128', '--eval']);
  assert.equal(r.code, 0, r.stderr);
  const out = join(root, 'results', 'p', 'test_latest');
  const files = readdirSync(join(out, 'images')).sort();
  assert.deepEqual(files, ['000_fake_B.png', '000_real_A.png', '000_real_B.png', '001_fake_B.png', '001_real_A.png', '001_real_B.png']);
  assert.ok(readFileSync(join(out, 'index.html'), 'utf8').includes('001_fake_B.png'));
  for (const i of ['000', '001']) {
    const pair = await rgb(join(root, 'data', 'test', `${i}.png`));
    const [realA, realB, fakeB] = await Promise.all(['real_A', 'real_B', 'fake_B'].map((k) => rgb(join(out, 'images', `${i}_${k}.png`))));
    // Inputs come back unchanged (128x128 at crop 128: no resize, no flip at test time; the
    // tensor round trip is within one level), the output is a new 128x128 image.
    assert.ok(meanAbsDiff(realA, half(pair, 0)) < 0.6, `${i}_real_A is not the A half of the pair`);
    assert.ok(meanAbsDiff(realB, half(pair, 1)) < 0.6, `${i}_real_B is not the B half of the pair`);
    assert.ok(meanAbsDiff(fakeB, realA) > 5 && meanAbsDiff(fakeB, realB) > 5, `${i}_fake_B is a copy of an input`);
  }
});

test('translate keeps any input size and handles folders', async () => {
  const inDir = join(root, 'inputs');
  mkdirSync(inDir, { recursive: true });
  await sharp({ create: { width: 100, height: 77, channels: 3, background: '#805030' } }).png().toFile(join(inDir, 'odd.png'));
  await sharp({ create: { width: 64, height: 200, channels: 3, background: '#204080' } }).jpeg().toFile(join(inDir, 'tall.jpg'));
  const r = cli(['translate', '--checkpoint', join(ck, 'p', 'latest_net_G.safetensors'), inDir, '-o', join(root, 'translated'), '--eval', '--threads', '1']);
  assert.equal(r.code, 0, r.stderr);
  const odd = await rgb(join(root, 'translated', 'odd.png'));
  const tall = await rgb(join(root, 'translated', 'tall.png'));
  assert.deepEqual([odd.width, odd.height, tall.width, tall.height], [100, 77, 64, 200]);
  // The inputs are flat colours; the generator's outputs are not copies of them.
  assert.ok(meanAbsDiff(odd, await rgb(join(inDir, 'odd.png'))) > 5, 'odd.png came back unchanged');
  assert.ok(meanAbsDiff(tall, await rgb(join(inDir, 'tall.jpg'))) > 5, 'tall.jpg came back unchanged');
});

test('translate --eval on the A half of a test pair gives test --eval\'s fake_B', async () => {
  const a = join(root, 'a-half.png');
  await sharp(Buffer.from(half(await rgb(join(root, 'data', 'test', '000.png')), 0).data), { raw: { width: 128, height: 128, channels: 3 } }).png().toFile(a);
  const r = cli(['translate', '--checkpoint', join(ck, 'p', 'latest_net_G.safetensors'), a, '-o', join(root, 'a-fake.png'), '--eval', '--threads', '1']);
  assert.equal(r.code, 0, r.stderr);
  const fromTest = await rgb(join(root, 'results', 'p', 'test_latest', 'images', '000_fake_B.png'));
  assert.ok(meanAbsDiff(await rgb(join(root, 'a-fake.png')), fromTest) < 0.6, 'translate and test disagree on the same image');
});

test('translate refuses a discriminator checkpoint and a file that is not a checkpoint', () => {
  const d = cli(['translate', '--checkpoint', join(ck, 'p', 'latest_net_D.safetensors'), join(root, 'inputs'), '-o', join(root, 'x')]);
  assert.notEqual(d.code, 0);
  assert.match(d.stderr, /latest_net_D\.safetensors holds a discriminator \(D\), not a generator/);
  const junk = join(root, 'junk.safetensors');
  writeFileSync(junk, 'not a checkpoint');
  const j = cli(['translate', '--checkpoint', junk, join(root, 'inputs'), '-o', join(root, 'y')]);
  assert.notEqual(j.code, 0);
  assert.match(j.stderr, /junk\.safetensors/);
  assert.ok(!existsSync(join(root, 'x')) && !existsSync(join(root, 'y')), 'no output written');
});

test('a reference .pth generator loads with architecture flags; a wrong flag names the keys', async () => {
  const pth = new URL('../fixtures/models/resnet_9blocks.pth', import.meta.url).pathname;
  const img = join(root, 'inputs', 'odd.png');
  const ok = cli(['translate', '--checkpoint', pth, '--netG', 'resnet_9blocks', '--norm', 'instance', '--ngf', '4', '--no-dropout', img, '-o', join(root, 'pth.png'), '--eval']);
  assert.equal(ok.code, 0, ok.stderr);
  const out = await rgb(join(root, 'pth.png'));
  assert.deepEqual([out.width, out.height], [100, 77]);
  assert.ok(meanAbsDiff(out, await rgb(img)) > 5, 'the .pth generator returned its input');
  const noFlags = cli(['translate', '--checkpoint', pth, img, '-o', join(root, 'pth2.png')]);
  assert.match(noFlags.stderr, /pass --netG/);
  const wrong = cli(['translate', '--checkpoint', pth, '--netG', 'resnet_6blocks', '--norm', 'instance', '--ngf', '4', '--no-dropout', img, '-o', join(root, 'pth3.png')]);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /unexpected keys: .*model\.1[0-9]\.conv_block/);
});

test('-o with a trailing slash or no image extension is a folder, also for one input', async () => {
  const out = join(root, 'single-out') + '/';
  const r = cli(['translate', '--checkpoint', join(ck, 'p', 'latest_net_G.safetensors'), join(root, 'inputs', 'odd.png'), '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(out), ['odd.png']);
  const img = await rgb(join(out, 'odd.png'));
  assert.deepEqual([img.width, img.height], [100, 77]);
});

test('test takes the model, direction and crop size from the experiment when not given', async () => {
  const r = cli(['test', '--dataroot', join(root, 'data'), '--name', 'p', '--checkpoints-dir', ck, '--results-dir', join(root, 'results2')]);
  assert.equal(r.code, 0, r.stderr);
  const images = join(root, 'results2', 'p', 'test_latest', 'images');
  const [fake, realA] = await Promise.all([rgb(join(images, '000_fake_B.png')), rgb(join(images, '000_real_A.png'))]);
  // Crop size 128 from the experiment (the default would be 256); AtoB: real_A is the pair's left half.
  assert.deepEqual([fake.width, fake.height], [128, 128]);
  assert.ok(meanAbsDiff(realA, half(await rgb(join(root, 'data', 'test', '000.png')), 0)) < 0.6);
});
