// Training the mosaic restorer on clean photos (examples made on the fly by sampler.ts).
//
// Loss: Charbonnier (a smooth L1, sqrt(d^2 + eps^2)) on the projected output, weighted to the
// region and its feathered band. Adam with a linear warm-up and a cosine decay. Resumable
// exactly: weights, Adam moments, the data stream's RNG and the step live in one checkpoint
// file (OUT/latest.safetensors), written atomically every `saveEvery` steps.
import { existsSync, mkdirSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import * as g from '../../graph/index.js';
import { Step } from '../../runtime/step.js';
import { Adam } from '../../optim/adam.js';
import { NLayerDiscriminator } from '../../models/discriminators.js';
import { Conv2d, initWeights, manualSeed } from '../../nn/index.js';
import { Rng, type RngState } from '../../util/rng.js';
import { runtimeOptions, runtimeSchema } from '../../runtime/options.js';
import { callback, parseOptions } from '../../util/options.js';
import { resolveModel } from '../shipped.js';
import { batchShapes, stackExamples, type Batch } from './batch.js';
import { loadRestorer, saveRestorer } from './checkpoint.js';
import { membershipRows, STYLE_ORDER } from './features.js';
import { loadPhotoSet, type PhotoSet } from './photos.js';
import { MosaicRestorer, RESTORER_FEATURES, RestorerConfigSchema, type ProjectionInputs } from './restorer.js';
import { areaSide, DEFAULT_SAMPLER, sampleExample, type SamplerOptions, type TrainingExample } from './sampler.js';

export const RestorerTrainSchema = z.object({
  /** A photo corpus (tools/corpus: manifest.json) or any folder of photos. */
  photos: z.string().min(1),
  /** Where checkpoints and the log go. */
  output: z.string().min(1),
  /** Held-out photos measured every `validateEvery` steps (a corpus: its 'heldout' split). */
  validation: z.string().optional(),
  steps: z.number().int().min(1).default(12000),
  batchSize: z.number().int().min(1).default(16),
  /** Side of the training crops (a multiple of 4). */
  size: z.number().int().min(32).multipleOf(4).default(96),
  lr: z.number().positive().default(4e-4),
  /** Steps of linear warm-up; then cosine decay to lr * finalLrRatio. */
  warmup: z.number().int().min(0).default(200),
  finalLrRatio: z.number().min(0).max(1).default(0.02),
  features: z.number().int().min(8).max(256).default(64),
  blocks: z.number().int().min(1).max(32).default(8),
  /**
   * Whether the loss sees the output after the in-graph block-mean projection (restorer.ts). Off
   * only for the ablation that measures it: the model then learns the projected-out part too, and
   * apply removes it anyway.
   */
  projection: z.boolean().default(true),
  /** Probability of the average, center and random styles. */
  styleWeights: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]).default([0.5, 0.25, 0.25]),
  /** Start from this restorer's weights instead of the initial ones: a shipped model ('faithful', 'sharp') or a file. */
  init: z.string().min(1).optional(),
  /** Continue OUT/latest.safetensors exactly; without it an existing run is refused. */
  resume: z.boolean().default(false),
  /** Stop after this step with a checkpoint, as an interruption would (the schedule still spans `steps`). */
  stopAfter: z.number().int().min(1).optional(),
  saveEvery: z.number().int().min(1).default(500),
  /** Log (and report progress) every n steps. */
  logEvery: z.number().int().min(1).default(50),
  validateEvery: z.number().int().min(1).default(500),
  validationExamples: z.number().int().min(1).default(96),
  /**
   * Adversarial fine-tune (the sharp model): a PatchGAN conditioned on the mosaic adds an LSGAN
   * term and feature matching to the Charbonnier loss. Needs `init` (a trained restorer).
   */
  adversarial: z.object({
    // The shipped sharp model's recipe (docs/restoration.md).
    weight: z.number().min(0).default(0.03),
    featureMatching: z.number().min(0).default(0.3),
    ndf: z.number().int().min(4).max(256).default(32),
    lr: z.number().positive().default(1e-4),
  }).optional(),
  seed: z.number().int().default(0),
  runtime: runtimeSchema,
  /** Called every `logEvery` steps and at each validation. */
  onProgress: callback<(p: RestorerProgress) => void>().optional(),
}).strict();
export type RestorerTrainOptions = z.input<typeof RestorerTrainSchema>;
type Options = z.output<typeof RestorerTrainSchema>;

/** What a training run reports as it goes. */
export interface RestorerProgress {
  step: number;
  total: number;
  loss: number;
  /** Mean of each logged loss since the last report (loss, rec; with an adversary gan, fm, d). */
  losses: Record<string, number>;
  lr: number;
  stepsPerSecond: number;
  etaSeconds: number;
  /** Set on validation steps: dB the model adds over the classical estimate, per style and overall. */
  validation?: ValidationResult;
}

