/**
 * A GAN on 2-D points: MLP generator and discriminator built from the engine's nn modules,
 * trained on samples of a target distribution (a built-in shape or a picture). With several
 * targets it is a conditional GAN: both nets also read a one-hot class, G sees [z, onehot] and
 * D sees [x, onehot]. Each iteration runs one compiled discriminator graph and one compiled
 * generator graph, both compiled once.
 */
import { join } from 'node:path';
import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import { LeakyReLU, Linear, manualSeed, Sequential, type Module } from '../nn/index.js';
import type { RgbaImage } from '../plot/types.js';
import { chartToRgba, writeChartPng, writeGif } from '../plot/index.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { Step } from '../runtime/step.js';
import { GAN_MODES, ganLoss, type GanMode } from '../train/gan-loss.js';
import { Adam } from '../optim/adam.js';
import { createRng, type Rng } from '../util/rng.js';
import { frameFigure, plotRange, summaryFigure } from './gan2d-plot.js';
import type { Sampler2d } from './shapes2d.js';
import { slicedWasserstein } from './sliced-wasserstein.js';

/** Defaults of Gan2dConfig and Gan2dOptions (also the `demo.gan2d` job's). */
export const GAN2D_DEFAULTS = {
  zDim: 8, hidden: 128, layers: 3, batchSize: 256, evalPoints: 1000, lr: 1e-3, loss: 'vanilla', seed: 0, steps: 2000, frames: 0,
} as const;

export interface Gan2dConfig {
  /** Number of classes: 1 for a plain GAN, >= 2 for a conditional one. */
  classes: number;
  /** Latent size, default 8. */
  zDim?: number;
  /** Width of the hidden layers, default 128. */
  hidden?: number;
  /** Hidden layers per net, default 3. */
  layers?: number;
  /** Points per training batch, default 256 (split evenly over the classes). */
  batchSize?: number;
  /** Generated points per class for evaluation and plots, default 1000. */
  evalPoints?: number;
  /** Adam learning rate of both nets, default 1e-3 (betas 0.5, 0.999). */
  lr?: number;
  /** Loss: non-saturating BCE ('vanilla', default) or least squares ('lsgan'). */
  loss?: GanMode;
  /** Seed of the weights and of the latent noise, default 0. */
  seed?: number;
  /** ONNX Runtime options of the compiled graphs (threads, provider). */
  runtime?: RuntimeOptions;
}

/** An MLP: `layers` Linear + LeakyReLU(0.2) blocks of width `hidden`, then a Linear to `out`. */
export function mlp(inFeatures: number, hidden: number, layers: number, out: number): Sequential {
  const mods: Module[] = [];
  let width = inFeatures;
  for (let i = 0; i < layers; i++) {
    mods.push(new Linear(width, hidden), LeakyReLU(0.2));
    width = hidden;
  }
  mods.push(new Linear(width, out));
  return new Sequential(...mods);
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return v;
}

/** Class of each row when `rows` rows are split into `classes` contiguous, near-equal blocks. */
export function classBlocks(rows: number, classes: number): { start: number; count: number }[] {
  return Array.from({ length: classes }, (_, c) => {
    const start = Math.floor((c * rows) / classes);
    return { start, count: Math.floor(((c + 1) * rows) / classes) - start };
  });
}

function oneHot(blocks: { start: number; count: number }[], rows: number): Float32Array {
  const k = blocks.length;
  const out = new Float32Array(rows * k);
  blocks.forEach(({ start, count }, c) => {
    for (let i = start; i < start + count; i++) out[i * k + c] = 1;
  });
  return out;
}

/**
 * The two nets, their optimizers and three graphs compiled once: the discriminator step, the
 * generator step, and a sampler that maps a fixed latent batch to points for plots and metrics.
 */
