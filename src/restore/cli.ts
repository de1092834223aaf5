// `img2img restore train` and `img2img restore apply`. Parsing only; the work is in train.ts and files.ts.
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { int, num, wrapParse } from '../cli/parse.js';
import { parseStyleList } from '../mosaic/pair-sampling.js';
import { addRuntimeOptions, applyRuntimeOptions } from '../cli/runtime-options.js';
import { DEFAULT_FEATHER, DEFAULT_MARGIN } from './apply.js';
import { restoreFiles } from './files.js';
import { RESTORE_TRAIN_DEFAULTS as D, RESTORE_TRAIN_SETTINGS as S } from './settings.js';
import { restoreTrain } from './train.js';

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** A bar on stderr for batches (cli-progress draws nothing when stderr is not a terminal). */
function progress(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done, total) {
      if (total < 2) return;
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: `${label} {bar} {value}/{total} | ETA {eta}s` }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop: () => {
      bar?.stop();
      bar = null;
    },
  };
}

/** Adds `restore train` and `restore apply` (under a `restore` command) to the program. */
export function registerRestoreCommands(program: Command): Command {
  const restore = program.command('restore').description('mosaic restoration: train a model on clean photos, apply it to mosaicked regions');

  const train = restore.command('train')
    .description('make mosaicked|clean pairs from clean photos (mosaic smoothed, residual target by default), then train pix2pix on them; see docs/restoration.md')
    .requiredOption('--images <dir>', 'folder of clean photos (pairs are random crops of them)')
    .option('--name <name>', 'experiment: pairs and checkpoints go to CHECKPOINTS_DIR/NAME', D.name)
    .option('--checkpoints-dir <dir>', 'where experiments are saved', D.checkpointsDir)
    .option('--size <n>', 'pair and model size: 128 (unet_128) or 256 (unet_256)', int(1), D.size)
    .option('--pairs-per-image <k>', 'training pairs per photo (each: own crop, shapes, block size, style)', int(1), D.pairsPerImage)
    .option('--large-region-share <x>', 'share of pairs mosaicked over one large region (50-100% of each side) instead of 1-3 small shapes', num, D.largeRegionShare)
    .option('--styles <list>', 'mosaic styles of the training pairs, comma-separated: average, center, random', wrapParse(parseStyleList), [...D.styles])
    .option('--no-consistency', 'for sampled-pixel mosaics (center/random): smooth the inputs without forcing block means to the block colours (apply then does the same)')
    .option('--input <smooth|mosaic>', 'A = the mosaic replaced by its block-grid smoothing, or the mosaic itself', D.input)
    .option('--target <residual|image>', 'B = the residual clean - mosaicked (learns much faster) or the clean crop', D.target)
    .option('--ngf <n>', 'generator filters in the last conv layer', int(1), D.ngf)
    .option('--ndf <n>', 'discriminator filters in the first conv layer', int(1), D.ndf)
    .option('--lambda-L1 <x>', 'weight of the reconstruction loss (GAN weight 1)', num, S.lambdaL1)
    .option('--loss <l1|l2>', 'reconstruction loss: l1 (the reference pix2pix) or l2 (mean squared error)', D.loss)
    .option('--batch-size <n>', 'pairs per optimizer step', int(1), D.batchSize)
    .option('--lr <x>', 'initial learning rate', num, D.lr)
    .option('--n-epochs <n>', 'epochs at the initial learning rate', int(0), D.nEpochs)
    .option('--n-epochs-decay <n>', 'epochs of linear decay to zero', int(0), D.nEpochsDecay)
    .option('--save-epoch-freq <n>', 'keep EPOCH_net_* checkpoints every n epochs', int(1), 5)
    .option('--max-steps <n>', 'stop after n optimizer steps; state saved as latest', int(1))
    .option('--continue-train', 'resume from latest (the pairs are reused)')
    .option('--seed <n>', 'seed of the pairs, init and data order', int(0), D.seed)
    .option('--quiet', 'no progress output');
  addRuntimeOptions(train).action(async (o: Record<string, any>) => {
    applyRuntimeOptions(o);
    const bar = progress('pairs');
    try {
      const r = await restoreTrain({ ...o, images: o.images, onPairsProgress: o.quiet ? undefined : bar.update, log: (l) => { bar.stop(); console.log(l); } });
      console.log(`trained ${r.step} steps on ${r.pairs} pairs; generator: ${r.generator}`);
    } finally {
      bar.stop();
    }
  });

  const apply = restore.command('apply')
    .description('restore mosaicked regions (mask components, boxes or located mosaics); pixels outside them and their feather band stay identical')
    .argument('<inputs...>', 'image files or folders')
    .requiredOption('--checkpoint <file>', 'restoration generator: CHECKPOINTS/NAME/latest_net_G.safetensors')
    .requiredOption('-o, --output <path>', 'output file (one input) or folder (PNG files)')
    .option('--mask <file>', 'mask image of the input size (> 127 = mosaic); each connected component is one region')
    .option('--box <x,y,w,h>', 'a mosaicked rectangle (repeatable)', collect, [])
    .option('--auto', 'find the mosaics in each image (lossless inputs; see --tolerance)')
    .option('--tolerance <n>', '--auto and grid estimation: largest per-channel difference counted as equal (lossy files)', int(0), 0)
    .option('--margin <px>', 'context around each region given to the model', int(0), DEFAULT_MARGIN)
    .option('--feather <px>', 'blend band outside each region (0 = hard edge)', int(0), DEFAULT_FEATHER)
    .option('--consistency', 'block colours are block means (average style): force restored block means to them (default: as the model was trained, see restore.json)')
    .option('--no-consistency', 'block colours are sampled pixels (center/random style, nearest-neighbour pixelation), not block means: do not force block means to them, before or after the model')
    .option('--size <n>', 'model size (default: restore.json beside the checkpoint, else from its U-Net)', int(8))
    .option('--ensemble', 'average the model over the 8 mirrorings and rotations of each window (8x the model time, more accurate)')
    .option('--eval', 'BatchNorm running statistics (default when the model was trained with --batch-size > 1)')
    .option('--no-eval', 'each window\'s own BatchNorm statistics (default for --batch-size 1, as the reference test.py)');
  addRuntimeOptions(apply).action(async (inputs: string[], o: Record<string, any>) => {
    applyRuntimeOptions(o);
    const bar = progress('restore');
    try {
      const done = await restoreFiles(inputs, o.output, {
        checkpoint: o.checkpoint, mask: o.mask, boxes: o.box, auto: !!o.auto, tolerance: o.tolerance,
        margin: o.margin, feather: o.feather, size: o.size, eval: o.eval, ensemble: !!o.ensemble, consistency: o.consistency,
        onProgress: bar.update,
        onError: (input, err) => console.error(`error: ${err.message.includes(input) ? err.message : `${input}: ${err.message}`}`),
      });
      bar.stop();
      const regions = done.reduce((s, d) => s + d.regions, 0);
      console.log(`restored ${regions} region(s) in ${done.length} image(s) into ${o.output}`);
    } finally {
      bar.stop();
    }
  });
  return restore;
}
