import { defineD, defineG, parseDiscriminatorConfig, parseGeneratorConfig, type GeneratorConfig, type DiscriminatorConfig } from '../models/networks.js';
import { manualSeed } from '../nn/init.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { Rng } from '../util/rng.js';
import type { GanModel } from './gan-model.js';
import { Pix2PixModel } from './pix2pix.js';
import { CycleGanModel } from './cycle-gan.js';
import type { ResolvedTrainOptions } from './options.js';

/** The options a model is built from (resolved: per-model defaults filled in). */
export type ModelOptions = Pick<ResolvedTrainOptions,
  'model' | 'inputNc' | 'outputNc' | 'ngf' | 'ndf' | 'netG' | 'netD' | 'nLayersD' | 'norm' | 'initType' | 'initGain' | 'noDropout' | 'ganMode' |
  'lr' | 'beta1' | 'lambdaL1' | 'reconstructionLoss' | 'lambdaA' | 'lambdaB' | 'lambdaIdentity' | 'poolSize' | 'seed'>;

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
    const model = new Pix2PixModel({
      netG: defineG(G), netD: defineD(D), ganMode: o.ganMode, lambdaL1: o.lambdaL1, reconstructionLoss: o.reconstructionLoss, lr: o.lr, beta1: o.beta1,
      rng, runtime,
    });
    return { model, configs: { G, D }, rng };
  }
  const G_A = parseGeneratorConfig({ netG: o.netG, inputNc: o.inputNc, outputNc: o.outputNc, ...common });
  const G_B = parseGeneratorConfig({ netG: o.netG, inputNc: o.outputNc, outputNc: o.inputNc, ...common });
  const D_A = parseDiscriminatorConfig({ ...dCommon, inputNc: o.outputNc });
  const D_B = parseDiscriminatorConfig({ ...dCommon, inputNc: o.inputNc });
  if (o.lambdaIdentity > 0 && o.inputNc !== o.outputNc) {
    throw new Error(`lambdaIdentity ${o.lambdaIdentity} needs inputNc equal to outputNc (identity maps B through G_A); use lambdaIdentity 0`);
  }
  const model = new CycleGanModel({
    netG_A: defineG(G_A), netG_B: defineG(G_B), netD_A: defineD(D_A), netD_B: defineD(D_B),
    ganMode: o.ganMode, lambdaA: o.lambdaA, lambdaB: o.lambdaB, lambdaIdentity: o.lambdaIdentity, poolSize: o.poolSize, lr: o.lr, beta1: o.beta1, rng, runtime,
  });
  return { model, configs: { G_A, G_B, D_A, D_B }, rng };
}
