// `img2img classifier train`: flags onto the `classifier.train` job.
import type { Command } from 'commander';
import { trainClassifier, trainClassifierSchema, FLIP_MODES, type FlipMode } from '../classifier/train.js';
import { int, num, withDefault, wrapParse } from './parse.js';

const widthsArg = wrapParse((s: string): number[] => {
  const v = s.split(',').map((x) => Number(x.trim()));
  if (!v.length || v.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad widths "${s}": need comma-separated positive integers such as 16,32,64`);
  return v;
});

const flipsArg = wrapParse((s: string): FlipMode => {
  if (!(FLIP_MODES as readonly string[]).includes(s)) throw new Error(`bad flips "${s}": use ${FLIP_MODES.join(', ')}`);
  return s as FlipMode;
});

/** Adds `classifier train` to the program. */
export function registerClassifierCommands(program: Command): Command {
  const d = (key: string, text: string) => withDefault(trainClassifierSchema, key, text);
  const classifier = program.command('classifier').description('train small CNN image classifiers with a CAM-ready head (GAP + linear)');
  classifier.command('train')
    .description('train on DATAROOT/<class>/*.png and export an inference ONNX model plus a JSON sidecar (class names)')
    .requiredOption('--dataroot <dir>', 'folder with one sub-folder of images per class')
    .requiredOption('--output <model.onnx>', 'ONNX model to write (model.json beside it)')
    .option('--size <n>', d('size', 'input side in px (images are resized)'), int(0))
    .option('--epochs <n>', d('epochs', 'training epochs'), int(0))
    .option('--batch-size <n>', d('batchSize', 'batch size'), int(0))
    .option('--lr <x>', d('lr', 'Adam learning rate (cosine-decayed to lr/20)'), num)
    .option('--val-fraction <f>', d('valFraction', 'share of each class held out to measure accuracy'), num)
    .option('--seed <n>', d('seed', 'seed for the split, initialization, shuffling and flips'), int(0))
    .option('--widths <a,b,...>', d('widths', 'channels of the conv blocks (2x2 max pooling between blocks)'), widthsArg)
    .option('--flips <none|h|hv>', d('flips', 'random flips: horizontal, horizontal and vertical, or none'), flipsArg)
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)', int(1))
    .action(async (o) => {
      await trainClassifier({
        dataroot: o.dataroot, output: o.output, size: o.size, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr,
        valFraction: o.valFraction, seed: o.seed, widths: o.widths, flips: o.flips, threads: o.threads, log: (l) => console.log(l),
      });
    });
  return classifier;
}
