// The pix2pix workflow through the CLI, as a user runs it: train (snake_case aliases accepted),
// the files training leaves, test, translate on odd sizes and folders, and clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { cli } from '../helpers/cli.js';
import { makeAlignedDataset, tempDir } from '../helpers/tiny-datasets.js';

const root = tempDir('cli');
const ck = join(root, 'checkpoints');

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
  const opts = JSON.parse(readFileSync(join(dir, 'train_opt.json'), 'utf8'));
  assert.equal(opts.nEpochs, 1, 'snake_case --n_epochs reached the option');
  assert.equal(opts.ganMode, 'vanilla');
  assert.ok(readFileSync(join(dir, 'web/index.html'), 'utf8').includes('epoch001_fake_B.png'));
});

test('test writes input, output and target per image and an HTML page', () => {
  const r = cli(['test', '--model', 'pix2pix', '--dataroot', join(root, 'data'), '--name', 'p', '--checkpoints-dir', ck, '--results-dir', join(root, 'results'), '--crop-size', '128', '--eval']);
  assert.equal(r.code, 0, r.stderr);
  const out = join(root, 'results', 'p', 'test_latest');
  const files = readdirSync(join(out, 'images')).sort();
  assert.deepEqual(files, ['000_fake_B.png', '000_real_A.png', '000_real_B.png', '001_fake_B.png', '001_real_A.png', '001_real_B.png']);
  assert.ok(readFileSync(join(out, 'index.html'), 'utf8').includes('001_fake_B.png'));
});

test('translate keeps any input size and handles folders', async () => {
  const inDir = join(root, 'inputs');
  mkdirSync(inDir, { recursive: true });
  await sharp({ create: { width: 100, height: 77, channels: 3, background: '#805030' } }).png().toFile(join(inDir, 'odd.png'));
  await sharp({ create: { width: 64, height: 200, channels: 3, background: '#204080' } }).jpeg().toFile(join(inDir, 'tall.jpg'));
  const r = cli(['translate', '--checkpoint', join(ck, 'p', 'latest_net_G.safetensors'), inDir, '-o', join(root, 'translated'), '--eval', '--threads', '1']);
  assert.equal(r.code, 0, r.stderr);
  const odd = await sharp(join(root, 'translated', 'odd.png')).metadata();
  const tall = await sharp(join(root, 'translated', 'tall.png')).metadata();
  assert.deepEqual([odd.width, odd.height, tall.width, tall.height], [100, 77, 64, 200]);
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
  assert.equal((await sharp(join(root, 'pth.png')).metadata()).width, 100);
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
});

test('test takes the model, direction and crop size from the experiment when not given', () => {
  const r = cli(['test', '--dataroot', join(root, 'data'), '--name', 'p', '--checkpoints-dir', ck, '--results-dir', join(root, 'results2')]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(root, 'results2', 'p', 'test_latest', 'images', '000_fake_B.png')));
});
