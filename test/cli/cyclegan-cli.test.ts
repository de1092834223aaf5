// CycleGAN through the CLI: train on an unaligned set with the reference defaults, then test
// writes both directions (real, fake, reconstruction) and translate runs one direction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';
import { makeUnalignedDataset, tempDir } from '../helpers/tiny-datasets.js';

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
  const names = readdirSync(join(root, 'res', 'c', 'test_latest', 'images')).map((f) => f.replace(/^0_/, '')).sort();
  assert.deepEqual(names, ['fake_A.png', 'fake_B.png', 'real_A.png', 'real_B.png', 'rec_A.png', 'rec_B.png']);

  const tr = cli(['translate', '--checkpoint', join(ck, 'c', 'latest_net_G_A.safetensors'), join(root, 'data', 'testA'), '-o', join(root, 'out')]);
  assert.equal(tr.code, 0, tr.stderr);
  assert.deepEqual(readdirSync(join(root, 'out')), ['0.png']);
});
