// --continue-train resumes exactly: 2 epochs straight and 1 + resume + 1 give the same weights,
// also when the first run stops in the middle of an epoch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readSafetensors } from '../../src/io/safetensors.js';
import { train as runTraining } from '../../src/train/job.js';
import { makeAlignedDataset, makeUnalignedDataset, tempDir } from '../helpers/tiny-datasets.js';

const base = (dataroot: string, checkpointsDir: string, name: string, model: 'pix2pix' | 'cycle_gan') => ({
  dataroot, checkpointsDir, name, model, inputNc: 3, outputNc: 3, ngf: 4, ndf: 4, netD: 'basic', nLayersD: 3,
  netG: model === 'pix2pix' ? 'unet_128' : 'resnet_6blocks', initType: 'normal', initGain: 0.02, direction: 'AtoB',
  batchSize: 1, loadSize: model === 'pix2pix' ? 140 : 72, cropSize: model === 'pix2pix' ? 128 : 64, preprocess: 'resize_and_crop', seed: 3,
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

for (const model of ['pix2pix', 'cycle_gan'] as const) {
  test(`${model}: 2 epochs straight equal 1 + resume + 1, and a mid-epoch stop + resume`, async () => {
    const root = tempDir('resume');
    const data = model === 'pix2pix' ? await makeAlignedDataset(join(root, 'data'), 3, 128) : await makeUnalignedDataset(join(root, 'data'), 3, 2, 64);
    const ck = join(root, 'ck');
    const roles = model === 'pix2pix' ? ['G', 'D'] : ['G_A', 'G_B', 'D_A', 'D_B'];
    // pix2pix keeps its U-Net dropout on, so the dropout stream must resume too.
    const straight = await runTraining(base(data, ck, 'straight', model));
    assert.equal(straight.step, 6);
    await runTraining({ ...base(data, ck, 'split', model), maxSteps: 3 });
    await runTraining({ ...base(data, ck, 'split', model), continueTrain: true });
    await assertSameWeights(straight.dir, join(ck, 'split'), roles);
    await runTraining({ ...base(data, ck, 'mid', model), maxSteps: 2 });
    const mid = await runTraining({ ...base(data, ck, 'mid', model), continueTrain: true });
    assert.equal(mid.step, 6);
    await assertSameWeights(straight.dir, join(ck, 'mid'), roles);
  });
}