export class Gan2d {
  readonly G: Sequential;
  readonly D: Sequential;
  readonly classes: number;
  readonly zDim: number;
  readonly batchSize: number;
  readonly evalPoints: number;
  /** Rows of each class in a training batch (contiguous blocks). */
  readonly batchBlocks: { start: number; count: number }[];
  /** Rows of each class in the evaluation batch. */
  readonly evalBlocks: { start: number; count: number }[];
  readonly optG: Adam;
  readonly optD: Adam;
  /** Runs of the compiled D and G training graphs so far. */
  dRuns = 0;
  gRuns = 0;
  private dStep!: Step;
  private gStep!: Step;
  private sampleStep!: Step;
  private readonly noise: Rng;
  private readonly zEval: Float32Array;
  private readonly batchClasses: Float32Array;
  private readonly evalClasses: Float32Array;
  private readonly zBuf: Float32Array;

  private constructor(cfg: Gan2dConfig) {
    this.classes = positiveInt('classes', cfg.classes);
    this.zDim = positiveInt('z-dim', cfg.zDim ?? GAN2D_DEFAULTS.zDim);
    const hidden = positiveInt('hidden', cfg.hidden ?? GAN2D_DEFAULTS.hidden);
    const layers = positiveInt('layers', cfg.layers ?? GAN2D_DEFAULTS.layers);
    this.batchSize = positiveInt('batch-size', cfg.batchSize ?? GAN2D_DEFAULTS.batchSize);
    if (this.batchSize < this.classes) throw new Error(`batch-size ${this.batchSize} is smaller than the number of classes (${this.classes})`);
    this.evalPoints = positiveInt('eval points', cfg.evalPoints ?? GAN2D_DEFAULTS.evalPoints);
    const seed = cfg.seed ?? GAN2D_DEFAULTS.seed;
    const cond = this.classes > 1 ? this.classes : 0;
    manualSeed(seed);
    this.G = mlp(this.zDim + cond, hidden, layers, 2);
    this.D = mlp(2 + cond, hidden, layers, 1);
    const lr = cfg.lr ?? GAN2D_DEFAULTS.lr;
    if (!(lr > 0)) throw new Error(`lr must be positive, got ${lr}`);
    this.optG = new Adam(this.G.parameters(), { lr, betas: [0.5, 0.999] });
    this.optD = new Adam(this.D.parameters(), { lr, betas: [0.5, 0.999] });
    this.noise = createRng(seed + 1);
    this.batchBlocks = classBlocks(this.batchSize, this.classes);
    this.evalBlocks = classBlocks(this.evalPoints * this.classes, this.classes);
    this.batchClasses = oneHot(this.batchBlocks, this.batchSize);
    this.evalClasses = oneHot(this.evalBlocks, this.evalPoints * this.classes);
    this.zBuf = new Float32Array(this.batchSize * this.zDim);
    // The evaluation latents are fixed, so frames show the same points moving.
    const evalRng = createRng(seed + 2);
    this.zEval = Float32Array.from({ length: this.evalPoints * this.classes * this.zDim }, () => evalRng.normal());
  }

  /** Builds the nets (weights from `seed`) and compiles the D step, G step and sampler graphs. */
  static async create(cfg: Gan2dConfig): Promise<Gan2d> {
    const gan = new Gan2d(cfg);
    const mode = cfg.loss ?? GAN2D_DEFAULTS.loss;
    if (!GAN_MODES.includes(mode)) throw new Error(`loss ${mode}: unknown; choose ${GAN_MODES.join(' or ')}`);
    const { G, D, zDim, batchSize: b, classes: k } = gan;
    const cond = k > 1;
    const z = g.input('z', [b, zDim]);
    const cls = g.input('cls', [b, k]);
    const real = g.input('real', [b, 2]);
    const gen = (zz: Tensor, c: Tensor) => G.forward(cond ? g.concat([zz, c], 1) : zz);
    const disc = (x: Tensor, c: Tensor) => D.forward(cond ? g.concat([x, c], 1) : x);
    const opts = cfg.runtime ?? {};
    // D step: G's output is detached, gradients go to D only.
    gan.dStep = await Step.compile(
      {
        build: () => {
          const lossReal = ganLoss(disc(real, cls), true, mode);
          const lossFake = ganLoss(disc(g.detach(gen(z, cls)), cls), false, mode);
          return { lossD: g.mul(g.add(lossReal, lossFake), 0.5), lossReal, lossFake };
        },
        loss: 'lossD',
        wrt: D.parameters(),
        modules: [G, D],
      },
      opts,
    );
    // G step: D(G(z)) scored as real, gradients go to G only (D's weights are plain inputs here).
    gan.gStep = await Step.compile({
      build: () => ({ lossG: ganLoss(disc(gen(z, cls), cls), true, mode) }), loss: 'lossG', wrt: G.parameters(), modules: [G, D],
    }, opts);
    const n = gan.evalPoints * k;
    const zE = g.input('z', [n, zDim]);
    const clsE = g.input('cls', [n, k]);
    gan.sampleStep = await Step.compile({ build: () => ({ fake: gen(zE, clsE) }), modules: [G] }, opts);
    return gan;
  }

