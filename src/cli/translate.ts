// `img2img translate`: flags onto the `translate` job.
import type { Command } from 'commander';
import type { JobSink } from './job-sink.js';
import { GENERATOR_NAMES } from '../models/networks.js';
import { NORM_TYPES } from '../models/norm.js';
import { translate, translateSchema } from '../inference/job.js';
import { NORM_STATS } from '../inference/tiled.js';
import { int, oneOf, withDefault } from './parse.js';
import { batchBar } from './progress.js';
import { addRuntimeOptions, runtimeFrom } from './runtime-options.js';
import { addVideoOptions, videoFrom, videoOptionsFrom } from './video-options.js';
import { addLimitOptions, limitsFrom, type LimitKey } from './limit-options.js';

const LIMITS: LimitKey[] = ['maxImagePixels', 'maxNetworkPixels', 'maxModelBytes'];

const d = (key: string, text: string) => withDefault(translateSchema, key, text);

/** Adds `translate`; with a sink, it hands its options to it instead of running. */
export function registerTranslateCommand(program: Command, sink?: JobSink): void {
  const cmd = program
    .command('translate')
    .description('run a generator on images or folders of any size')
    .argument('<inputs...>', 'image files or folders, or videos')
    .requiredOption('--checkpoint <file>', 'generator: *_net_G*.safetensors (self-describing) or a reference .pth with --netG/--norm/--ngf')
    .requiredOption('-o, --output <path>', 'output folder (or an image file for a single input)')
    .option('--eval', 'eval mode: BatchNorm running statistics, no dropout')
    .option('--netG <name>', `.pth only: ${GENERATOR_NAMES.join(' | ')}`, oneOf(GENERATOR_NAMES))
    .option('--norm <type>', d('norm', `.pth only: ${NORM_TYPES.join(' | ')}`), oneOf(NORM_TYPES))
    .option('--ngf <n>', d('ngf', '.pth only: generator filters'), int(1))
    .option('--input-nc <n>', d('inputNc', '.pth only: input channels'), int(1))
    .option('--output-nc <n>', d('outputNc', '.pth only: output channels'), int(1))
    .option('--dropout', '.pth only: the generator was built with dropout (the default)')
    .option('--no-dropout', '.pth only: the generator was built without dropout')
    .option('--seed <n>', d('seed', 'seed of dropout when not --eval'), int(0))
    .option('--max-pixels <n>', 'largest image (pixels) run whole; larger ones run in tiles (default: 655360 ResNet, 2097152 U-Net)', int(0))
    .option('--tile <px>', 'tile side for large images (default 512; 768 for unet_256)', int(8))
    .option('--tile-overlap <px>', 'least overlap of tiles, blended (default 64; 256 for unet_256)', int(0))
    .option('--norm-stats <where>', d('normStats', `tiled runs: normalization statistics of the ${NORM_STATS.join(' | ')}`), oneOf(NORM_STATS));
  addVideoOptions(cmd);
  addLimitOptions(addRuntimeOptions(cmd), LIMITS).action(async (inputs: string[], o: Record<string, any>, command: Command) => {
    const options = {
      inputs, output: o.output, checkpoint: o.checkpoint, eval: o.eval, netG: o.netG, norm: o.norm, ngf: o.ngf, inputNc: o.inputNc,
      outputNc: o.outputNc, dropout: o.dropout, seed: o.seed, maxPixels: o.maxPixels, tile: o.tile, tileOverlap: o.tileOverlap, normStats: o.normStats,
      runtime: runtimeFrom(o), ...videoOptionsFrom(o), ...limitsFrom(o, LIMITS),
    };
    if (sink) return sink('translate', options, command);
    const bar = batchBar();
    const video = videoFrom(o);
    try {
      const r = await translate({
        ...options, ...video.options,
        onProgress: bar.update, onError: (_path, err) => console.error(err.message),
      });
      bar.stop();
      video.bar.stop();
      console.log(r.videos ? `translated ${r.videos.reduce((s, v) => s + v.frames, 0)} frame(s) of ${r.videos.length} video(s) into ${o.output}` : `translated ${r.outputs.length} image(s) into ${o.output}`);
    } finally {
      bar.stop();
      video.bar.stop();
    }
  });
}
