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
import { Adam } from '../../train/optim/adam.js';
import { Rng, type RngState } from '../../util/rng.js';
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
  /** Probability of the average, center and random styles. */
  styleWeights: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]).default([0.5, 0.25, 0.25]),
  /** Start from this restorer's weights (e.g. a shipped model) instead of the initial ones. */
  init: z.string().optional(),
  /** Continue OUT/latest.safetensors exactly; without it an existing run is refused. */
  resume: z.boolean().default(false),
  /** Stop after this step with a checkpoint, as an interruption would (the schedule still spans `steps`). */
  stopAfter: z.number().int().min(1).optional(),
  saveEvery: z.number().int().min(1).default(500),
  validateEvery: z.number().int().min(1).default(500),
  validationExamples: z.number().int().min(1).default(96),
  seed: z.number().int().default(0),
  threads: z.number().int().min(1).optional(),
});
export type RestorerTrainOptions = z.input<typeof RestorerTrainSchema>;
type Options = z.output<typeof RestorerTrainSchema>;

/** What a training run reports as it goes. */
export interface RestorerProgress {
  step: number;
  total: number;
  loss: number;
  lr: number;
  stepsPerSecond: number;
  etaSeconds: number;
  /** Set on validation steps: dB the model adds over the classical estimate, per style and overall. */
  validation?: ValidationResult;
}

export interface ValidationResult { gainDb: number; perStyle: Record<string, { classical: number; model: number }> }

export interface RestorerTrainResult { checkpoint: string; model: string; steps: number; seconds: number; validation?: ValidationResult }

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

/**
 * Trains a restorer. Returns the paths of the last checkpoint (with optimizer state) and of the
 * weights-only model file.
 */
export async function trainRestorer(options: RestorerTrainOptions, onProgress?: (p: RestorerProgress) => void): Promise<RestorerTrainResult> {
  const o = RestorerTrainSchema.parse(options);
  const sampler: SamplerOptions = { ...DEFAULT_SAMPLER, size: o.size, styleWeights: o.styleWeights };
  const checkpoint = join(o.output, CHECKPOINT_FILE);
  if (existsSync(checkpoint) && !o.resume) throw new Error(`${o.output} already holds a training run (${CHECKPOINT_FILE}); resume it with resume: true (--resume) or choose another output`);
  if (o.resume && !existsSync(checkpoint)) throw new Error(`cannot resume: ${checkpoint} does not exist`);
  mkdirSync(o.output, { recursive: true });
  const photos = await loadPhotoSet(o.photos, { split: 'train', minSide: areaSide(sampler) });
  const t0 = performance.now();

  let net: MosaicRestorer;
  let start = 0;
  const rng = new Rng(o.seed);
  let resumeOptimizer: Awaited<ReturnType<typeof loadRestorer>>['optimizerState'];
  if (o.resume) {
    const loaded = await loadRestorer(checkpoint);
    net = loaded.net;
    start = loaded.meta.step;
    rng.setState(loaded.meta.trainState?.rng as RngState);
    resumeOptimizer = loaded.optimizerState;
  } else if (o.init) {
    net = (await loadRestorer(o.init)).net;
  } else {
    net = new MosaicRestorer(RestorerConfigSchema.parse({ arch: 'mosaic-restorer', features: o.features, blocks: o.blocks })).initialize(new Rng(o.seed + 1));
  }
  const adam = new Adam(net.parameters(), { lr: o.lr, betas: [0.9, 0.99] });
  if (resumeOptimizer) adam.loadStateDict(resumeOptimizer);
  if (!o.resume) await writeFile(join(o.output, 'options.json'), JSON.stringify({ ...o, photoSources: photos.sources.length }, null, 2));

  const shapes = batchShapes(o.batchSize, o.size, membershipRows(o.size, sampler.minBlock), RESTORER_FEATURES);
  const runtime = { threads: o.threads };
  const step = await Step.compile({
    build: () => {
      const x = batchInputs(shapes);
      const out = net.restore(x.features, x.p);
      const d = g.sub(out, x.target);
      const loss = g.mean(g.mul(x.weight, g.sqrt(g.add(g.mul(d, d), CHARBONNIER_EPS ** 2))));
      return { loss };
    },
    loss: 'loss',
    wrt: net.parameters(),
  }, runtime);

  const validation = o.validation ? await validationSet(o, sampler) : undefined;
  const validationStep = validation ? await Step.compile({ build: () => { const x = batchInputs(shapes); return { out: net.restore(x.features, x.p) }; } }, runtime) : undefined;
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
    await saveRestorer(checkpoint, net, { step: t, trainState: { rng: rngState }, info: { steps: o.steps, photos: o.photos } }, adam);
  };
  // The next batch is made while ORT runs the current one; its RNG state is what a checkpoint keeps.
  let nextState = rng.getState();
  let next = stackExamples(Array.from({ length: o.batchSize }, () => drawExample(photos, rng, sampler)));
  let lossSum = 0, lossCount = 0, lastValidation: ValidationResult | undefined;
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
    lossSum += r.loss[0];
    lossCount++;
    nextState = stateAfter;
    const done = t - start, rate = done / ((performance.now() - tStart) / 1000);
    let validated: ValidationResult | undefined;
    if (t % o.validateEvery === 0 || t === last) validated = lastValidation = await validate();
    if (t % 50 === 0 || t === last || validated) {
      await appendFile(log, JSON.stringify({ step: t, loss: lossSum / lossCount, lr: adam.lr, stepsPerSecond: rate, ...(validated ? { validation: validated } : {}) }) + '\n');
      onProgress?.({ step: t, total: o.steps, loss: lossSum / lossCount, lr: adam.lr, stepsPerSecond: rate, etaSeconds: (o.steps - t) / rate, validation: validated });
      lossSum = lossCount = 0;
    }
    if (t % o.saveEvery === 0 || t === last) await save(t, nextState);
  }
  await step.release();
  await validationStep?.release();
  const model = join(o.output, MODEL_FILE);
  if (last === o.steps) await saveRestorer(model, net, { step: o.steps, info: { steps: o.steps, photos: o.photos, validation: lastValidation } });
  return { checkpoint, model, steps: last, seconds: (performance.now() - t0) / 1000, validation: lastValidation };
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