export interface ValidationResult { gainDb: number; perStyle: Record<string, { classical: number; model: number }> }

export interface RestorerTrainResult {
  checkpoint: string;
  /** The final weights-only model (written when the run reached `steps`). */
  model: string;
  /** The step the run stopped at; `completed` when that is `steps`. */
  steps: number;
  completed: boolean;
  seconds: number;
  validation?: ValidationResult;
}

export const CHECKPOINT_FILE = 'latest.safetensors';
export const MODEL_FILE = 'model.safetensors';
export const LOG_FILE = 'log.jsonl';
const CHARBONNIER_EPS = 1e-3;

/** The learning rate at (1-based) step t. */
export function learningRate(o: Pick<Options, 'lr' | 'warmup' | 'finalLrRatio' | 'steps'>, t: number): number {
  if (t <= o.warmup) return (o.lr * t) / Math.max(1, o.warmup);
  const p = (t - o.warmup) / Math.max(1, o.steps - o.warmup);
  return o.lr * (o.finalLrRatio + (1 - o.finalLrRatio) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, p))));
}

/** Graph inputs of a batch (the projection's too). */
function batchInputs(shapes: Record<keyof Batch, number[]>): { features: g.Tensor; p: ProjectionInputs; target: g.Tensor; weight: g.Tensor } {
  return {
    features: g.input('features', shapes.features),
    p: { rows: g.input('rows', shapes.rows), cols: g.input('cols', shapes.cols), mask: g.input('mask', shapes.mask), consistent: g.input('consistent', shapes.consistent) },
    target: g.input('target', shapes.target),
    weight: g.input('weight', shapes.weight),
  };
}

function feedsOf(b: Batch, names: readonly { name: string }[]): Record<string, Float32Array> {
  const all = b as unknown as Record<string, Float32Array>;
  return Object.fromEntries(names.filter((s) => s.name in all).map((s) => [s.name, all[s.name]]));
}

/** Picks a source uniformly, then one of its scales uniformly. */
function drawExample(photos: PhotoSet, rng: Rng, s: SamplerOptions): TrainingExample {
  const group = photos.images[rng.int(photos.images.length)];
  return sampleExample(group[rng.int(group.length)], rng, s);
}

/** Mean PSNR (dB, 8-bit scale) over the mosaic pixels of each example, classical vs model, per style. */
function regionPsnr(examples: readonly TrainingExample[], outputs: Float32Array, s: number): ValidationResult {
  const per: Record<string, { classical: number[]; model: number[] }> = {};
  const plane = s * s;
  examples.forEach((ex, i) => {
    let ec = 0, em = 0, n = 0;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < plane; p++) {
        if (!ex.mask[p]) continue;
        const t = ex.target[c * plane + p];
        const cl = Math.round((ex.features[c * plane + p] + 1) * 127.5) / 127.5 - 1;
        const m = Math.round(Math.min(1, Math.max(-1, outputs[(i * 3 + c) * plane + p])) * 127.5 + 127.5) / 127.5 - 1;
        ec += (cl - t) ** 2;
        em += (m - t) ** 2;
        n++;
      }
    }
    if (!n) return;
    const db = (e: number) => 10 * Math.log10(4 / Math.max(e / n, 1e-10));
    (per[ex.style] ??= { classical: [], model: [] }).classical.push(db(ec));
    per[ex.style].model.push(db(em));
  });
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  const perStyle = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, { classical: mean(v.classical), model: mean(v.model) }]));
  const all = Object.values(per);
  const gainDb = mean(all.flatMap((v) => v.model.map((m, i) => m - v.classical[i])));
  return { gainDb, perStyle };
}

/** Weighted Charbonnier loss (a smooth L1): mean(weight * sqrt(d^2 + eps^2)). */
function charbonnier(out: g.Tensor, target: g.Tensor, weight: g.Tensor): g.Tensor {
  const d = g.sub(out, target);
  return g.mean(g.mul(weight, g.sqrt(g.add(g.mul(d, d), CHARBONNIER_EPS ** 2))));
}

/** The discriminator's activations after each LeakyReLU, then its score map (last). */
function discriminatorFeatures(d: NLayerDiscriminator, x: g.Tensor): g.Tensor[] {
  const feats: g.Tensor[] = [];
  let h = x;
  for (const layer of d.model.layers) {
    h = layer.forward(h);
    if (!(layer instanceof Conv2d)) feats.push(h);
  }
  feats.push(h);
  return feats;
}

/**
 * Trains a restorer. Returns the paths of the last checkpoint (with optimizer state) and of the
 * weights-only model file.
 */
