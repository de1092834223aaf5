// `img2img mosaic add|pairs|locate|auto`: flags onto the mosaic jobs (defaults in their schemas).
import type { Command } from 'commander';
import type { JobSink } from './job-sink.js';
import { add, addSchema, auto, autoSchema, locate, locateSchema, pairs, pairsSchema } from '../mosaic/job.js';
import { parseBlockSize } from '../mosaic/block-size.js';
import { parseSplit } from '../mosaic/pairs.js';
import { parseStyleList } from '../mosaic/pair-sampling.js';
import { MOSAIC_STYLES, parseMosaicStyle } from '../mosaic/pixelate.js';
import { REGION_CHOICES } from '../mosaic/cam-regions.js';
import { collect, int, num, oneOf, withDefault, wrapParse } from './parse.js';
import { batchBar } from './progress.js';
import { methodArg, normalizeArg } from './cam.js';
import { addVideoOptions, videoFrom, videoOptionsFrom } from './video-options.js';
import { limitFlag, limitsFrom } from './limit-options.js';

const style = wrapParse(parseMosaicStyle);
const blockSize = wrapParse(parseBlockSize);
const errorLine = (input: string, err: Error) => console.error(`error: ${err.message.includes(input) ? err.message : `${input}: ${err.message}`}`);

