// `img2img train`: the reference's train options as flags (kebab-case; aliases.ts accepts the
// snake_case spellings), mapped onto the `train` job's options. Defaults live in the job's schema.
import { Option, type Command } from 'commander';
import { PREPROCESS_MODES } from '../data/transforms.js';
import { GENERATOR_NAMES, DISCRIMINATOR_NAMES, INIT_TYPES } from '../models/networks.js';
import { NORM_TYPES } from '../models/norm.js';
import { GAN_MODES } from '../train/gan-loss.js';
import { train } from '../train/job.js';
import { DIRECTIONS, MODEL_DEFAULTS, MODELS, trainSchema, type TrainOptions } from '../train/options.js';
import { LR_POLICIES } from '../train/scheduler.js';
import { int, num, oneOf, withDefault } from './parse.js';
import { trainBar } from './progress.js';
import { addRuntimeOptions, runtimeFrom } from './runtime-options.js';
import { addLimitOptions, limitsFrom } from './limit-options.js';

const d = (key: string, text: string) => withDefault(trainSchema, key, text);
const perModel = (key: keyof (typeof MODEL_DEFAULTS)['pix2pix']) =>
  `default: per model, ${MODELS.map((m) => `${m} ${String(MODEL_DEFAULTS[m][key])}`).join(', ')}`;

