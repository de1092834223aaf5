// `img2img test`: flags onto the `test` job (defaults in its schema; what is left out comes from the experiment).
import type { Command } from 'commander';
import { PREPROCESS_MODES } from '../data/transforms.js';
import { DIRECTIONS, MODELS } from '../train/options.js';
import { test, testSchema } from '../train/test-job.js';
import { int, oneOf, withDefault } from './parse.js';
import { batchBar } from './progress.js';
import { addRuntimeOptions, runtimeFrom } from './runtime-options.js';
import { addLimitOptions, limitsFrom, type LimitKey } from './limit-options.js';

const LIMITS: LimitKey[] = ['maxImagePixels', 'maxNetworkPixels', 'maxModelBytes'];

const d = (key: string, text: string) => withDefault(testSchema, key, text);

export function registerTestCommand(program: Command): void {
  const cmd = program
    .command('test')
    .description('run a trained model on a dataset split; writes images and an HTML page to RESULTS_DIR/NAME/test_EPOCH')
    .requiredOption('--dataroot <dir>', 'dataset folder (DIR/test for pix2pix, DIR/testA and DIR/testB for CycleGAN)')
    .requiredOption('--name <name>', 'experiment name')
    .option('--model <model>', `${MODELS.join(' | ')} (default: the one the experiment was trained with)`, oneOf(MODELS))
    .option('--checkpoints-dir <dir>', d('checkpointsDir', 'where experiments are saved'))
    .option('--results-dir <dir>', d('resultsDir', 'where results go'))
    .option('--epoch <label>', d('epoch', 'which checkpoint: latest or an epoch number'))
    .option('--phase <phase>', d('phase', 'dataset split'))
    .option('--num-test <n>', d('numTest', 'how many test images'), int(1))
    .option('--eval', 'eval mode: BatchNorm running statistics, no dropout')
    .option('--direction <dir>', 'AtoB or BtoA (default: as trained)', oneOf(DIRECTIONS))
    .option('--preprocess <mode>', d('preprocess', PREPROCESS_MODES.join(' | ')), oneOf(PREPROCESS_MODES))
    .option('--load-size <n>', 'scale images to this size (default: crop size, as the reference tests)', int(1))
    .option('--crop-size <n>', 'crop size (default: as trained)', int(1))
    .option('--seed <n>', d('seed', 'seed of test-time dropout'), int(0));
  addLimitOptions(addRuntimeOptions(cmd), LIMITS).action(async (o: Record<string, any>) => {
    const bar = batchBar('test');
    try {
      const r = await test({
        dataroot: o.dataroot, name: o.name, model: o.model, checkpointsDir: o.checkpointsDir, resultsDir: o.resultsDir, epoch: o.epoch,
        phase: o.phase, numTest: o.numTest, eval: o.eval, direction: o.direction, preprocess: o.preprocess, loadSize: o.loadSize,
        cropSize: o.cropSize, seed: o.seed, runtime: runtimeFrom(o), ...limitsFrom(o, LIMITS), onProgress: bar.update, warn: (l) => console.warn(l),
      });
      bar.stop();
      console.log(`results in ${r.dir}`);
    } finally {
      bar.stop();
    }
  });
}
