// --continue-train resumes exactly: 2 epochs straight and 1 + resume + 1 give the same weights,
// also when the first run stops in the middle of an epoch. The resumed runs are started with a
// different seed, so they can only match the straight run if everything (weights, optimizer
// moments, data order, augmentation and dropout streams) came from the checkpoint: a run that
// ignored --continue-train would start from other weights and diverge. They must also run only
// the iterations that were left, report the resumed step, and keep the loss log of the first part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../../src/io/safetensors.js';
import { train as runTraining } from '../../src/train/job.js';
import type { TrainProgress } from '../../src/train/options.js';
import { makeAlignedDataset, makeUnalignedDataset, tempDir } from '../helpers/tiny-datasets.js';

const SEED = 3;
/** The seed the resumed runs are started with: a fresh start with it gives other weights. */
const OTHER_SEED = 41;

const base = (dataroot: string, checkpointsDir: string, name: string, model: 'pix2pix' | 'cycle_gan') => ({
  dataroot, checkpointsDir, name, model, inputNc: 3, outputNc: 3, ngf: 4, ndf: 4, netD: 'basic', nLayersD: 3,
  netG: model === 'pix2pix' ? 'unet_128' : 'resnet_6blocks', initType: 'normal', initGain: 0.02, direction: 'AtoB',
  batchSize: 1, loadSize: model === 'pix2pix' ? 140 : 72, cropSize: model === 'pix2pix' ? 128 : 64, preprocess: 'resize_and_crop', seed: SEED,
  nEpochs: 1, nEpochsDecay: 1, epochCount: 1, lrPolicy: 'linear', lrDecayIters: 50, saveEpochFreq: 1, epoch: 'latest', runtime: { threads: 1 },
} as const);

async function weights(dir: string, role: string) {
  return (await readSafetensors(join(dir, `latest_net_${role}.safetensors`))).tensors;
}

async function assertSameWeights(a: string, b: string, roles: string[]) {
  for (const role of roles) {
    const wa = await weights(a, role);
    const wb = await weights(b, role);
    assert.deepEqual([...wa.keys()], [...wb.keys()]);
    for (const [k, t] of wa) assert.deepEqual(wb.get(k)!.data, t.data, `${role} ${k} differs after resume`);
  }
}

async function sameWeights(a: string, b: string, roles: string[]): Promise<boolean> {
  for (const role of roles) {
    const wa = await weights(a, role);
    const wb = await weights(b, role);
    for (const [k, t] of wa) if (Buffer.compare(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), Buffer.from(wb.get(k)!.data.buffer, wb.get(k)!.data.byteOffset, wb.get(k)!.data.byteLength)) !== 0) return false;
  }
  return true;
}

interface LogLine { epoch: number; iter: number; step: number; lr: number; losses: Record<string, number> }
const lossLog = (dir: string): LogLine[] => readFileSync(join(dir, 'loss_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/** Resumes run NAME (stopped at `stoppedAt`) with the other seed; checks what the resumed part did. */
async function resume(data: string, ck: string, name: string, model: 'pix2pix' | 'cycle_gan', stoppedAt: number) {
  const progress: TrainProgress[] = [];
  const lines: string[] = [];
  const r = await runTraining({ ...base(data, ck, name, model), seed: OTHER_SEED, continueTrain: true, onProgress: (p) => progress.push(p), log: (l) => lines.push(l) });
  assert.equal(r.step, 6);
  assert.ok(lines.some((l) => l.endsWith(`at epoch ${stoppedAt < 3 ? 1 : 2}, step ${stoppedAt}`)), `no resume line for step ${stoppedAt}: ${lines.join(' | ')}`);
  // Only the iterations left were run, numbered on from the checkpoint.
  assert.deepEqual(progress.map((p) => p.step), Array.from({ length: 6 - stoppedAt }, (_, i) => stoppedAt + 1 + i));
  assert.ok(progress.every((p) => p.startStep === stoppedAt && p.totalSteps === 6), JSON.stringify(progress[0]));
  return r;
}

for (const model of ['pix2pix', 'cycle_gan'] as const) {
  test(`${model}: 2 epochs straight equal 1 + resume + 1, and a mid-epoch stop + resume`, async () => {
    const root = tempDir('resume');
    const data = model === 'pix2pix' ? await makeAlignedDataset(join(root, 'data'), 3, 128) : await makeUnalignedDataset(join(root, 'data'), 3, 2, 64);
    const ck = join(root, 'ck');
    const roles = model === 'pix2pix' ? ['G', 'D'] : ['G_A', 'G_B', 'D_A', 'D_B'];
    // pix2pix keeps its U-Net dropout on, so the dropout stream must resume too.
    const straight = await runTraining(base(data, ck, 'straight', model));
    assert.equal(straight.step, 6);
    const straightLog = lossLog(straight.dir);
    assert.deepEqual(straightLog.map((l) => l.step), [1, 2, 3, 4, 5, 6]);

    // The control: a fresh run with the other seed ends elsewhere, so matching weights below prove a resume.
    const fresh = await runTraining({ ...base(data, ck, 'fresh', model), seed: OTHER_SEED });
    assert.equal(await sameWeights(straight.dir, fresh.dir, roles), false, 'the other seed must give other weights');

    const first = await runTraining({ ...base(data, ck, 'split', model), maxSteps: 3 });
    assert.equal(first.step, 3);
    const split = await resume(data, ck, 'split', model, 3);
    await assertSameWeights(straight.dir, split.dir, roles);
    // The loss log keeps the first part and continues it: every line as in the straight run.
    assert.deepEqual(lossLog(split.dir), straightLog);

    await runTraining({ ...base(data, ck, 'mid', model), maxSteps: 2 });
    const mid = await resume(data, ck, 'mid', model, 2);
    await assertSameWeights(straight.dir, mid.dir, roles);
    assert.deepEqual(lossLog(mid.dir), straightLog);
  });
}