export async function trainRestorer(options: RestorerTrainOptions): Promise<RestorerTrainResult> {
  const o = parseOptions(RestorerTrainSchema, 'restore.train', options);
  const onProgress = o.onProgress;
  const sampler: SamplerOptions = { ...DEFAULT_SAMPLER, size: o.size, styleWeights: o.styleWeights };
  const checkpoint = join(o.output, CHECKPOINT_FILE);
  if (existsSync(checkpoint) && !o.resume) throw new Error(`${o.output} already holds a training run (${CHECKPOINT_FILE}); resume it with resume: true (--resume) or choose another output`);
  if (o.resume && !existsSync(checkpoint)) throw new Error(`cannot resume: ${checkpoint} does not exist`);
  if (o.adversarial && !o.init && !o.resume) throw new Error('adversarial training fine-tunes a trained restorer: give init (--init FILE or faithful)');
  mkdirSync(o.output, { recursive: true });
  const photos = await loadPhotoSet(o.photos, { split: 'train', minSide: areaSide(sampler) });
  const t0 = performance.now();

  // Networks and optimizers: fresh, from `init`, or as the checkpoint left them.
  const rng = new Rng(o.seed);
  const loaded = o.resume ? await loadRestorer(checkpoint) : o.init ? await loadRestorer(resolveModel(o.init)) : undefined;
  const net = loaded?.net ?? new MosaicRestorer(RestorerConfigSchema.parse({ arch: 'mosaic-restorer', features: o.features, blocks: o.blocks })).initialize(new Rng(o.seed + 1));
  const start = o.resume ? loaded!.meta.step : 0;
  if (o.resume) rng.setState(loaded!.meta.trainState?.rng as RngState);
  const adam = new Adam(net.parameters(), { lr: o.lr, betas: [0.9, 0.99] });
  if (o.resume && loaded!.optimizers.optimizer) adam.loadStateDict(loaded!.optimizers.optimizer);
  const adv = o.adversarial;
  let disc: NLayerDiscriminator | undefined, discAdam: Adam | undefined;
  if (adv) {
    manualSeed(o.seed + 2);
    disc = new NLayerDiscriminator(6, adv.ndf, 3, 'none');
    initWeights(disc, 'normal', 0.02);
    if (o.resume && loaded!.discriminator) disc.loadStateDict(loaded!.discriminator, { source: checkpoint });
    discAdam = new Adam(disc.parameters(), { lr: adv.lr, betas: [0.5, 0.99] });
    if (o.resume && loaded!.optimizers.discriminatorOptimizer) discAdam.loadStateDict(loaded!.optimizers.discriminatorOptimizer);
  }
  if (!o.resume) await writeFile(join(o.output, 'options.json'), JSON.stringify({ ...o, onProgress: undefined, photoSources: photos.sources.length }, null, 2));

  const shapes = batchShapes(o.batchSize, o.size, membershipRows(o.size, sampler.minBlock), RESTORER_FEATURES);
  const runtime = runtimeOptions(o.runtime);
  // The restorer's step. With an adversary: + weight * LSGAN term + featureMatching * L1 between
  // the discriminator's activations on the output and on the original (the discriminator is
  // conditioned on the mosaic, and only read here: its parameters get no gradient).
  const step = await Step.compile({
    build: (): Record<string, g.Tensor> => {
      const x = batchInputs(shapes);
      const out = net.restore(x.features, o.projection ? x.p : undefined);
      const rec = charbonnier(out, x.target, x.weight);
      if (!adv || !disc) return { loss: rec, rec };
      const cond = g.slice(x.features, [3], [6], [1]);
      const fake = discriminatorFeatures(disc, g.concat([cond, out], 1));
      const real = discriminatorFeatures(disc, g.concat([cond, x.target], 1));
      const gan = g.mean(g.square(g.sub(fake[fake.length - 1], 1)));
      const fm = fake.slice(0, -1).map((f, i) => g.mean(g.abs(g.sub(f, g.detach(real[i]))))).reduce((s, v) => g.add(s, v));
      return { loss: g.add(rec, g.add(g.mul(gan, adv.weight), g.mul(fm, adv.featureMatching))), rec, gan, fm, out };
    },
    loss: 'loss',
    wrt: net.parameters(),
    modules: disc ? [net, disc] : [net],
  }, runtime);
  // The discriminator's step (LSGAN): originals score 1, this step's outputs 0.
  const discStep = adv && disc ? await Step.compile({
    build: () => {
      const x = batchInputs(shapes);
      const cond = g.slice(x.features, [3], [6], [1]);
      const fake = g.input('fake', shapes.target);
      const dReal = discriminatorFeatures(disc!, g.concat([cond, x.target], 1)).pop()!;
      const dFake = discriminatorFeatures(disc!, g.concat([cond, fake], 1)).pop()!;
      return { loss: g.mul(g.add(g.mean(g.square(g.sub(dReal, 1))), g.mean(g.square(dFake))), 0.5) };
    },
    loss: 'loss',
    wrt: disc.parameters(),
    modules: [disc],
  }, runtime) : undefined;

  const validation = o.validation ? await validationSet(o, sampler) : undefined;
  const validationStep = validation ? await Step.compile({ build: () => { const x = batchInputs(shapes); return { out: net.restore(x.features, x.p) }; }, modules: [net] }, runtime) : undefined;
  const validate = async (): Promise<ValidationResult | undefined> => {
    if (!validation || !validationStep) return undefined;
    const outs: Float32Array[] = [];
    for (const b of validation.batches) outs.push((await validationStep.run(feedsOf(b, validationStep.inputs))).out);
    const all = new Float32Array(outs.reduce((a, x) => a + x.length, 0));
    outs.reduce((off, x) => (all.set(x, off), off + x.length), 0);
    return regionPsnr(validation.examples, all, o.size);
  };

  const log = join(o.output, LOG_FILE);
  const save = async (t: number, rngState: RngState) => {
    await saveRestorer(checkpoint, net, { step: t, trainState: { rng: rngState }, info: { steps: o.steps, photos: o.photos } },
      { optimizer: adam, discriminator: disc, discriminatorOptimizer: discAdam });
  };
  // The next batch is made while ORT runs the current one; the RNG state before it is what a
  // checkpoint keeps, so a resumed run makes the same batches.
  let nextState = rng.getState();
  let next = stackExamples(Array.from({ length: o.batchSize }, () => drawExample(photos, rng, sampler)));
  const sums: Record<string, number> = {};
  let count = 0, lastValidation: ValidationResult | undefined;
  const tStart = performance.now();
  const last = Math.min(o.steps, o.stopAfter ?? o.steps);
  for (let t = start + 1; t <= last; t++) {
    const batch = next;
    const running = step.run(feedsOf(batch, step.inputs));
    const stateAfter = rng.getState();
    next = t < last ? stackExamples(Array.from({ length: o.batchSize }, () => drawExample(photos, rng, sampler))) : batch;
    const r = await running;
    adam.lr = learningRate(o, t);
    adam.step();
    const losses: Record<string, number> = { loss: r.loss[0], rec: r.rec[0] };
    if (discStep && discAdam) {
      const d = await discStep.run({ ...feedsOf(batch, discStep.inputs), fake: r.out });
      discAdam.lr = (adv!.lr * learningRate(o, t)) / o.lr;
      discAdam.step();
      Object.assign(losses, { gan: r.gan[0], fm: r.fm[0], d: d.loss[0] });
    }
    for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v;
    count++;
    nextState = stateAfter;
    const done = t - start, rate = done / ((performance.now() - tStart) / 1000);
    let validated: ValidationResult | undefined;
    if (t % o.validateEvery === 0 || t === last) validated = lastValidation = await validate();
    if (t % o.logEvery === 0 || t === last || validated) {
      const mean = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count]));
      await appendFile(log, JSON.stringify({ step: t, ...mean, lr: adam.lr, stepsPerSecond: rate, ...(validated ? { validation: validated } : {}) }) + '\n');
      onProgress?.({ step: t, total: o.steps, loss: mean.loss, losses: mean, lr: adam.lr, stepsPerSecond: rate, etaSeconds: (last - t) / rate, validation: validated });
      for (const k of Object.keys(sums)) delete sums[k];
      count = 0;
    }
    if (t % o.saveEvery === 0 || t === last) await save(t, nextState);
  }
  await step.release();
  await discStep?.release();
  await validationStep?.release();
  const model = join(o.output, MODEL_FILE);
  if (last === o.steps) await saveRestorer(model, net, { step: o.steps, info: { steps: o.steps, photos: o.photos, validation: lastValidation } });
  return { checkpoint, model, steps: last, completed: last === o.steps, seconds: (performance.now() - t0) / 1000, validation: lastValidation };
}

/** A fixed set of held-out examples (the same every time), in batches. */
async function validationSet(o: Options, sampler: SamplerOptions): Promise<{ examples: TrainingExample[]; batches: Batch[] }> {
  const photos = await loadPhotoSet(o.validation!, { split: existsSync(join(o.validation!, 'manifest.json')) ? 'heldout' : 'train', minSide: areaSide(sampler) });
  const rng = new Rng(12345);
  const n = Math.ceil(o.validationExamples / o.batchSize) * o.batchSize;
  // Styles in equal shares, so the per-style numbers are comparable.
  const examples = Array.from({ length: n }, (_, i) => drawExample(photos, rng, { ...sampler, styleWeights: STYLE_ORDER.map((_, k) => (k === i % 3 ? 1 : 0)) as [number, number, number] }));
  const batches: Batch[] = [];
  for (let i = 0; i < n; i += o.batchSize) batches.push(stackExamples(examples.slice(i, i + o.batchSize)));
  return { examples, batches };
}
