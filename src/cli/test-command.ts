import type { Command } from 'commander';
import { join, basename, extname } from 'node:path';
import { AlignedDataset } from '../data/aligned-dataset.js';
import { UnalignedDataset } from '../data/unaligned-dataset.js';
import type { Channels } from '../data/image.js';
import { writeImage } from '../data/image.js';
import { loadGenerator } from '../inference/load-generator.js';
import { Translator } from '../inference/translator.js';
import { networkPath } from '../train/checkpoint.js';
import { readTrainOptions } from '../train/trainer.js';
import { firstImage } from '../train/report.js';
import { writeFileAtomic } from '../io/atomic.js';
import { escapeHtml as esc } from '../util/html.js';
import { Rng } from '../util/rng.js';
import { int, oneOf } from './parse.js';
import { addRuntimeOptions, applyRuntimeOptions } from './runtime-options.js';
import { MODELS } from '../train/build.js';
import { PREPROCESS_MODES } from '../data/transforms.js';

export function registerTestCommand(program: Command): void {
  const cmd = program
    .command('test')
    .description('run a trained model on a dataset split; writes images and an HTML page to RESULTS_DIR/NAME/test_EPOCH')
    .requiredOption('--dataroot <dir>', 'dataset folder (DIR/test for pix2pix, DIR/testA and DIR/testB for CycleGAN)')
    .requiredOption('--name <name>', 'experiment name')
    .option('--model <model>', `${MODELS.join(' | ')} (default: the one the experiment was trained with)`, oneOf(MODELS))
    .option('--checkpoints-dir <dir>', 'where experiments are saved', './checkpoints')
    .option('--results-dir <dir>', 'where results go', './results')
    .option('--epoch <label>', 'which checkpoint: latest or an epoch number', 'latest')
    .option('--phase <phase>', 'dataset split', 'test')
    .option('--num-test <n>', 'how many test images', int(1), 50)
    .option('--eval', 'eval mode: BatchNorm running statistics, no dropout')
    .option('--direction <dir>', 'AtoB or BtoA (default: as trained)', oneOf(['AtoB', 'BtoA'] as const))
    .option('--preprocess <mode>', PREPROCESS_MODES.join(' | '), oneOf(PREPROCESS_MODES), 'resize_and_crop')
    .option('--load-size <n>', 'scale images to this size (default: crop size, as the reference tests)', int(1))
    .option('--crop-size <n>', 'crop size (default: as trained)', int(1))
    .option('--seed <n>', 'seed of test-time dropout', int(0), 0);
  addRuntimeOptions(cmd).action(async (o: Record<string, any>) => {
    applyRuntimeOptions(o);
    const dir = await runTest(o);
    console.log(`results in ${dir}`);
  });
}

export async function runTest(opts: Record<string, any>): Promise<string> {
  // What the user leaves out is taken from the run's train_opt.json, as the reference's test
  // options inherit the experiment's settings.
  const trained = readTrainOptions(opts.checkpointsDir, opts.name) ?? {};
  const o: Record<string, any> = { ...opts, model: opts.model ?? trained.model ?? 'cycle_gan', direction: opts.direction ?? trained.direction ?? 'AtoB', cropSize: opts.cropSize ?? trained.cropSize ?? 256 };
  const ckptDir = join(o.checkpointsDir, o.name);
  const cycle = o.model === 'cycle_gan';
  const roles = cycle ? ['G_A', 'G_B'] : ['G'];
  const gens = await Promise.all(roles.map((r) => loadGenerator(networkPath(ckptDir, o.epoch, r))));
  const translators = gens.map((gen, i) => new Translator(gen.net, gen.config, !!o.eval, {}, o.seed + i));
  const dsOpts = {
    root: o.dataroot, phase: o.phase, direction: o.direction, inputNc: gens[0].config.inputNc as Channels, outputNc: gens[0].config.outputNc as Channels,
    preprocess: o.preprocess, loadSize: o.loadSize ?? o.cropSize, cropSize: o.cropSize, noFlip: true, serialBatches: true,
  };
  const dataset = cycle ? await UnalignedDataset.open(dsOpts) : await AlignedDataset.open(dsOpts);
  const outDir = join(o.resultsDir, o.name, `${o.phase}_${o.epoch}`);
  const rows: string[] = [];
  const rng = new Rng(o.seed);
  const n = Math.min(o.numTest, dataset.length);
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
      await writeImage(join(outDir, 'images', file), firstImage({ dtype: 'float32', ...t }));
      cells.push(`<td><img src="images/${esc(file)}" width="256"><br>${esc(name)}</td>`);
    }
    rows.push(`<tr><td>${esc(stem)}</td>${cells.join('')}</tr>`);
  }
  const title = `${o.name} ${o.phase} ${o.epoch}`;
  const heading = `Experiment = ${o.name}, Phase = ${o.phase}, Epoch = ${o.epoch}`;
  const html = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body>\n<h1>${esc(heading)}</h1>\n`
    + `<table>\n${rows.join('\n')}\n</table></body></html>\n`;
  await writeFileAtomic(join(outDir, 'index.html'), html);
  for (const t of translators) await t.release();
  return outDir;
}
