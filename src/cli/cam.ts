// `img2img cam`: flags onto the `cam.overlays` job.
import type { Command } from 'commander';
import { CAM_METHODS, type CamMethod } from '../cam/classifier.js';
import { overlays, overlaysSchema } from '../cam/job.js';
import { NORMALIZATIONS, parseNormalization } from '../cam/preprocess.js';
import { int, num, withDefault, wrapParse } from './parse.js';
import { batchBar } from './progress.js';
import { limitFlag, limitsFrom } from './limit-options.js';

export const methodArg = wrapParse((s: string): CamMethod => {
  if (!(CAM_METHODS as readonly string[]).includes(s)) throw new Error(`bad method "${s}": use ${CAM_METHODS.join(' or ')}`);
  return s as CamMethod;
});

export const normalizeArg = wrapParse(parseNormalization);

/** Adds `cam` to the program. */
export function registerCamCommand(program: Command): Command {
  const d = (key: string, text: string) => withDefault(overlaysSchema, key, text);
  return program.command('cam')
    .description('class activation maps (CAM / Grad-CAM) of an ONNX classifier, as heatmap overlays')
    .argument('<images...>', 'image files or folders')
    .requiredOption('--classifier <model.onnx>', 'ONNX image classifier (a model.json sidecar beside it gives class names)')
    .requiredOption('-o, --output <path>', 'output folder (or .png file for one image)')
    .option('--class <n|name>', 'class to explain (default: the top class of each image)')
    .option('--method <cam|gradcam>', d('method', 'cam: GAP + linear heads; gradcam: any head the importer supports'), methodArg)
    .option('--feature-node <name>', 'node (or value) whose output is the feature map (default: found automatically)')
    .option('--fc-node <name>', 'the linear layer after global average pooling (cam; default: found automatically)')
    .option('--input-size <n>', 'square input side when the model input size is symbolic', int(1))
    .option('--normalize <default|imagenet>',
      `input normalization: default = x/127.5-1, imagenet = (x/255-mean)/std (${NORMALIZATIONS.join(', ')}); `
        + "default: the sidecar's, else default", normalizeArg)
    .option('--alpha <a>', d('alpha', 'heatmap weight in the overlay'), num)
    .option(...limitFlag('maxImagePixels'))
    .option(...limitFlag('maxModelBytes'))
    .action(async (images: string[], o) => {
      const bar = batchBar();
      const lines: string[] = [];
      try {
        await overlays({
          inputs: images, output: o.output, classifier: o.classifier, class: o.class, method: o.method, featureNode: o.featureNode, fcNode: o.fcNode,
          inputSize: o.inputSize, normalize: o.normalize, alpha: o.alpha, ...limitsFrom(o, ['maxImagePixels', 'maxModelBytes']),
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
