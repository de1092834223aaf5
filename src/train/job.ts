// The `train` job: pix2pix or CycleGAN on a dataset folder, as the reference's train.py.
import { AlignedDataset } from '../data/aligned-dataset.js';
import { UnalignedDataset } from '../data/unaligned-dataset.js';
import { DataLoader } from '../data/loader.js';
import type { Channels } from '../data/image.js';
import { runtimeOptions } from '../runtime/options.js';
import { parseOptions } from '../util/options.js';
import { buildModel } from './build.js';
import { resolveModelDefaults, trainSchema, type TrainOptions } from './options.js';
import { trainLoop, type TrainResult } from './trainer.js';

/**
 * Trains a model as the reference's train.py does: checkpoints, loss log and curve, per-epoch
 * samples and HTML page in CHECKPOINTS_DIR/NAME; `continueTrain` resumes exactly. Options are
 * validated (an error names each bad option); defaults are the reference's (MODEL_DEFAULTS for
 * what depends on the model).
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const parsed = parseOptions(trainSchema, 'train', options);
  const o = resolveModelDefaults(parsed);
  const log = parsed.log ?? (() => undefined);
  const { model, configs, rng } = buildModel(o, runtimeOptions(parsed.runtime));
  const dsOpts = {
    root: o.dataroot, phase: 'train', direction: o.direction, inputNc: o.inputNc as Channels, outputNc: o.outputNc as Channels,
    preprocess: o.preprocess, loadSize: o.loadSize, cropSize: o.cropSize, noFlip: !o.flip,
    serialBatches: o.serialBatches, maxDatasetSize: o.maxDatasetSize ?? Infinity, maxImagePixels: o.maxImagePixels, ...(parsed.warn ? { warn: parsed.warn } : {}),
  };
  const dataset = o.model === 'pix2pix' ? await AlignedDataset.open(dsOpts) : await UnalignedDataset.open(dsOpts);
  const loader = new DataLoader(dataset, { batchSize: o.batchSize, seed: o.seed, serialBatches: o.serialBatches, maxDatasetSize: o.maxDatasetSize });
  const sizes = Object.entries(model.networks()).map(([r, n]) => `${r} ${(n.parameterCount() / 1e6).toFixed(2)}M params`);
  log(`${o.model}: ${dataset.length} training images, ${sizes.join(', ')}`);
  return trainLoop(model, loader, {
    name: o.name,
    checkpointsDir: o.checkpointsDir,
    schedule: { policy: o.lrPolicy, lr: o.lr, nEpochs: o.nEpochs, nEpochsDecay: o.nEpochsDecay, epochCount: o.epochCount, lrDecayIters: o.lrDecayIters },
    maxSteps: o.maxSteps,
    saveEpochFreq: o.saveEpochFreq,
    continueFrom: o.continueTrain ? o.epoch : undefined,
    overwrite: o.overwrite,
    configs,
    options: o,
    rngs: { model: rng },
    log,
    onProgress: parsed.onProgress,
  });
}
