// The `test` job: a trained experiment on a dataset split, as the reference's test.py (images and
// an HTML page in RESULTS_DIR/NAME/PHASE_EPOCH).
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import { AlignedDataset } from '../data/aligned-dataset.js';
import { UnalignedDataset } from '../data/unaligned-dataset.js';
import { writeImage, firstImage, type Channels } from '../data/image.js';
import { DEFAULT_TRANSFORM_OPTIONS, PREPROCESS_MODES } from '../data/transforms.js';
import { writeFileAtomic } from '../io/atomic.js';
import { networkPath, readTrainOptions } from '../models/checkpoint.js';
import { loadGenerator } from '../inference/load-generator.js';
import { Translator } from '../inference/translator.js';
import { runtimeOptions, runtimeSchema } from '../runtime/options.js';
import { escapeHtml as esc } from '../util/html.js';
import { callback, int, parseOptions, type LogFn, type ProgressFn } from '../util/options.js';
import { Rng } from '../util/rng.js';
import { maxImagePixelsField, maxModelBytesField, maxNetworkPixelsField } from '../util/limits.js';
import { DIRECTIONS, MODELS } from './options.js';

export const testSchema = z.object({
  /** Dataset folder (DIR/test for pix2pix, DIR/testA and DIR/testB for CycleGAN). */
  dataroot: z.string().min(1),
  /** Experiment name. */
  name: z.string().min(1),
  /** Default: the model the experiment was trained with. */
  model: z.enum(MODELS).optional(),
  checkpointsDir: z.string().min(1).default('./checkpoints'),
  resultsDir: z.string().min(1).default('./results'),
  /** Which checkpoint: latest or an epoch number. */
  epoch: z.string().min(1).default('latest'),
  /** Dataset split. */
  phase: z.string().min(1).default('test'),
  /** How many test images. */
  numTest: int(1).default(50),
  /** Eval mode: BatchNorm running statistics, no dropout. */
  eval: z.boolean().default(false),
  /** Default: as trained. */
  direction: z.enum(DIRECTIONS).optional(),
  preprocess: z.enum(PREPROCESS_MODES).default(DEFAULT_TRANSFORM_OPTIONS.preprocess),
  /** Scale images to this size; default: the crop size, as the reference tests. */
  loadSize: int(1).optional(),
  /** Default: as trained. */
  cropSize: int(1).optional(),
  /** Seed of test-time dropout. */
  seed: int(0).default(0),
  /** Limits: images decoded, images the generator runs on (H x W), the checkpoint files. */
  maxImagePixels: maxImagePixelsField,
  maxNetworkPixels: maxNetworkPixelsField,
  maxModelBytes: maxModelBytesField,
  runtime: runtimeSchema,
  onProgress: callback<ProgressFn>().optional(),
  /** Warnings (an unreadable image skipped, a size rounded). */
  warn: callback<LogFn>().optional(),
}).strict();
export type TestOptions = z.input<typeof testSchema>;

export interface TestResult {
  /** RESULTS_DIR/NAME/PHASE_EPOCH, with images/ and index.html. */
  dir: string;
  images: number;
}

/**
 * Runs a trained experiment on a dataset split: writes each visual (real_A, fake_B, ...) and an
 * HTML page to RESULTS_DIR/NAME/PHASE_EPOCH. What is left out is taken from the run's
 * train_opt.json, as the reference's test options inherit the experiment's settings.
 */
export async function test(options: TestOptions): Promise<TestResult> {
  const opts = parseOptions(testSchema, 'test', options);
  const trained = readTrainOptions(opts.checkpointsDir, opts.name) ?? {};
  const model = opts.model ?? (trained.model as (typeof MODELS)[number] | undefined) ?? 'cycle_gan';
  const direction = opts.direction ?? (trained.direction as (typeof DIRECTIONS)[number] | undefined) ?? 'AtoB';
  const cropSize = opts.cropSize ?? (trained.cropSize as number | undefined) ?? DEFAULT_TRANSFORM_OPTIONS.cropSize;
  const o = { ...opts, model, direction, cropSize };
  const ckptDir = join(o.checkpointsDir, o.name);
  const cycle = o.model === 'cycle_gan';
  const roles = cycle ? ['G_A', 'G_B'] : ['G'];
  const runtime = runtimeOptions(o.runtime);
  const gens = await Promise.all(roles.map((r) => loadGenerator(networkPath(ckptDir, o.epoch, r), {}, { maxBytes: o.maxModelBytes })));
  const translators = gens.map((gen, i) => new Translator(gen.net, gen.config, o.eval, runtime, o.seed + i, {}, o.maxNetworkPixels));
  const dsOpts = {
    root: o.dataroot, phase: o.phase, direction: o.direction, inputNc: gens[0].config.inputNc as Channels, outputNc: gens[0].config.outputNc as Channels,
    preprocess: o.preprocess, loadSize: o.loadSize ?? o.cropSize, cropSize: o.cropSize, noFlip: true, serialBatches: true, maxImagePixels: o.maxImagePixels,
    ...(o.warn ? { warn: o.warn } : {}),
  };
  const dataset = cycle ? await UnalignedDataset.open(dsOpts) : await AlignedDataset.open(dsOpts);
  const outDir = join(o.resultsDir, o.name, `${o.phase}_${o.epoch}`);
  const rows: string[] = [];
  const rng = new Rng(o.seed);
  const n = Math.min(o.numTest, dataset.length);
  try {
    for (let i = 0; i < n; i++) {
      const s = await dataset.get(i, rng);
      if (!s) continue;
      const shapeA = [1, ...s.A.shape];
      const shapeB = [1, ...s.B.shape];
      const visuals: Record<string, { shape: number[]; data: Float32Array }> = { real_A: { shape: shapeA, data: s.A.data } };
      const fakeB = await translators[0].run(s.A.data, shapeA);
      visuals.fake_B = { shape: [1, gens[0].config.outputNc, shapeA[2], shapeA[3]], data: fakeB };
      if (cycle) {
        visuals.rec_A = { shape: shapeA, data: await translators[1].run(fakeB, visuals.fake_B.shape) };
        visuals.real_B = { shape: shapeB, data: s.B.data };
        const fakeA = await translators[1].run(s.B.data, shapeB);
        visuals.fake_A = { shape: [1, gens[1].config.outputNc, shapeB[2], shapeB[3]], data: fakeA };
        visuals.rec_B = { shape: shapeB, data: await translators[0].run(fakeA, visuals.fake_A.shape) };
      } else {
        visuals.real_B = { shape: shapeB, data: s.B.data };
      }
      const stem = basename(s.pathA, extname(s.pathA));
      const cells: string[] = [];
      for (const [name, t] of Object.entries(visuals)) {
        const file = `${stem}_${name}.png`;
        await writeImage(join(outDir, 'images', file), firstImage(t));
        cells.push(`<td><img src="images/${esc(file)}" width="256"><br>${esc(name)}</td>`);
      }
      rows.push(`<tr><td>${esc(stem)}</td>${cells.join('')}</tr>`);
      o.onProgress?.(i + 1, n);
    }
  } finally {
    for (const t of translators) await t.release();
  }
  const title = `${o.name} ${o.phase} ${o.epoch}`;
  const heading = `Experiment = ${o.name}, Phase = ${o.phase}, Epoch = ${o.epoch}`;
  const html = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>\n<h1>${esc(heading)}</h1>\n`
    + `<table>\n${rows.join('\n')}\n</table></body></html>\n`;
  await writeFileAtomic(join(outDir, 'index.html'), html);
  return { dir: outDir, images: rows.length };
}

