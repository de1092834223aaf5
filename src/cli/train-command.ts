import type { Command } from 'commander';
import { AlignedDataset } from '../data/aligned-dataset.js';
import { UnalignedDataset } from '../data/unaligned-dataset.js';
import { DataLoader } from '../data/loader.js';
import { PREPROCESS_MODES, type Preprocess } from '../data/transforms.js';
import type { Channels } from '../data/image.js';
import { buildModel, modelDefaults, MODELS, type ModelName, type ModelOptions } from '../train/build.js';
import { trainLoop } from '../train/trainer.js';
import { LR_POLICIES, type LrPolicy } from '../train/scheduler.js';
import { GAN_MODES } from '../train/gan-loss.js';
import { int, num, oneOf } from './parse.js';
import { addRuntimeOptions, applyRuntimeOptions } from './runtime-options.js';

/** Options of the reference (base_options + train_options) that img2img implements, kebab-case. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--dataroot <dir>', 'dataset folder (aligned: DIR/train/*.jpg as A|B; unaligned: DIR/trainA, DIR/trainB)')
    .option('--name <name>', 'experiment name: checkpoints go to CHECKPOINTS_DIR/NAME', 'experiment_name')
    .option('--model <model>', `${MODELS.join(' | ')}`, oneOf(MODELS), 'cycle_gan')
    .option('--checkpoints-dir <dir>', 'where experiments are saved', './checkpoints')
    .option('--input-nc <n>', 'input channels: 1 (grayscale), 3 (RGB) or 4 (RGBA)', int(1), 3)
    .option('--output-nc <n>', 'output channels', int(1), 3)
    .option('--ngf <n>', 'generator filters in the last conv layer', int(1), 64)
    .option('--ndf <n>', 'discriminator filters in the first conv layer', int(1), 64)
    .option('--netG <name>', 'unet_256 | unet_128 | resnet_9blocks | resnet_6blocks (default: per model)')
    .option('--netD <name>', 'basic (70x70 PatchGAN) | n_layers | pixel', 'basic')
    .option('--n-layers-D <n>', 'layers of the n_layers discriminator', int(1), 3)
    .option('--norm <type>', 'batch | instance | none (default: per model)')
    .option('--init-type <type>', 'normal | xavier | kaiming | orthogonal', 'normal')
    .option('--init-gain <x>', 'scale for normal, xavier and orthogonal init', num, 0.02)
    .option('--dropout', 'dropout in the generator (pix2pix default)')
    .option('--no-dropout', 'no dropout in the generator (CycleGAN default)')
    .option('--direction <dir>', 'AtoB or BtoA', oneOf(['AtoB', 'BtoA'] as const), 'AtoB')
    .option('--serial-batches', 'take images in order (and B in step with A)')
    .option('--batch-size <n>', 'input batch size', int(1), 1)
    .option('--load-size <n>', 'scale images to this size', int(1), 286)
    .option('--crop-size <n>', 'then crop to this size', int(1), 256)
    .option('--max-dataset-size <n>', 'use at most this many images', int(1))
    .option('--preprocess <mode>', PREPROCESS_MODES.join(' | '), oneOf(PREPROCESS_MODES), 'resize_and_crop')
    .option('--no-flip', 'no random horizontal flip')
    .option('--seed <n>', 'seed of init, data order, augmentation and dropout', int(0), 0);
}

export function registerTrainCommand(program: Command): void {
  const cmd = program.command('train').description('train pix2pix (paired) or CycleGAN (unpaired)');
  addModelOptions(cmd)
    .option('--n-epochs <n>', 'epochs at the initial learning rate', int(0), 100)
    .option('--n-epochs-decay <n>', 'epochs of linear decay to zero', int(0), 100)
    .option('--epoch-count <n>', 'number of the first epoch', int(1), 1)
    .option('--beta1 <x>', 'Adam momentum term', num, 0.5)
    .option('--lr <x>', 'initial learning rate', num, 0.0002)
    .option('--gan-mode <mode>', `${GAN_MODES.join(' | ')} (default: per model)`, oneOf(GAN_MODES))
    .option('--pool-size <n>', 'image buffer of generated images (default: 50 CycleGAN, 0 pix2pix)', int(0))
    .option('--lr-policy <policy>', LR_POLICIES.join(' | '), oneOf(LR_POLICIES), 'linear')
    .option('--lr-decay-iters <n>', "'step' policy: multiply by 0.1 every n epochs", int(1), 50)
    .option('--lambda-L1 <x>', 'pix2pix: weight of the L1 loss', num, 100)
    .option('--lambda-A <x>', 'CycleGAN: weight of cycle loss A -> B -> A', num, 10)
    .option('--lambda-B <x>', 'CycleGAN: weight of cycle loss B -> A -> B', num, 10)
    .option('--lambda-identity <x>', 'CycleGAN: identity loss weight, relative to lambda A/B (0 disables)', num, 0.5)
    .option('--save-epoch-freq <n>', 'keep EPOCH_net_* checkpoints every n epochs', int(1), 5)
    .option('--continue-train', 'resume from the --epoch checkpoint (optimizer, schedule, data order, RNG)')
    .option('--epoch <label>', 'checkpoint to resume from', 'latest')
    .option('--max-steps <n>', 'stop after n optimizer steps (quick runs); state saved as latest', int(1))
    .option('--quiet', 'no progress bar');
  addRuntimeOptions(cmd).action(async (o: Record<string, any>) => {
    applyRuntimeOptions(o);
    await runTraining(o);
  });
}

/** Fills per-model defaults in; returns the options exactly as the run uses them. */
export function resolveModelOptions(o: Record<string, any>): ModelOptions & Record<string, any> {
  const d = modelDefaults(o.model as ModelName);
  return {
    ...o,
    netG: o.netG ?? d.netG,
    norm: o.norm ?? d.norm,
    ganMode: o.ganMode ?? d.ganMode,
    poolSize: o.poolSize ?? d.poolSize,
    noDropout: o.dropout === undefined ? d.noDropout : !o.dropout,
    lambdaL1: o.lambdaL1 ?? 100,
    lambdaA: o.lambdaA ?? 10,
    lambdaB: o.lambdaB ?? 10,
    lambdaIdentity: o.lambdaIdentity ?? 0.5,
    lr: o.lr ?? 0.0002,
    beta1: o.beta1 ?? 0.5,
  } as ModelOptions & Record<string, any>;
}

