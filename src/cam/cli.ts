// `img2img cam ...`: class activation map overlays. Parsing only; the work is in files.ts.
import { batchProgress } from '../util/batch.js';
import type { Command } from 'commander';
import { camFiles } from './files.js';
import { CAM_METHODS, type CamMethod } from './classifier.js';
import { NORMALIZATIONS, parseNormalization } from './preprocess.js';

import { wrapParse } from '../cli/parse.js';

export const intArg = (what: string, min: number) => wrapParse((s: string): number => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) throw new Error(`bad ${what} "${s}": need an integer >= ${min}`);
  return n;
});

export const numArg = (what: string, min: number, max = Infinity) => wrapParse((s: string): number => {
  const n = Number(s);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`bad ${what} "${s}": need a number in [${min}, ${max}]`);
  return n;
});

export const methodArg = wrapParse((s: string): CamMethod => {
  if (!(CAM_METHODS as readonly string[]).includes(s)) throw new Error(`bad method "${s}": use ${CAM_METHODS.join(' or ')}`);
  return s as CamMethod;
});

export const normalizeArg = wrapParse(parseNormalization);


/** Adds `cam` to the program. */
export function registerCamCommand(program: Command): Command {
  return program.command('cam')
    .description('class activation maps (CAM / Grad-CAM) of an ONNX classifier, as heatmap overlays')
    .argument('<images...>', 'image files or folders')
    .requiredOption('--classifier <model.onnx>', 'ONNX image classifier (a model.json sidecar beside it gives class names)')
    .requiredOption('-o, --output <path>', 'output folder (or .png file for one image)')
    .option('--class <n|name>', 'class to explain (default: the top class of each image)')
    .option('--method <cam|gradcam>', 'cam: GAP + linear heads; gradcam: any head the importer supports', methodArg, 'cam')
    .option('--feature-node <name>', 'node (or value) whose output is the feature map (default: found automatically)')
    .option('--fc-node <name>', 'the linear layer after global average pooling (cam; default: found automatically)')
    .option('--input-size <n>', 'square input side when the model input size is symbolic', intArg('input size', 1))
    .option('--normalize <default|imagenet>', `input normalization: default = x/127.5-1, imagenet = (x/255-mean)/std (${NORMALIZATIONS.join(', ')}); default: the sidecar's, else default`, normalizeArg)
    .option('--alpha <a>', 'heatmap weight in the overlay', numArg('alpha', 0, 1), 0.5)
    .action(async (images: string[], o) => {
      const bar = batchProgress();
      const lines: string[] = [];
      try {
        await camFiles(images, o.output, {
          classifier: o.classifier, classSpec: o.class, method: o.method, featureNode: o.featureNode, fcNode: o.fcNode,
          inputSize: o.inputSize, normalize: o.normalize, alpha: o.alpha,
          onResult: (r) => lines.push(`${r.output}  class ${r.classIndex}${r.className ? ` (${r.className})` : ''}  p=${r.probability.toFixed(3)}`),
          onProgress: bar.update,
          onError: (_input, err) => lines.push(`error: ${err.message}`),
        });
      } finally {
        bar.stop();
        for (const l of lines) (l.startsWith('error:') ? console.error : console.log)(l);
      }
    });
}
