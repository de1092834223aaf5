// `img2img mosaic auto ...`: parsing only; the work is in auto.ts.
import type { Command } from 'commander';
import { intArg, methodArg, normalizeArg, numArg } from '../cam/cli.js';
import { wrapParse } from '../cli/parse.js';
import { batchProgress } from '../util/batch.js';
import { autoMosaicFiles } from './auto.js';
import { parseBlockSize } from './block-size.js';
import { MOSAIC_STYLES, parseMosaicStyle } from './pixelate.js';
import { REGION_CHOICES, type RegionChoice } from './cam-regions.js';

const styleArg = wrapParse(parseMosaicStyle);

const regionsArg = wrapParse((s: string): RegionChoice => {
  if (!(REGION_CHOICES as readonly string[]).includes(s)) throw new Error(`bad regions "${s}": use ${REGION_CHOICES.join(' or ')}`);
  return s as RegionChoice;
});

/** Adds `auto` to the `mosaic` command. */
export function registerMosaicAuto(mosaic: Command): Command {
  return mosaic.command('auto')
    .description("mosaic the regions a classifier's CAM highlights for a class; writes OUT/<name>.png and OUT/<name>_mask.png")
    .argument('<inputs...>', 'image files or folders')
    .requiredOption('--classifier <model.onnx>', 'ONNX image classifier (GAP + linear head for cam; see `img2img cam`)')
    .requiredOption('--class <n|name>', 'class whose regions are mosaicked')
    .requiredOption('-o, --output <dir>', 'output folder')
    .option('--threshold <f>', 'inside = CAM >= f * CAM max', numArg('threshold', 1e-6, 1), 0.5)
    .option('--regions <largest|all>', 'keep the largest connected region or all', regionsArg, 'largest')
    .option('--dilate <px>', 'grow the regions by this many pixels', numArg('dilate', 0), 0)
    .option('--method <cam|gradcam>', 'how the map is computed', methodArg, 'cam')
    .option('--feature-node <name>', 'node (or value) whose output is the feature map')
    .option('--fc-node <name>', 'the linear layer after global average pooling (cam)')
    .option('--input-size <n>', 'square input side when the model input size is symbolic', intArg('input size', 1))
    .option('--normalize <default|imagenet>', 'input normalization (default: the sidecar\'s, else x/127.5-1)', normalizeArg)
    .option('--style <style>', `block colour: ${MOSAIC_STYLES.join(', ')}`, styleArg, 'average')
    .option('--block-size <n|auto|area>', 'block side in px; auto = ceil(long side/100) >= 4; area = grows with region area', wrapParse(parseBlockSize), 'auto')
    .option('--feather <radius>', 'feather the edge (Gaussian-blurred mask of this radius in px)', numArg('feather radius', 0), 0)
    .option('--seed <n>', 'seed for --style random', intArg('seed', 0), 0)
    .action(async (inputs: string[], o) => {
      const bar = batchProgress();
      const lines: string[] = [];
      try {
        await autoMosaicFiles(inputs, o.output, {
          classifier: o.classifier, classSpec: o.class, threshold: o.threshold, regions: o.regions, dilate: o.dilate,
          method: o.method, featureNode: o.featureNode, fcNode: o.fcNode, inputSize: o.inputSize, normalize: o.normalize,
          style: o.style, blockSize: o.blockSize, feather: o.feather, seed: o.seed,
          onResult: (r) => lines.push(`${r.output}  ${r.regions} region${r.regions === 1 ? '' : 's'}, ${r.area} px  p=${r.probability.toFixed(3)}`),
          onProgress: bar.update,
          onError: (_input, err) => lines.push(`error: ${err.message}`),
        });
      } finally {
        bar.stop();
        for (const l of lines) (l.startsWith('error:') ? console.error : console.log)(l);
      }
    });
}