export async function runTraining(raw: Record<string, any>) {
  const o = resolveModelOptions(raw);
  const { model, configs, rng } = buildModel(o);
  const dsOpts = {
    root: o.dataroot, phase: 'train', direction: o.direction, inputNc: o.inputNc as Channels, outputNc: o.outputNc as Channels,
    preprocess: o.preprocess as Preprocess, loadSize: o.loadSize, cropSize: o.cropSize, noFlip: o.flip === false,
    serialBatches: !!o.serialBatches, maxDatasetSize: o.maxDatasetSize ?? Infinity,
  };
  const dataset = o.model === 'pix2pix' ? await AlignedDataset.open(dsOpts) : await UnalignedDataset.open(dsOpts);
  const loader = new DataLoader(dataset, { batchSize: o.batchSize, seed: o.seed, serialBatches: !!o.serialBatches, maxDatasetSize: o.maxDatasetSize });
  if (!o.quiet) console.log(`${o.model}: ${dataset.length} training images, ${Object.entries(model.networks()).map(([r, n]) => `${r} ${(n.parameterCount() / 1e6).toFixed(2)}M params`).join(', ')}`);
  return trainLoop(model, loader, {
    name: o.name,
    checkpointsDir: o.checkpointsDir,
    schedule: { policy: o.lrPolicy as LrPolicy, lr: o.lr, nEpochs: o.nEpochs, nEpochsDecay: o.nEpochsDecay, epochCount: o.epochCount, lrDecayIters: o.lrDecayIters },
    maxSteps: o.maxSteps,
    saveEpochFreq: o.saveEpochFreq,
    continueFrom: o.continueTrain ? o.epoch : undefined,
    quiet: !!o.quiet,
    configs,
    options: o,
    rngs: { model: rng },
  });
}