  private drawZ(): Float32Array {
    for (let i = 0; i < this.zBuf.length; i++) this.zBuf[i] = this.noise.normal();
    return this.zBuf;
  }

  /**
   * One iteration on a batch of real points (interleaved x,y; rows ordered as `batchBlocks`):
   * a D update on real vs generated points, then a G update on fresh latents.
   */
  async trainStep(real: Float32Array): Promise<{ lossD: number; lossG: number }> {
    if (real.length !== 2 * this.batchSize) throw new Error(`trainStep: expected ${this.batchSize} points, got ${real.length / 2}`);
    const d = await this.dStep.run({ real, z: this.drawZ(), cls: this.batchClasses });
    this.dRuns++;
    this.optD.step();
    const gOut = await this.gStep.run({ z: this.drawZ(), cls: this.batchClasses });
    this.gRuns++;
    this.optG.step();
    return { lossD: d.lossD[0], lossG: gOut.lossG[0] };
  }

  /** Generated points for the fixed evaluation latents, one block of `evalPoints` per class. */
  async sample(): Promise<Float32Array[]> {
    const { fake } = await this.sampleStep.run({ z: this.zEval, cls: this.evalClasses });
    return this.evalBlocks.map(({ start, count }) => fake.slice(2 * start, 2 * (start + count)));
  }

  async release(): Promise<void> {
    await Promise.all([this.dStep.release(), this.gStep.release(), this.sampleStep.release()]);
  }
}

/** Fills a training batch: the rows of class c (block c) drawn from targets[c]. */
export function sampleBatch(targets: readonly Sampler2d[], blocks: { start: number; count: number }[], rng: Rng, out: Float32Array): Float32Array {
  blocks.forEach(({ start, count }, c) => targets[c].sample(count, rng, out.subarray(2 * start, 2 * (start + count))));
  return out;
}

export interface Gan2dOptions extends Omit<Gan2dConfig, 'classes'> {
  /** One target (plain GAN) or one per class (conditional GAN). */
  targets: Sampler2d[];
  /** Training iterations, default 2000. */
  steps?: number;
  /** Write a PNG frame of real vs generated points every `frames` steps (0: none, the default). */
  frames?: number;
  /** Also write the frames as an animated GIF. */
  gif?: boolean;
  /** Output folder for frames, the GIF and the summary figure; nothing is written without it. */
  out?: string;
  /** Record the sliced Wasserstein distance every this many steps (default: the frame interval, else steps / 20). */
  evalEvery?: number;
  /** Projections of the sliced Wasserstein distance, default 128. */
  projections?: number;
  /** GIF frame delay in ms, default 120. */
  gifDelayMs?: number;
  /** Progress lines (one per evaluation); silent by default. */
  log?: (line: string) => void;
}

export interface Gan2dResult {
  labels: string[];
  steps: number;
  /** Sliced Wasserstein distance per class, of the untrained and of the trained generator. */
  swdInitial: number[];
  swdFinal: number[];
  /** Trained generator's class i against target j (cgan: the diagonal should be smallest). */
  swdCross: number[][];
  /** SWD per class at each evaluated step. */
  history: { step: number; swd: number[] }[];
  lossD: Float32Array;
  lossG: Float32Array;
  /** The last generated points, per class. */
  generated: Float32Array[];
  /** The fixed target sample used for evaluation, per class. */
  reference: Float32Array[];
  frames: string[];
  gif?: string;
  summary?: string;
  /** Seconds spent training (the loop, without compiling or writing files). */
  trainSeconds: number;
}

/**
 * Trains the GAN on `targets` and returns how close the generator got (sliced Wasserstein
 * distance to a fixed target sample, before and after), losses, and the files written.
 */
