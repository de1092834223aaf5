// The options of `train` (the reference's base_options + train_options that img2img implements,
// in camelCase), validated by one schema. Every default is written once: the model-independent
// ones in the schema (network-config defaults come from the network schemas, transform defaults
// from the data layer), the model-dependent ones in MODEL_DEFAULTS.
import { z } from 'zod';
import { DiscriminatorConfig, GeneratorConfig, GENERATOR_NAMES, DISCRIMINATOR_NAMES } from '../models/networks.js';
import { NORM_TYPES } from '../models/norm.js';
import { DEFAULT_TRANSFORM_OPTIONS, PREPROCESS_MODES } from '../data/transforms.js';
import { runtimeSchema } from '../runtime/options.js';
import { callback, int, type LogFn } from '../util/options.js';
import { maxImagePixelsField } from '../util/limits.js';
import { GAN_MODES, type GanMode } from './gan-loss.js';
import { LR_POLICIES } from './scheduler.js';
import { RECONSTRUCTION_LOSSES } from './pix2pix.js';

export const MODELS = ['pix2pix', 'cycle_gan'] as const;
export type ModelName = (typeof MODELS)[number];
export const DIRECTIONS = ['AtoB', 'BtoA'] as const;

/** The options the reference sets per model (modify_commandline_options of pix2pix_model and cycle_gan_model). */
export interface PerModelDefaults {
  netG: (typeof GENERATOR_NAMES)[number];
  norm: (typeof NORM_TYPES)[number];
  ganMode: GanMode;
  poolSize: number;
  /** Dropout in the generator (the reference's --no_dropout inverted). */
  dropout: boolean;
}

/** The reference's per-model defaults, one row per model. */
export const MODEL_DEFAULTS: Record<ModelName, PerModelDefaults> = {
  pix2pix: { netG: 'unet_256', norm: 'batch', ganMode: 'vanilla', poolSize: 0, dropout: true },
  cycle_gan: { netG: 'resnet_9blocks', norm: 'instance', ganMode: 'lsgan', poolSize: 50, dropout: false },
};

/** One training iteration done: what a progress display needs. */
export interface TrainProgress {
  /** Iterations done in all (a resumed run starts at its checkpoint's step). */
  step: number;
  /** The step the run stops at. */
  totalSteps: number;
  /** The step this run started from (0, or the resumed checkpoint's). */
  startStep: number;
  epoch: number;
  losses: Record<string, number>;
}

/** The architecture and loss options a model is built from (shared by `train` and `restore.train`). */
export const modelFields = {
  model: z.enum(MODELS).default('cycle_gan'),
  inputNc: GeneratorConfig.shape.inputNc,
  outputNc: GeneratorConfig.shape.outputNc,
  ngf: GeneratorConfig.shape.ngf,
  ndf: DiscriminatorConfig.shape.ndf,
  /** Default: per model (MODEL_DEFAULTS). */
  netG: z.enum(GENERATOR_NAMES).optional(),
  netD: z.enum(DISCRIMINATOR_NAMES).default('basic'),
  nLayersD: DiscriminatorConfig.shape.nLayersD,
  /** Default: per model. */
  norm: z.enum(NORM_TYPES).optional(),
  initType: GeneratorConfig.shape.initType,
  initGain: GeneratorConfig.shape.initGain,
  /** Dropout in the generator; default: per model (pix2pix on, CycleGAN off). */
  dropout: z.boolean().optional(),
  /** Default: per model. */
  ganMode: z.enum(GAN_MODES).optional(),
  lr: z.number().positive().default(0.0002),
  beta1: z.number().min(0).max(1).default(0.5),
  /** pix2pix: weight of the reconstruction loss. */
  lambdaL1: z.number().min(0).default(100),
  /** pix2pix: the reconstruction term, 'l1' (the reference) or 'l2'. */
  reconstructionLoss: z.enum(RECONSTRUCTION_LOSSES).default('l1'),
  /** CycleGAN: weights of the cycle losses A -> B -> A and B -> A -> B. */
  lambdaA: z.number().min(0).default(10),
  lambdaB: z.number().min(0).default(10),
  /** CycleGAN: identity loss weight relative to lambdaA/B (0 disables). */
  lambdaIdentity: z.number().min(0).default(0.5),
  /** Image buffer of generated images; default: per model (CycleGAN 50, pix2pix 0). */
  poolSize: int(0).optional(),
  /** Seed of init, data order, augmentation and dropout. */
  seed: int(0).default(0),
};

