// Issue 17, items 2, 5 and 6 on a real (tiny) pix2pix run: a checkpoint whose files come from
// different saves is refused, stale temp files are cleaned, a half-written loss-log line does
// not break --continue-train, a broken train_opt.json is named, a dataset of unreadable images
// fails naming the dataroot, an existing run is not wiped without --overwrite, and file names
// are escaped in test's index.html.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { train } from '../../src/train/job.js';
import { test as runTest } from '../../src/train/test-job.js';
import { recoverCheckpointSet, saveCheckpointSet } from '../../src/train/checkpoint-set.js';
import { makeAlignedDataset, tempDir } from '../helpers/tiny-datasets.js';

const root = tempDir('runs');
const data = join(root, 'data');
const ck = join(root, 'ck');
const base = (name: string) => ({
  dataroot: data, checkpointsDir: ck, name, model: 'pix2pix', netG: 'unet_128', ngf: 4, ndf: 4, loadSize: 136, cropSize: 128,
  nEpochs: 1, nEpochsDecay: 1, saveEpochFreq: 100, seed: 5, runtime: { threads: 1 },
} as const);

test.before(async () => {
  await makeAlignedDataset(data, 2, 128);
  await makeAlignedDataset(data, 1, 128, 'test');
});
test.after(() => rmSync(root, { recursive: true, force: true }));

const weights = async (dir: string) => {
  const out: Record<string, Buffer> = {};
  for (const f of ['latest_net_G.safetensors', 'latest_net_D.safetensors', 'latest_train_state.safetensors']) out[f] = readFileSync(join(dir, f));
  return out;
};

