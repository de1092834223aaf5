import { defineD, defineG, parseDiscriminatorConfig, parseGeneratorConfig, type GeneratorConfig, type DiscriminatorConfig } from '../models/networks.js';
import { manualSeed } from '../nn/init.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { Rng } from '../util/rng.js';
import type { GanModel } from './gan-model.js';
import { Pix2PixModel, type ReconstructionLoss } from './pix2pix.js';
import { CycleGanModel } from './cycle-gan.js';
import type { GanMode } from './gan-loss.js';

export const MODELS = ['pix2pix', 'cycle_gan'] as const;
export type ModelName = (typeof MODELS)[number];

/** The training options a model needs (reference names in camelCase). */
export interface ModelOptions {
  model: ModelName;
  inputNc: number;
  outputNc: number;
  ngf: number;
  ndf: number;
  netG: string;
  netD: string;
  nLayersD: number;
  norm: string;
  initType: string;
  initGain: number;
  noDropout: boolean;
  ganMode: GanMode;
  lr: number;
  beta1: number;
  lambdaL1: number;
  /** pix2pix reconstruction term: 'l1' (reference, default) or 'l2'. */
  reconstructionLoss?: ReconstructionLoss;
  lambdaA: number;
  lambdaB: number;
  lambdaIdentity: number;
  poolSize: number;
  seed: number;
}

/** The reference's per-model defaults (modify_commandline_options of pix2pix_model and cycle_gan_model). */
export function modelDefaults(model: ModelName) {
  return model === 'pix2pix'
    ? { netG: 'unet_256', norm: 'batch', ganMode: 'vanilla' as GanMode, poolSize: 0, noDropout: false }
    : { netG: 'resnet_9blocks', norm: 'instance', ganMode: 'lsgan' as GanMode, poolSize: 50, noDropout: true };
}

export interface BuiltModel { model: GanModel; configs: Record<string, GeneratorConfig | DiscriminatorConfig>; rng: Rng }

/** Builds the networks (seeded init) and the model. */
export function buildModel(o: ModelOptions, runtime: RuntimeOptions = {}): BuiltModel {
  manualSeed(o.seed);
  const rng = new Rng(o.seed + 1);
  const common = { ngf: o.ngf, norm: o.norm, initType: o.initType, initGain: o.initGain, useDropout: !o.noDropout };
  const dCommon = { netD: o.netD, ndf: o.ndf, nLayersD: o.nLayersD, norm: o.norm, initType: o.initType, initGain: o.initGain };
  if (o.model === 'pix2pix') {
    const G = parseGeneratorConfig({ netG: o.netG, inputNc: o.inputNc, outputNc: o.outputNc, ...common });
    const D = parseDiscriminatorConfig({ ...dCommon, inputNc: o.inputNc + o.outputNc });
    const model = new Pix2PixModel({ netG: defineG(G), netD: defineD(D), ganMode: o.ganMode, lambdaL1: o.lambdaL1, reconstructionLoss: o.reconstructionLoss, lr: o.lr, beta1: o.beta1, rng, runtime });
    return { model, configs: { G, D }, rng };
  }
  const G_A = parseGeneratorConfig({ netG: o.netG, inputNc: o.inputNc, outputNc: o.outputNc, ...common });
  const G_B = parseGeneratorConfig({ netG: o.netG, inputNc: o.outputNc, outputNc: o.inputNc, ...common });
  const D_A = parseDiscriminatorConfig({ ...dCommon, inputNc: o.outputNc });
  const D_B = parseDiscriminatorConfig({ ...dCommon, inputNc: o.inputNc });
  if (o.lambdaIdentity > 0 && o.inputNc !== o.outputNc) throw new Error(`--lambda-identity ${o.lambdaIdentity} needs --input-nc equal to --output-nc (identity maps B through G_A); use --lambda-identity 0`);
  const model = new CycleGanModel({
    netG_A: defineG(G_A), netG_B: defineG(G_B), netD_A: defineD(D_A), netD_B: defineD(D_B),
    ganMode: o.ganMode, lambdaA: o.lambdaA, lambdaB: o.lambdaB, lambdaIdentity: o.lambdaIdentity, poolSize: o.poolSize, lr: o.lr, beta1: o.beta1, rng, runtime,
  });
  return { model, configs: { G_A, G_B, D_A, D_B }, rng };
}
