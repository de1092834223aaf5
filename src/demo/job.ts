// The demo jobs: `cdf` (inverse-CDF sampling of a 1-D density) and `gan2d` (an MLP GAN on 2-D points).
import { z } from 'zod';
import { runtimeOptions, runtimeSchema } from '../runtime/options.js';
import { GAN_MODES } from '../train/gan-loss.js';
import { callback, int, parseOptions, type LogFn } from '../util/options.js';
import { CDF_DEMO_DEFAULTS, runCdfDemo, type CdfDemoResult } from './cdf.js';
import { DEFAULT_GRID } from './density-source.js';
import { GAN2D_DEFAULTS, runGan2d, type Gan2dResult } from './gan2d.js';
import { DEFAULT_MAX_SIDE, imageSampler } from './shapes2d-image.js';
import { shapeSampler, type Sampler2d } from './shapes2d.js';

export const cdfSchema = z.object({
  /** Density: an expression in x (e.g. "exp(-x^2/2)") or a CSV of x,density rows; default a built-in staircase + cosine. */
  pdf: z.string().min(1).optional(),
  /** Number of samples. */
  n: int(1).default(CDF_DEMO_DEFAULTS.n),
  /** Histogram bins (also the chi-square cells). */
  bins: int(1).default(CDF_DEMO_DEFAULTS.bins),
  seed: int(0).default(CDF_DEMO_DEFAULTS.seed),
  /** Density grid points. */
  grid: int(2).default(DEFAULT_GRID),
  /** x range of the density (default -3,3; a CSV's own range). */
  range: z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo < hi, { message: 'expected [lo, hi] with lo < hi' }).optional(),
  /** Output PNG. */
  out: z.string().min(1).default('demo-cdf.png'),
}).strict();
export type CdfOptions = z.input<typeof cdfSchema>;

/** Samples a 1-D density by inverse CDF, plots density | histogram, and tests the samples (KS, chi-square). */
export async function cdf(options: CdfOptions): Promise<CdfDemoResult> {
  return runCdfDemo(parseOptions(cdfSchema, 'demo.cdf', options));
}

/** Target of the plain GAN when neither an image nor a shape is given. */
export const DEFAULT_SHAPE = '8gaussians';
/** Classes of the conditional GAN when neither images nor shapes are given. */
export const DEFAULT_CGAN_SHAPES = ['ring', 'moons'] as const;

export const gan2dSchema = z.object({
  /** Target pictures, sampled by inverse CDF with dark pixels dense (one per class with cgan). */
  image: z.array(z.string().min(1)).default([]),
  /** Built-in target shapes (one per class with cgan). */
  shape: z.array(z.string().min(1)).default([]),
  /** Conditional GAN: one class per image/shape; G reads [z, onehot] and D [x, onehot]. */
  cgan: z.boolean().default(false),
  /** Training iterations (one D and one G update each). */
  steps: int(1).default(GAN2D_DEFAULTS.steps),
  /** Points per batch (split evenly over the classes). */
  batchSize: int(1).default(GAN2D_DEFAULTS.batchSize),
  /** Adam learning rate of both nets (betas 0.5, 0.999). */
  lr: z.number().positive().default(GAN2D_DEFAULTS.lr),
  /** Latent size. */
  zDim: int(1).default(GAN2D_DEFAULTS.zDim),
  /** Hidden width of both MLPs. */
  hidden: int(1).default(GAN2D_DEFAULTS.hidden),
  /** Hidden layers of both MLPs. */
  layers: int(1).default(GAN2D_DEFAULTS.layers),
  /** GAN loss. */
  loss: z.enum(GAN_MODES).default(GAN2D_DEFAULTS.loss),
  seed: int(0).default(GAN2D_DEFAULTS.seed),
  /** Write a PNG frame of real vs generated points every n steps (0: none). */
  frames: int(0).default(GAN2D_DEFAULTS.frames),
  /** Also write the frames as an animated GIF (needs frames). */
  gif: z.boolean().default(false),
  /** Output folder for the frames, the GIF and the summary figure. */
  out: z.string().min(1).default('demo-gan2d'),
  /** Generated and target points per class for plots and the sliced Wasserstein distance. */
  evalPoints: int(1).default(GAN2D_DEFAULTS.evalPoints),
  /** Pictures are box-averaged down to this longer side first. */
  maxSide: int(1).default(DEFAULT_MAX_SIDE),
  runtime: runtimeSchema,
  /** Progress lines (one per evaluation). */
  log: callback<LogFn>().optional(),
}).strict().refine((o) => !o.gif || o.frames > 0, { message: 'gif needs frames (the GIF is made of the frames)', path: ['gif'] });
export type Gan2dJobOptions = z.input<typeof gan2dSchema>;

/**
 * The target samplers the options ask for: pictures first, then shapes, one per class with
 * cgan; exactly one without it.
 */
export async function resolveTargets(o: { image: readonly string[]; shape: readonly string[]; cgan?: boolean; maxSide: number }): Promise<Sampler2d[]> {
  const shapes = o.shape.map((s) => shapeSampler(s)); // checks names before reading any picture
  const images: Sampler2d[] = [];
  for (const path of o.image) images.push(await imageSampler(path, o.maxSide));
  const given = [...images, ...shapes];
  if (o.cgan) {
    const targets = given.length ? given : DEFAULT_CGAN_SHAPES.map(shapeSampler);
    if (targets.length < 2) throw new Error(`--cgan needs at least two classes (repeat --image or --shape), got ${targets.length}`);
    return targets;
  }
  if (given.length > 1) {
    throw new Error(`${given.length} targets given (${given.map((t) => t.label).join(', ')}); a plain GAN takes one, use --cgan for one per class`);
  }
  return given.length ? given : [shapeSampler(DEFAULT_SHAPE)];
}

/** Trains an MLP GAN (or cGAN) on a 2-D distribution and writes frames, a GIF and a summary figure into `out`. */
export async function gan2d(options: Gan2dJobOptions): Promise<Gan2dResult> {
  const o = parseOptions(gan2dSchema, 'demo.gan2d', options);
  const targets = await resolveTargets(o);
  return runGan2d({
    targets, steps: o.steps, batchSize: o.batchSize, lr: o.lr, zDim: o.zDim, hidden: o.hidden, layers: o.layers, loss: o.loss, seed: o.seed,
    frames: o.frames, gif: o.gif, out: o.out, evalPoints: o.evalPoints, runtime: runtimeOptions(o.runtime), log: o.log,
  });
}