test('mixed checkpoint files are refused; a half-written loss-log line and stale temps do not stop the resume, which ends identical', async () => {
  const straight = await train(base('straight'));
  assert.equal(straight.step, 4);
  const half = await train({ ...base('half'), maxSteps: 2 });
  assert.equal(half.step, 2);

  // G from step 4 beside D and state from step 2: what a kill between two renames used to leave.
  const mixed = join(ck, 'mixed');
  cpSync(half.dir, mixed, { recursive: true });
  copyFileSync(join(straight.dir, 'latest_net_G.safetensors'), join(mixed, 'latest_net_G.safetensors'));
  await assert.rejects(train({ ...base('mixed'), continueTrain: true }),
    /cannot resume: .*mixed\/latest_net_G\.safetensors is not the file the step 2 checkpoint saved/);
  rmSync(join(mixed, 'latest_checkpoint.json')); // a run saved before manifests: the files' own steps are compared
  await assert.rejects(train({ ...base('mixed'), continueTrain: true }),
    /cannot resume .*mixed from 'latest': its files come from different saves \(.*latest_net_G\.safetensors step 4, .*latest_net_D\.safetensors step 2/);

  // A kill mid-append leaves half a line; killed writes leave temp files.
  appendFileSync(join(half.dir, 'loss_log.jsonl'), '{"epoch":2,"iter":1,"st');
  writeFileSync(join(half.dir, '.latest_net_G.safetensors.4242.abcdef.tmp'), 'partial');
  writeFileSync(join(half.dir, '.latest_net_D.safetensors.4.next'), 'staged but never committed');
  const resumed = await train({ ...base('half'), continueTrain: true });
  assert.equal(resumed.step, 4);
  assert.deepEqual(readdirSync(half.dir).filter((f) => f.startsWith('.')), []);
  const lines = readFileSync(join(half.dir, 'loss_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number });
  assert.deepEqual(lines.map((l) => l.step), [1, 2, 3, 4]);
  assert.deepEqual(await weights(half.dir), await weights(straight.dir));
  assert.equal(readFileSync(join(half.dir, 'loss_log.jsonl'), 'utf8'), readFileSync(join(straight.dir, 'loss_log.jsonl'), 'utf8'));
});

test('train on an existing run without --continue-train is refused and wipes nothing; --overwrite starts over', async () => {
  const first = await train({ ...base('again'), maxSteps: 1 });
  const log = readFileSync(join(first.dir, 'loss_log.jsonl'), 'utf8');
  await assert.rejects(train(base('again')), /again already holds a training run \(.*\); pass --continue-train \(continueTrain\) to resume it, or --overwrite/);
  assert.equal(readFileSync(join(first.dir, 'loss_log.jsonl'), 'utf8'), log);
  assert.ok(existsSync(join(first.dir, 'latest_net_G.safetensors')));
  const over = await train({ ...base('again'), maxSteps: 1, overwrite: true, seed: 6 });
  assert.equal(over.step, 1);
  assert.equal(readFileSync(join(first.dir, 'loss_log.jsonl'), 'utf8').trim().split('\n').length, 1);
});

test('a dataset whose images are all unreadable fails naming the dataroot (not "hconcat: no images")', async () => {
  const bad = join(root, 'bad');
  mkdirSync(join(bad, 'train'), { recursive: true });
  writeFileSync(join(bad, 'train', 'a.png'), 'not a png');
  writeFileSync(join(bad, 'train', 'b.jpg'), Buffer.alloc(100, 7));
  const warnings: string[] = [];
  await assert.rejects(train({ ...base('bad'), dataroot: bad, warn: (w) => warnings.push(w) }),
    new RegExp(`no readable images in ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: every image was skipped in epoch 1`));
  assert.equal(warnings.length, 2);
});

test("test: a broken train_opt.json is named; file names are escaped in index.html", async () => {
  const run = await train({ ...base('html'), maxSteps: 1 });
  const evil = '<img src=x onerror=alert(1)>';
  const testDir = join(data, 'test');
  const [first] = readdirSync(testDir);
  copyFileSync(join(testDir, first), join(testDir, `${evil}.png`));
  const res = await runTest({ dataroot: data, name: 'html', checkpointsDir: ck, resultsDir: join(root, 'results'), runtime: { threads: 1 } });
  const html = readFileSync(join(res.dir, 'index.html'), 'utf8');
  assert.ok(!html.includes(evil), 'the file name reached the page unescaped');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  rmSync(join(testDir, `${evil}.png`));

  writeFileSync(join(run.dir, 'train_opt.json'), '{"model": "pix2pix", "direc');
  await assert.rejects(runTest({ dataroot: data, name: 'html', checkpointsDir: ck, resultsDir: join(root, 'results') }),
    /cannot read .*html\/train_opt\.json: .*JSON.*; fix or delete it/);
});

test('checkpoint sets: a committed save is rolled forward, an uncommitted one discarded', async () => {
  const dir = join(root, 'sets');
  mkdirSync(dir);
  const file = (name: string, v: number) => ({ name, bytes: Uint8Array.of(v, v, v) });
  await saveCheckpointSet(dir, 'latest', 10, 1, [file('latest_net_G.safetensors', 1), file('latest_train_state.safetensors', 2)]);
  // Committed step 20, killed after the first rename: the second file is still staged.
  await saveCheckpointSet(dir, 'latest', 20, 2, [file('latest_net_G.safetensors', 3), file('latest_train_state.safetensors', 4)]);
  writeFileSync(join(dir, '.latest_train_state.safetensors.20.next'), Uint8Array.of(4, 4, 4));
  writeFileSync(join(dir, 'latest_train_state.safetensors'), Uint8Array.of(2, 2, 2));
  // And staged files of step 30 whose manifest was never written.
  writeFileSync(join(dir, '.latest_net_G.safetensors.30.next'), Uint8Array.of(5));
  const m = recoverCheckpointSet(dir, 'latest');
  assert.equal(m?.step, 20);
  assert.deepEqual([...readFileSync(join(dir, 'latest_train_state.safetensors'))], [4, 4, 4]);
  assert.deepEqual([...readFileSync(join(dir, 'latest_net_G.safetensors'))], [3, 3, 3]);
  assert.deepEqual(readdirSync(dir).sort(), ['latest_checkpoint.json', 'latest_net_G.safetensors', 'latest_train_state.safetensors']);
});