export function registerTrainCommand(program: Command): void {
  const cmd = program.command('train').description('train pix2pix (paired) or CycleGAN (unpaired)')
    .requiredOption('--dataroot <dir>', 'dataset folder (aligned: DIR/train/*.jpg as A|B; unaligned: DIR/trainA, DIR/trainB)')
    .option('--name <name>', d('name', 'experiment name: checkpoints go to CHECKPOINTS_DIR/NAME'))
    .option('--model <model>', d('model', MODELS.join(' | ')), oneOf(MODELS))
    .option('--checkpoints-dir <dir>', d('checkpointsDir', 'where experiments are saved'))
    .option('--input-nc <n>', d('inputNc', 'input channels: 1 (grayscale), 3 (RGB) or 4 (RGBA)'), int(1))
    .option('--output-nc <n>', d('outputNc', 'output channels'), int(1))
    .option('--ngf <n>', d('ngf', 'generator filters in the last conv layer'), int(1))
    .option('--ndf <n>', d('ndf', 'discriminator filters in the first conv layer'), int(1))
    .option('--netG <name>', `${GENERATOR_NAMES.join(' | ')} (${perModel('netG')})`, oneOf(GENERATOR_NAMES))
    .option('--netD <name>', d('netD', `${DISCRIMINATOR_NAMES.join(' | ')} (basic = 70x70 PatchGAN)`), oneOf(DISCRIMINATOR_NAMES))
    .option('--n-layers-D <n>', d('nLayersD', 'layers of the n_layers discriminator'), int(1))
    .option('--norm <type>', `${NORM_TYPES.join(' | ')} (${perModel('norm')})`, oneOf(NORM_TYPES))
    .option('--init-type <type>', d('initType', INIT_TYPES.join(' | ')), oneOf(INIT_TYPES))
    .option('--init-gain <x>', d('initGain', 'scale for normal, xavier and orthogonal init'), num)
    .option('--dropout', `dropout in the generator (${perModel('dropout')})`)
    .option('--no-dropout', 'no dropout in the generator')
    .option('--direction <dir>', d('direction', 'AtoB or BtoA'), oneOf(DIRECTIONS))
    .option('--serial-batches', 'take images in order (and B in step with A)')
    .option('--batch-size <n>', d('batchSize', 'input batch size'), int(1))
    .option('--load-size <n>', d('loadSize', 'scale images to this size'), int(1))
    .option('--crop-size <n>', d('cropSize', 'then crop to this size'), int(1))
    .option('--max-dataset-size <n>', 'use at most this many images', int(1))
    .option('--preprocess <mode>', d('preprocess', PREPROCESS_MODES.join(' | ')), oneOf(PREPROCESS_MODES))
    .addOption(new Option('--flip').hideHelp())
    .option('--no-flip', 'no random horizontal flip')
    .option('--seed <n>', d('seed', 'seed of init, data order, augmentation and dropout'), int(0))
    .option('--n-epochs <n>', d('nEpochs', 'epochs at the initial learning rate'), int(0))
    .option('--n-epochs-decay <n>', d('nEpochsDecay', 'epochs of linear decay to zero'), int(0))
    .option('--epoch-count <n>', d('epochCount', 'number of the first epoch'), int(1))
    .option('--beta1 <x>', d('beta1', 'Adam momentum term'), num)
    .option('--lr <x>', d('lr', 'initial learning rate'), num)
    .option('--gan-mode <mode>', `${GAN_MODES.join(' | ')} (${perModel('ganMode')})`, oneOf(GAN_MODES))
    .option('--pool-size <n>', `image buffer of generated images (${perModel('poolSize')})`, int(0))
    .option('--lr-policy <policy>', d('lrPolicy', LR_POLICIES.join(' | ')), oneOf(LR_POLICIES))
    .option('--lr-decay-iters <n>', d('lrDecayIters', "'step' policy: multiply by 0.1 every n epochs"), int(1))
    .option('--lambda-L1 <x>', d('lambdaL1', 'pix2pix: weight of the L1 loss'), num)
    .option('--lambda-A <x>', d('lambdaA', 'CycleGAN: weight of cycle loss A -> B -> A'), num)
    .option('--lambda-B <x>', d('lambdaB', 'CycleGAN: weight of cycle loss B -> A -> B'), num)
    .option('--lambda-identity <x>', d('lambdaIdentity', 'CycleGAN: identity loss weight, relative to lambda A/B (0 disables)'), num)
    .option('--save-epoch-freq <n>', d('saveEpochFreq', 'keep EPOCH_net_* checkpoints every n epochs'), int(1))
    .option('--continue-train', 'resume from the --epoch checkpoint (optimizer, schedule, data order, RNG)')
    .option('--overwrite', 'start over when the experiment folder already holds a run (deletes its checkpoints and loss log)')
    .option('--epoch <label>', d('epoch', 'checkpoint to resume from'))
    .option('--max-steps <n>', 'stop after n optimizer steps (quick runs); state saved as latest', int(1))
    .option('--quiet', 'no progress bar or status lines');
  addLimitOptions(addRuntimeOptions(cmd), ['maxImagePixels']).action(async (o: Record<string, any>) => {
    const bar = trainBar();
    try {
      await train({
        dataroot: o.dataroot, name: o.name, model: o.model, checkpointsDir: o.checkpointsDir, inputNc: o.inputNc, outputNc: o.outputNc,
        ngf: o.ngf, ndf: o.ndf, netG: o.netG, netD: o.netD, nLayersD: o.nLayersD, norm: o.norm, initType: o.initType, initGain: o.initGain,
        dropout: o.dropout, direction: o.direction, serialBatches: o.serialBatches, batchSize: o.batchSize, loadSize: o.loadSize,
        cropSize: o.cropSize, maxDatasetSize: o.maxDatasetSize, preprocess: o.preprocess, flip: o.flip, seed: o.seed, nEpochs: o.nEpochs,
        nEpochsDecay: o.nEpochsDecay, epochCount: o.epochCount, beta1: o.beta1, lr: o.lr, ganMode: o.ganMode, poolSize: o.poolSize,
        lrPolicy: o.lrPolicy, lrDecayIters: o.lrDecayIters, lambdaL1: o.lambdaL1, lambdaA: o.lambdaA, lambdaB: o.lambdaB,
        lambdaIdentity: o.lambdaIdentity, saveEpochFreq: o.saveEpochFreq, continueTrain: o.continueTrain, overwrite: o.overwrite, epoch: o.epoch, maxSteps: o.maxSteps,
        runtime: runtimeFrom(o),
        ...limitsFrom(o, ['maxImagePixels']),
        warn: (l: string) => console.warn(l),
        ...(o.quiet ? {} : { onProgress: bar.update, log: (l: string) => console.log(l) }),
      } as TrainOptions);
    } finally {
      bar.stop();
    }
  });
}
