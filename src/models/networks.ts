/**
 * define_G / define_D of the reference (junyanz/pytorch-CycleGAN-and-pix2pix, models/networks.py):
 * networks by name, initialized like its init_net, with the reference's state_dict layout so its
 * checkpoints load. The configs are zod schemas, so checkpoints can store and validate them.
 */
import { z } from 'zod';
import { initWeights, type Module } from '../nn/index.js';
import { buildShapesOnly } from '../nn/layers.js';
import { NORM_TYPES } from './norm.js';
import { UnetGenerator } from './unet.js';
import { ResnetGenerator } from './resnet.js';
import { NLayerDiscriminator, PixelDiscriminator } from './discriminators.js';

export const GENERATOR_NAMES = ['unet_128', 'unet_256', 'resnet_6blocks', 'resnet_9blocks'] as const;
export const DISCRIMINATOR_NAMES = ['basic', 'n_layers', 'pixel'] as const;
export const INIT_TYPES = ['normal', 'xavier', 'kaiming', 'orthogonal'] as const;
export type GeneratorName = (typeof GENERATOR_NAMES)[number];
export type DiscriminatorName = (typeof DISCRIMINATOR_NAMES)[number];

/** An enum whose error names the bad value and lists the valid ones. */
function named<const T extends readonly [string, ...string[]]>(what: string, values: T) {
  return z.enum(values, {
    error: (iss) => `${iss.input === undefined ? `${what} is required` : `unknown ${what} '${String(iss.input)}'`}; valid: ${values.join(', ')}`,
  });
}

// Upper bounds are sanity limits (the reference uses 64 filters, 7-8 levels, 3 layers), so a
// config read from a file cannot ask for millions of layers; sizes are checked against the file.
const channels = z.number().int().positive().max(1024);
const filters = z.number().int().positive().max(16384);
const initFields = {
  initType: named('initType', INIT_TYPES).default('normal'),
  /** Standard deviation for 'normal', gain for 'xavier' / 'orthogonal'. */
  initGain: z.number().positive().default(0.02),
};

export const GeneratorConfig = z
  .object({
    netG: named('netG', GENERATOR_NAMES),
    inputNc: channels.default(3),
    outputNc: channels.default(3),
    ngf: filters.default(64),
    norm: named('norm', NORM_TYPES).default('batch'),
    /** pix2pix uses dropout in the U-Net (its default); CycleGAN turns it off (--no_dropout). */
    useDropout: z.boolean().default(true),
    ...initFields,
    /** U-Nets only: the number of stride-2 levels instead of the name's (7 for unet_128, 8 for unet_256). */
    numDowns: z.number().int().min(2).max(16).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.numDowns !== undefined && !c.netG.startsWith('unet_')) {
      ctx.addIssue({ code: 'custom', path: ['numDowns'], message: `numDowns applies to U-Nets only, not ${c.netG}` });
    }
  });
export type GeneratorConfig = z.output<typeof GeneratorConfig>;
/** What defineG accepts: a config with defaults still to fill in. */
export type GeneratorConfigInput = z.input<typeof GeneratorConfig>;

export const DiscriminatorConfig = z
  .object({
    netD: named('netD', DISCRIMINATOR_NAMES),
    /** pix2pix's D sees input and output stacked (e.g. 3 + 3 = 6); CycleGAN's one image (3). */
    inputNc: channels,
    ndf: filters.default(64),
    /** Layers of 'n_layers'; 'basic' is always 3 (the 70x70 PatchGAN). */
    nLayersD: z.number().int().min(1).max(16).default(3),
    norm: named('norm', NORM_TYPES).default('batch'),
    ...initFields,
  })
  .strict();
export type DiscriminatorConfig = z.output<typeof DiscriminatorConfig>;
export type DiscriminatorConfigInput = z.input<typeof DiscriminatorConfig>;