/** Adds `add`, `pairs`, `locate` and `auto` to the `mosaic` command; with a sink, `add` and `auto` hand their options to it instead of running. */
export function registerMosaicCommands(mosaic: Command, sink?: JobSink): Command {
  if (!mosaic.description()) mosaic.description('pixelate regions, find existing mosaics, build mosaic-removal training pairs');
  const a = (key: string, text: string) => withDefault(addSchema, key, text);
  const addCmd = mosaic.command('add')
    .description('pixelate regions of images (files or folders) or videos; writes are atomic')
    .argument('<inputs...>', 'image files or folders, or videos')
    .requiredOption('-o, --output <path>', 'output file (one input) or folder')
    .option('--box <x,y,w,h>', 'rectangle to pixelate (repeatable)', collect)
    .option('--polygon <"x1,y1 x2,y2 ...">', 'polygon to pixelate, even-odd fill (repeatable)', collect)
    .option('--ellipse <cx,cy,rx,ry>', 'ellipse to pixelate (repeatable)', collect)
    .option('--mask <file>', 'mask image, same size as the input; > 127 = pixelate')
    .option('--style <style>', a('style', `block colour: ${MOSAIC_STYLES.join(', ')}`), style)
    .option('--block-size <n|auto|area>', a('blockSize', 'block side in px; auto = ceil(long side/100) >= 4; area = grows with region area'), blockSize)
    .option('--block-aspect <ratio>', a('blockAspect', 'block width / height (2 = twice as wide as tall)'), num)
    .option('--feather <radius>', a('feather', 'feather the edge: Gaussian-blurred mask of this radius in px'), num)
    .option('--grid <image|region>', a('grid', 'align blocks to the image origin or to the region box'), oneOf(['image', 'region'] as const))
    .option('--seed <n>', a('seed', 'seed for --style random'), int(0))
    .option('--keyframes <file>', 'videos: JSON of boxes at keyframes, interpolated between them (docs/video.md)')
    .option(...limitFlag('maxImagePixels'));
  addVideoOptions(addCmd).action(async (inputs: string[], o, cmd: Command) => {
    const options = {
      inputs, output: o.output, boxes: o.box, polygons: o.polygon, ellipses: o.ellipse, mask: o.mask,
      style: o.style, blockSize: o.blockSize, blockAspect: o.blockAspect, feather: o.feather, grid: o.grid, seed: o.seed, keyframes: o.keyframes,
      ...videoOptionsFrom(o), ...limitsFrom(o, ['maxImagePixels']),
    };
    if (sink) return sink('mosaic.add', options, cmd);
    const bar = batchBar();
    const video = videoFrom(o);
    try {
      await add({ ...options, ...video.options, onProgress: bar.update, onError: errorLine });
    } finally {
      bar.stop();
      video.bar.stop();
    }
  });

  const p = (key: string, text: string) => withDefault(pairsSchema, key, text);
  mosaic.command('pairs')
    .description('build an aligned pix2pix dataset: mosaicked|clean pairs in DATASET/{train,val,test}')
    .requiredOption('--input <dir>', 'folder of clean source images')
    .requiredOption('--output <dataset>', 'dataset folder to create')
    .option('--size <n>', p('size', 'side of each half in px'), int(0))
    .option('--count-per-image <k>', p('countPerImage', 'pairs per source image'), int(0))
    .option('--seed <n>', p('seed', 'random seed (same seed = byte-identical dataset)'), int(0))
    .option('--split <train,val,test>', p('split', 'fractions of SOURCE images per split'), wrapParse(parseSplit))
    .option('--styles <list>', `block styles to draw from, comma-separated (default all: ${MOSAIC_STYLES.join(',')})`, wrapParse(parseStyleList))
    .option('--overwrite', 'replace an existing dataset in the output folder')
    .option(...limitFlag('maxImagePixels'))
    .action(async (o) => {
      const bar = batchBar();
      try {
        const m = await pairs({
          input: o.input, output: o.output, size: o.size, countPerImage: o.countPerImage, seed: o.seed, split: o.split, styles: o.styles,
          overwrite: o.overwrite, ...limitsFrom(o, ['maxImagePixels']), onProgress: bar.update,
        });
        bar.stop();
        const sources = `${m.sources.train.length}/${m.sources.val.length}/${m.sources.test.length} train/val/test sources`;
        console.log(`${m.pairs.length} pairs (${sources}) in ${o.output}`);
      } finally {
        bar.stop();
      }
    });

  mosaic.command('locate')
    .description('find existing mosaics; prints one JSON line per image')
    .argument('<inputs...>', 'image files or folders')
    .option('--masks <dir>', 'also write each found mask as <dir>/<name>.png')
    .option('--tolerance <n>', withDefault(locateSchema, 'tolerance', 'largest per-channel difference counted as equal (for lossy files)'), int(0))
    .option(...limitFlag('maxImagePixels'))
    .action(async (inputs: string[], o) => {
      await locate({ inputs, masks: o.masks, tolerance: o.tolerance, ...limitsFrom(o, ['maxImagePixels']), onResult: (r) => console.log(JSON.stringify(r)) });
    });

  const u = (key: string, text: string) => withDefault(autoSchema, key, text);
  const autoCmd = mosaic.command('auto')
    .description("mosaic the regions a classifier's CAM highlights for a class; writes OUT/<name>.png and OUT/<name>_mask.png (videos: OUT, tracked over time)")
    .argument('<inputs...>', 'image files or folders, or videos')
    .requiredOption('--classifier <model.onnx>', 'ONNX image classifier (GAP + linear head for cam; see `img2img cam`)')
    .requiredOption('--class <n|name>', 'class whose regions are mosaicked')
    .requiredOption('-o, --output <dir>', 'output folder (a video file for one video)')
    .option('--threshold <f>', u('threshold', 'inside = CAM >= f * CAM max'), num)
    .option('--regions <largest|all>', u('regions', `keep the largest connected region or all (${REGION_CHOICES.join(', ')})`), oneOf(REGION_CHOICES))
    .option('--dilate <px>', u('dilate', 'grow the regions by this many pixels'), num)
    .option('--method <cam|gradcam>', u('method', 'how the map is computed'), methodArg)
    .option('--feature-node <name>', 'node (or value) whose output is the feature map')
    .option('--fc-node <name>', 'the linear layer after global average pooling (cam)')
    .option('--input-size <n>', 'square input side when the model input size is symbolic', int(1))
    .option('--normalize <default|imagenet>', 'input normalization (default: the sidecar\'s, else x/127.5-1)', normalizeArg)
    .option('--style <style>', u('style', `block colour: ${MOSAIC_STYLES.join(', ')}`), style)
    .option('--block-size <n|auto|area>', u('blockSize', 'block side in px; auto = ceil(long side/100) >= 4; area = grows with region area'), blockSize)
    .option('--feather <radius>', u('feather', 'feather the edge (Gaussian-blurred mask of this radius in px)'), num)
    .option('--seed <n>', u('seed', 'seed for --style random'), int(0))
    .option(...limitFlag('maxImagePixels'))
    .option(...limitFlag('maxModelBytes'));
  addVideoOptions(autoCmd).action(async (inputs: string[], o, cmd: Command) => {
      const options = {
        inputs, output: o.output, classifier: o.classifier, class: o.class, threshold: o.threshold, regions: o.regions, dilate: o.dilate,
        method: o.method, featureNode: o.featureNode, fcNode: o.fcNode, inputSize: o.inputSize, normalize: o.normalize,
        style: o.style, blockSize: o.blockSize, feather: o.feather, seed: o.seed, ...videoOptionsFrom(o),
        ...limitsFrom(o, ['maxImagePixels', 'maxModelBytes']),
      };
      if (sink) return sink('mosaic.auto', options, cmd);
      const bar = batchBar();
      const video = videoFrom(o);
      const lines: string[] = [];
      try {
        await auto({
          ...options, ...video.options,
          onResult: (r) => lines.push(`${r.output}  ${r.regions} region${r.regions === 1 ? '' : 's'}, ${r.area} px  p=${r.probability.toFixed(3)}`),
          onProgress: bar.update,
          onError: (_input, err) => lines.push(`error: ${err.message}`),
        });
      } finally {
        bar.stop();
        video.bar.stop();
        for (const l of lines) (l.startsWith('error:') ? console.error : console.log)(l);
      }
    });
  return mosaic;
}