export async function runGan2d(opts: Gan2dOptions): Promise<Gan2dResult> {
  const { targets } = opts;
  if (targets.length === 0) throw new Error('gan2d: need at least one target distribution');
  const steps = positiveInt('steps', opts.steps ?? GAN2D_DEFAULTS.steps);
  const frameEvery = opts.frames ?? GAN2D_DEFAULTS.frames;
  if (!Number.isInteger(frameEvery) || frameEvery < 0) throw new Error(`frames must be an integer >= 0, got ${frameEvery}`);
  if ((frameEvery || opts.gif) && !opts.out) throw new Error('frames and gif need an output folder (out)');
  const evalEvery = positiveInt('evalEvery', opts.evalEvery ?? (frameEvery || Math.max(1, Math.round(steps / 20))));
  const seed = opts.seed ?? GAN2D_DEFAULTS.seed;
  const log = opts.log ?? (() => {});
  const projections = opts.projections ?? 128;
  const labels = targets.map((t) => t.label);

  const gan = await Gan2d.create({ ...opts, classes: targets.length, seed });
  try {
    const dataRng = createRng(seed + 3);
    const refRng = createRng(seed + 4);
    const reference = targets.map((t) => t.sample(gan.evalPoints, refRng));
    const range = plotRange(reference);
    const swd = (a: Float32Array, b: Float32Array) => slicedWasserstein(a, b, { projections, seed });
    const frames: string[] = [];
    const rgba: RgbaImage[] = [];
    const history: { step: number; swd: number[] }[] = [];
    const lossD = new Float32Array(steps);
    const lossG = new Float32Array(steps);

    const evaluate = async (step: number): Promise<Float32Array[]> => {
      const fake = await gan.sample();
      const d = fake.map((f, c) => swd(f, reference[c]));
      history.push({ step, swd: d });
      const loss = step > 0 ? `  D ${lossD[step - 1].toFixed(3)}  G ${lossG[step - 1].toFixed(3)}` : '';
      log(`step ${step}/${steps}${loss}  SWD ${d.map((v) => v.toFixed(4)).join(' ')}`);
      if (frameEvery && (step % frameEvery === 0 || step === steps)) {
        const fig = frameFigure(labels, reference, fake, step, steps, range, d);
        const path = join(opts.out!, `frame-${String(step).padStart(6, '0')}.png`);
        await writeChartPng(path, fig);
        frames.push(path);
        if (opts.gif) rgba.push(await chartToRgba(fig));
      }
      return fake;
    };

    await evaluate(0);
    const swdInitial = history[0].swd;
    const real = new Float32Array(2 * gan.batchSize);
    let trainMs = 0;
    let generated: Float32Array[] = [];
    for (let step = 1; step <= steps; step++) {
      const t0 = performance.now();
      const { lossD: ld, lossG: lg } = await gan.trainStep(sampleBatch(targets, gan.batchBlocks, dataRng, real));
      trainMs += performance.now() - t0;
      lossD[step - 1] = ld;
      lossG[step - 1] = lg;
      if (!Number.isFinite(ld) || !Number.isFinite(lg)) throw new Error(`gan2d: loss diverged at step ${step} (D ${ld}, G ${lg}); try a smaller --lr`);
      if (step % evalEvery === 0 || step === steps || (frameEvery && step % frameEvery === 0)) generated = await evaluate(step);
    }
    const swdFinal = history[history.length - 1].swd;
    const swdCross = generated.map((f) => reference.map((r) => swd(f, r)));

    let gif: string | undefined;
    let summary: string | undefined;
    if (opts.out) {
      if (opts.gif && rgba.length) {
        gif = join(opts.out, 'gan2d.gif');
        await writeGif(gif, rgba, opts.gifDelayMs ?? 120);
      }
      summary = join(opts.out, 'gan2d.png');
      await writeChartPng(summary, summaryFigure(labels, reference, generated, range, lossD, lossG, history));
    }
    return { labels, steps, swdInitial, swdFinal, swdCross, history, lossD, lossG, generated, reference, frames, gif, summary, trainSeconds: trainMs / 1000 };
  } finally {
    await gan.release();
  }
}
