// `img2img restore train` and `img2img restore apply`: flags onto the restoration jobs.
import { Option, type Command } from 'commander';
import { parseStyleList } from '../mosaic/pair-sampling.js';
import { apply, applySchema, train, trainSchema } from '../restore/job.js';
import { collect, int, num, oneOf, withDefault, wrapParse } from './parse.js';
import { RESTORE_INPUTS } from '../restore/smooth.js';
import { RESTORE_TARGETS } from '../restore/residual.js';
import { RECONSTRUCTION_LOSSES } from '../train/pix2pix.js';
import { batchBar, trainBar } from './progress.js';
import { addRuntimeOptions, runtimeFrom } from './runtime-options.js';

/** Adds `restore train` and `restore apply` (under a `restore` command) to the program. */
export function registerRestoreCommands(program: Command): Command {
  const restore = program.command('restore').description('mosaic restoration: train a model on clean photos, apply it to mosaicked regions');

  const t = (key: string, text: string) => withDefault(trainSchema, key, text);
  const trainCmd = restore.command('train')
    .description('make mosaicked|clean pairs from clean photos (mosaic smoothed, residual target by default), then train pix2pix on them; '
      + 'see docs/restoration.md')
    .requiredOption('--images <dir>', 'folder of clean photos (pairs are random crops of them)')
    .option('--name <name>', t('name', 'experiment: pairs and checkpoints go to CHECKPOINTS_DIR/NAME'))
    .option('--checkpoints-dir <dir>', t('checkpointsDir', 'where experiments are saved'))
    .option('--size <n>', t('size', 'pair and model size: 128 (unet_128) or 256 (unet_256)'), int(1))
    .option('--pairs-per-image <k>', t('pairsPerImage', 'training pairs per photo (each: own crop, shapes, block size, style)'), int(1))
    .option('--large-region-share <x>',
      t('largeRegionShare', 'share of pairs mosaicked over one large region (50-100% of each side) instead of 1-3 small shapes'), num)
    .option('--styles <list>', t('styles', 'mosaic styles of the training pairs, comma-separated: average, center, random'), wrapParse(parseStyleList))
    .addOption(new Option('--consistency').hideHelp())
    .option('--no-consistency',
      'for sampled-pixel mosaics (center/random): smooth the inputs without forcing block means to the block colours (apply then does the same)')
    .option('--input <smooth|mosaic>', t('input', 'A = the mosaic replaced by its block-grid smoothing, or the mosaic itself'), oneOf(RESTORE_INPUTS))
    .option('--target <residual|image>', t('target', 'B = the residual clean - mosaicked (learns much faster) or the clean crop'), oneOf(RESTORE_TARGETS))
    .option('--ngf <n>', t('ngf', 'generator filters in the last conv layer'), int(1))
    .option('--ndf <n>', t('ndf', 'discriminator filters in the first conv layer'), int(1))
    .option('--lambda-L1 <x>', t('lambdaL1', 'weight of the reconstruction loss (GAN weight 1)'), num)
    .option('--loss <l1|l2>', t('loss', 'reconstruction loss: l1 (the reference pix2pix) or l2 (mean squared error)'), oneOf(RECONSTRUCTION_LOSSES))
    .option('--batch-size <n>', t('batchSize', 'pairs per optimizer step'), int(1))
    .option('--lr <x>', t('lr', 'initial learning rate'), num)
    .option('--n-epochs <n>', t('nEpochs', 'epochs at the initial learning rate'), int(0))
    .option('--n-epochs-decay <n>', t('nEpochsDecay', 'epochs of linear decay to zero'), int(0))
    .option('--save-epoch-freq <n>', t('saveEpochFreq', 'keep EPOCH_net_* checkpoints every n epochs'), int(1))
    .option('--max-steps <n>', 'stop after n optimizer steps; state saved as latest', int(1))
    .option('--continue-train', 'resume from latest (the pairs are reused)')
    .option('--seed <n>', t('seed', 'seed of the pairs, init and data order'), int(0))
    .option('--quiet', 'no progress output');
  addRuntimeOptions(trainCmd).action(async (o: Record<string, any>) => {
    const pairsBar = batchBar('pairs');
    const bar = trainBar();
    try {
      const r = await train({
        images: o.images, name: o.name, checkpointsDir: o.checkpointsDir, size: o.size, pairsPerImage: o.pairsPerImage,
        largeRegionShare: o.largeRegionShare, styles: o.styles, consistency: o.consistency, input: o.input, target: o.target,
        ngf: o.ngf, ndf: o.ndf, lambdaL1: o.lambdaL1, loss: o.loss, batchSize: o.batchSize, lr: o.lr, nEpochs: o.nEpochs,
        nEpochsDecay: o.nEpochsDecay, saveEpochFreq: o.saveEpochFreq, maxSteps: o.maxSteps, continueTrain: o.continueTrain, seed: o.seed,
        runtime: runtimeFrom(o),
        ...(o.quiet ? {} : {
          onPairsProgress: pairsBar.update,
          onProgress: bar.update,
          log: (l: string) => {
            pairsBar.stop();
            console.log(l);
          },
        }),
      });
      bar.stop();
      console.log(`trained ${r.step} steps on ${r.pairs} pairs; generator: ${r.generator}`);
    } finally {
      pairsBar.stop();
      bar.stop();
    }
  });

  const a = (key: string, text: string) => withDefault(applySchema, key, text);
  const applyCmd = restore.command('apply')
    .description('restore mosaicked regions (mask components, boxes or located mosaics); pixels outside them and their feather band stay identical')
    .argument('<inputs...>', 'image files or folders')
    .requiredOption('--checkpoint <file>', 'restoration generator: CHECKPOINTS/NAME/latest_net_G.safetensors')
    .requiredOption('-o, --output <path>', 'output file (one input) or folder (PNG files)')
    .option('--mask <file>', 'mask image of the input size (> 127 = mosaic); each connected component is one region')
    .option('--box <x,y,w,h>', 'a mosaicked rectangle (repeatable)', collect)
    .option('--auto', 'find the mosaics in each image (lossless inputs; see --tolerance)')
    .option('--tolerance <n>', a('tolerance', '--auto and grid estimation: largest per-channel difference counted as equal (lossy files)'), int(0))
    .option('--margin <px>', a('margin', 'context around each region given to the model'), int(0))
    .option('--feather <px>', a('feather', 'blend band outside each region (0 = hard edge)'), int(0))
    .option('--consistency',
      'block colours are block means (average style): force restored block means to them (default: as the model was trained, see restore.json)')
    .option('--no-consistency', 'block colours are sampled pixels (center/random style, nearest-neighbour pixelation), not block means: '
      + 'do not force block means to them, before or after the model')
    .option('--size <n>', 'model size (default: restore.json beside the checkpoint, else from its U-Net)', int(8))
    .option('--ensemble', 'average the model over the 8 mirrorings and rotations of each window (8x the model time, more accurate)')
    .option('--eval', 'BatchNorm running statistics (default when the model was trained with --batch-size > 1)')
    .option('--no-eval', 'each window\'s own BatchNorm statistics (default for --batch-size 1, as the reference test.py)');
  addRuntimeOptions(applyCmd).action(async (inputs: string[], o: Record<string, any>) => {
    const bar = batchBar('restore');
    try {
      const done = await apply({
        inputs, output: o.output, checkpoint: o.checkpoint, mask: o.mask, boxes: o.box, auto: o.auto, tolerance: o.tolerance,
        margin: o.margin, feather: o.feather, size: o.size, eval: o.eval, ensemble: o.ensemble, consistency: o.consistency,
        runtime: runtimeFrom(o),
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