export const trainSchema = z.object({
  ...modelFields,
  /** Dataset folder (aligned: DIR/train/*.jpg as A|B; unaligned: DIR/trainA, DIR/trainB). */
  dataroot: z.string().min(1),
  /** Experiment name: checkpoints go to CHECKPOINTS_DIR/NAME. */
  name: z.string().min(1).default('experiment_name'),
  checkpointsDir: z.string().min(1).default('./checkpoints'),
  direction: z.enum(DIRECTIONS).default('AtoB'),
  /** Take images in order (and B in step with A). */
  serialBatches: z.boolean().default(false),
  batchSize: int(1).default(1),
  loadSize: int(1).default(DEFAULT_TRANSFORM_OPTIONS.loadSize),
  cropSize: int(1).default(DEFAULT_TRANSFORM_OPTIONS.cropSize),
  /** Use at most this many images. */
  maxDatasetSize: int(1).optional(),
  preprocess: z.enum(PREPROCESS_MODES).default(DEFAULT_TRANSFORM_OPTIONS.preprocess),
  /** Random horizontal flips (the reference's --no_flip turns them off). */
  flip: z.boolean().default(!DEFAULT_TRANSFORM_OPTIONS.noFlip),
  /** Epochs at the initial learning rate, then epochs of linear decay to zero. */
  nEpochs: int(0).default(100),
  nEpochsDecay: int(0).default(100),
  /** Number of the first epoch. */
  epochCount: int(1).default(1),
  lrPolicy: z.enum(LR_POLICIES).default('linear'),
  /** 'step' policy: multiply by 0.1 every this many epochs. */
  lrDecayIters: int(1).default(50),
  /** Keep EPOCH_net_* checkpoints every this many epochs. */
  saveEpochFreq: int(1).default(5),
  /** Resume from the `epoch` checkpoint (optimizer, schedule, data order, random streams). */
  continueTrain: z.boolean().default(false),
  /** Start over when CHECKPOINTS_DIR/NAME already holds a run (deleting it); without this such a run is refused. */
  overwrite: z.boolean().default(false),
  epoch: z.string().min(1).default('latest'),
  /** Stop after this many optimizer steps (quick runs); the state is saved as latest. */
  maxSteps: int(1).optional(),
  /** Largest image decoded or made on the way (a resize to loadSize). */
  maxImagePixels: maxImagePixelsField,
  runtime: runtimeSchema,
  /** Called after every iteration (the CLI draws its progress bar from it). */
  onProgress: callback<(p: TrainProgress) => void>().optional(),
  /** Status lines (model summary, resume). */
  log: callback<LogFn>().optional(),
  /** Warnings (an unreadable image skipped, a size rounded). */
  warn: callback<LogFn>().optional(),
}).strict();

export type TrainOptions = z.input<typeof trainSchema>;
export type ParsedTrainOptions = z.output<typeof trainSchema>;

/** The options as the run uses them: per-model defaults filled in, no runtime or callbacks (train_opt.json). */
export type ResolvedTrainOptions = Omit<ParsedTrainOptions, 'dropout' | 'runtime' | 'onProgress' | 'log' | 'warn'> & PerModelDefaults & { noDropout: boolean };

/** Fills the per-model defaults in. */
export function resolveModelDefaults(o: ParsedTrainOptions): ResolvedTrainOptions {
  const d = MODEL_DEFAULTS[o.model];
  const { runtime: _r, onProgress: _p, log: _l, warn: _w, ...rest } = o;
  const dropout = o.dropout ?? d.dropout;
  return {
    ...rest, netG: o.netG ?? d.netG, norm: o.norm ?? d.norm, ganMode: o.ganMode ?? d.ganMode, poolSize: o.poolSize ?? d.poolSize, dropout, noDropout: !dropout,
  };
}
