// `img2img classifier train ...`. Parsing only; the work is in train.ts.
import type { Command } from 'commander';
import { intArg, numArg } from '../cam/cli.js';
import { wrapParse } from '../cli/parse.js';
import { trainClassifier, type FlipMode } from './train.js';

const widthsArg = wrapParse((s: string): number[] => {
  const v = s.split(',').map((x) => Number(x.trim()));
  if (!v.length || v.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad widths "${s}": need comma-separated positive integers such as 16,32,64`);
  return v;
});

const flipsArg = wrapParse((s: string): FlipMode => {
  if (s !== 'none' && s !== 'h' && s !== 'hv') throw new Error(`bad flips "${s}": use none, h or hv`);
  return s;
});

/** Adds `classifier train` to the program. */
export function registerClassifierCommands(program: Command): Command {
  const classifier = program.command('classifier').description('train small CNN image classifiers with a CAM-ready head (GAP + linear)');
  classifier.command('train')
    .description('train on DATAROOT/<class>/*.png and export an inference ONNX model plus a JSON sidecar (class names)')
    .requiredOption('--dataroot <dir>', 'folder with one sub-folder of images per class')
    .requiredOption('--output <model.onnx>', 'ONNX model to write (model.json beside it)')
    .option('--size <n>', 'input side in px (images are resized)', intArg('size', 4), 64)
    .option('--epochs <n>', 'training epochs', intArg('epochs', 1), 20)
    .option('--batch-size <n>', 'batch size', intArg('batch size', 2), 16)
    .option('--lr <x>', 'Adam learning rate (cosine-decayed to lr/20)', numArg('learning rate', 1e-8, 10), 3e-3)
    .option('--val-fraction <f>', 'share of each class held out to measure accuracy', numArg('validation fraction', 0, 0.95), 0.2)
    .option('--seed <n>', 'seed for the split, initialization, shuffling and flips', intArg('seed', 0), 0)
    .option('--widths <a,b,...>', 'channels of the conv blocks (2x2 max pooling between blocks)', widthsArg, [16, 32, 64])
    .option('--flips <none|h|hv>', 'random flips: horizontal, horizontal and vertical, or none', flipsArg, 'h')
    .action(async (o) => {
      await trainClassifier({
        dataroot: o.dataroot, output: o.output, size: o.size, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr,
        valFraction: o.valFraction, seed: o.seed, widths: o.widths, flips: o.flips, log: (l) => console.log(l),
      });
    });
  return classifier;
}