function parse<S extends z.ZodType>(schema: S, what: string, cfg: unknown): z.output<S> {
  const r = schema.safeParse(cfg);
  if (r.success) return r.data;
  throw new Error(`invalid ${what} config: ${r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
}

export const parseGeneratorConfig = (cfg: unknown): GeneratorConfig => parse(GeneratorConfig, 'generator', cfg);
export const parseDiscriminatorConfig = (cfg: unknown): DiscriminatorConfig => parse(DiscriminatorConfig, 'discriminator', cfg);

/** Stride-2 levels of a U-Net config (undefined for ResNets). */
function unetDowns(c: GeneratorConfig): number | undefined {
  if (c.netG === 'unet_128') return c.numDowns ?? 7;
  if (c.netG === 'unet_256') return c.numDowns ?? 8;
  return undefined;
}

/** Builds a generator without initializing it (the layers' default PyTorch init). */
export function buildGenerator(cfg: GeneratorConfigInput | GeneratorConfig): UnetGenerator | ResnetGenerator {
  const c = parseGeneratorConfig(cfg);
  const downs = unetDowns(c);
  if (downs !== undefined) return new UnetGenerator(c.inputNc, c.outputNc, downs, c.ngf, c.norm, c.useDropout);
  return new ResnetGenerator(c.inputNc, c.outputNc, c.ngf, c.norm, c.useDropout, c.netG === 'resnet_9blocks' ? 9 : 6);
}

/** Elements of a generator's parameters and buffers (its state dict's floats), computed without allocating them. */
export function generatorStateElements(cfg: GeneratorConfigInput | GeneratorConfig): number {
  const net = buildShapesOnly(() => buildGenerator(cfg));
  return [...net.parameters(), ...net.namedBuffers().map(([, b]) => b)].reduce((n, t) => n + t.numel, 0);
}

/** Builds a discriminator without initializing it. */
export function buildDiscriminator(cfg: DiscriminatorConfigInput | DiscriminatorConfig): NLayerDiscriminator | PixelDiscriminator {
  const c = parseDiscriminatorConfig(cfg);
  switch (c.netD) {
    case 'basic':
      return new NLayerDiscriminator(c.inputNc, c.ndf, 3, c.norm);
    case 'n_layers':
      return new NLayerDiscriminator(c.inputNc, c.ndf, c.nLayersD, c.norm);
    case 'pixel':
      return new PixelDiscriminator(c.inputNc, c.ndf, c.norm);
  }
}

/**
 * define_G: 'unet_128' | 'unet_256' | 'resnet_6blocks' | 'resnet_9blocks', initialized by
 * init_weights(initType, initGain) from the init RNG (reseed with manualSeed).
 */
export function defineG(cfg: GeneratorConfigInput | GeneratorConfig): Module {
  const c = parseGeneratorConfig(cfg);
  const net = buildGenerator(c);
  initWeights(net, c.initType, c.initGain);
  return net;
}

/** define_D: 'basic' (70x70 PatchGAN) | 'n_layers' | 'pixel', initialized like defineG. */
export function defineD(cfg: DiscriminatorConfigInput | DiscriminatorConfig): Module {
  const c = parseDiscriminatorConfig(cfg);
  const net = buildDiscriminator(c);
  initWeights(net, c.initType, c.initGain);
  return net;
}

/** What a generator's input height and width must be multiples of: 2^numDowns for U-Nets, 4 for ResNets (two stride-2 levels). */
export function generatorMultiple(cfg: GeneratorConfigInput | GeneratorConfig): number {
  const downs = unetDowns(parseGeneratorConfig(cfg));
  return downs !== undefined ? 2 ** downs : 4;
}

/**
 * The smallest input height and width a generator runs on. A U-Net needs one multiple (its
 * bottleneck is then 1x1). A ResNet needs 8: at a quarter resolution its blocks reflect-pad by one
 * pixel, which needs at least 2 pixels there.
 */
export function generatorMinSize(cfg: GeneratorConfigInput | GeneratorConfig): number {
  const downs = unetDowns(parseGeneratorConfig(cfg));
  return downs !== undefined ? 2 ** downs : 8;
}
