// `img2img restore apply` and `img2img restore train`: flags onto the restoration jobs.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { JobSink } from './job-sink.js';
import { MOSAIC_STYLES } from '../mosaic/pixelate.js';
import { apply, applySchema, RESTORE_METHODS, train, trainSchema } from '../restore/job.js';
import type { RestorerProgress } from '../restore/net/train.js';
import { SHIPPED_MODEL_NAMES } from '../restore/shipped.js';
import { collect, int, num, oneOf, withDefault } from './parse.js';
import { batchBar } from './progress.js';
import { addRuntimeOptions, runtimeFrom } from './runtime-options.js';
import { addVideoOptions, videoFrom, videoOptionsFrom } from './video-options.js';

/** Steps, loss, rate and ETA of a restorer training on stderr; a line per validation. */
function restorerBar(): { update: (p: RestorerProgress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(p) {
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: '|{bar}| {value}/{total} steps | {losses} | {rate} it/s | ETA {eta_formatted}', hideCursor: true },
          cliProgress.Presets.shades_classic);
        bar.start(p.total, p.step, { losses: '', rate: '0.00' });
      }
      const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ');
      bar.update(p.step, { losses, rate: p.stepsPerSecond.toFixed(2) });
      if (p.validation) {
        const per = Object.entries(p.validation.perStyle).map(([s, v]) => `${s} ${v.classical.toFixed(2)} -> ${v.model.toFixed(2)} dB`).join(', ');
        bar.stop();
        bar = null;
        console.error(`step ${p.step}: held-out gain over classical ${p.validation.gainDb >= 0 ? '+' : ''}${p.validation.gainDb.toFixed(3)} dB (${per})`);
      }
    },
    stop: () => {
      bar?.stop();
      bar = null;
    },
  };
}

/** Adds `restore apply` and `restore train` (under a `restore` command) to the program; with a sink, `apply` hands its options to it instead of running. */
export function registerRestoreCommands(program: Command, sink?: JobSink): Command {
  const restore = program.command('restore')
    .description('mosaic restoration with the shipped models (or your own); restoration invents plausible detail, it does not reveal what was hidden');

  const a = (key: string, text: string) => withDefault(applySchema, key, text);
  const applyCmd = restore.command('apply')
    .description('restore mosaicked regions (mask components, boxes or located mosaics); pixels outside them and their feather band stay identical')
    .argument('<inputs...>', 'image files or folders, or videos')
    .requiredOption('-o, --output <path>', 'output file (one input) or folder (PNG files; videos keep their container)')
    .option('--box <x,y,w,h>', 'a mosaicked rectangle (repeatable)', collect)
    .option('--mask <file>', 'mask image of the input size (> 127 = mosaic); each connected component is one region')
    .option('--auto', 'find the mosaics in each image (lossless inputs; see --tolerance)')
    .option('--model <name>', a('model', `shipped model: ${SHIPPED_MODEL_NAMES.join(' | ')} (faithful: closest to the original; sharp: adds texture)`),
      oneOf(SHIPPED_MODEL_NAMES))
    .option('--checkpoint <file>', 'a restorer of your own (restore train writes OUTPUT/model.safetensors) instead of a shipped model')
    .option('--method <method>', a('method', `${RESTORE_METHODS.join(' | ')} (classical: no model, only the block grid)`), oneOf(RESTORE_METHODS))
    .option('--style <style>', a('style', 'how the block colours were made: average (block means), center or random (one pixel of each block)'),
      oneOf(MOSAIC_STYLES))
    .option('--no-consistency', 'for average mosaics: do not force each restored block\'s mean to its colour')
    .option('--ensemble', 'average the model over the 8 mirrorings and rotations of each region (8x the model time, slightly more faithful)')
    .option('--tolerance <n>', a('tolerance', '--auto and grid estimation: largest per-channel difference counted as equal (lossy files)'), int(0))
    .option('--feather <px>', a('feather', 'blend band outside each region (0 = hard edge)'), int(0))
    .option('--keyframes <file>', 'videos: JSON of boxes at keyframes, interpolated between them (docs/video.md)')
    .option('--temporal <x>', a('temporal', 'videos: temporal smoothing of the model\'s detail on static content, 0 (off) .. 1'), num);
  addVideoOptions(applyCmd);
  addRuntimeOptions(applyCmd).action(async (inputs: string[], o: Record<string, any>, cmd: Command) => {
    const options = {
      inputs, output: o.output, boxes: o.box, mask: o.mask, auto: o.auto, model: o.model, checkpoint: o.checkpoint, method: o.method,
      style: o.style, consistency: o.consistency, ensemble: o.ensemble, tolerance: o.tolerance, feather: o.feather, keyframes: o.keyframes, temporal: o.temporal,
      ...videoOptionsFrom(o),
      runtime: runtimeFrom(o),
    };
    if (sink) return sink('restore.apply', options, cmd);
    const bar = batchBar('restore');
    const video = videoFrom(o);
    try {
      const done = await apply({
        ...options, ...video.options,
        onProgress: bar.update,
        onError: (input, err) => console.error(`error: ${err.message.includes(input) ? err.message : `${input}: ${err.message}`}`),
      });
      bar.stop();
      video.bar.stop();
      const regions = done.reduce((s, d) => s + d.regions, 0), restored = done.reduce((s, d) => s + d.restored, 0);
      const skipped = regions - restored;
      const what = done.some((d) => d.video) ? `${done.reduce((s, d) => s + (d.video?.frames ?? 0), 0)} frame(s) of ${done.length} video(s)` : `${done.length} image(s)`;
      console.log(`restored ${restored} region(s) in ${what} into ${o.output}${skipped ? `; ${skipped} region(s) held no mosaic grid and were left as they are` : ''}`);
    } finally {
      bar.stop();
      video.bar.stop();
    }
  });

  const t = (key: string, text: string) => withDefault(trainSchema, key, text);
  const trainCmd = restore.command('train')
    .description('train a restorer on clean photos (mosaics made on the fly), or fine-tune a shipped one; see docs/restoration.md')
    .requiredOption('--photos <dir>', 'clean photos: a corpus built by tools/corpus (its train split) or any folder of images')
    .requiredOption('--output <dir>', 'where the checkpoint (latest.safetensors), log and final model.safetensors go')
    .option('--validation <dir>', 'held-out photos measured every --validate-every steps (a corpus: its heldout split)')
    .option('--init <model>', `start from ${SHIPPED_MODEL_NAMES.join(' | ')} (shipped) or a restorer file`)
    .option('--steps <n>', t('steps', 'training steps (the learning-rate schedule spans them)'), int(1))
    .option('--batch-size <n>', t('batchSize', 'crops per step'), int(1))
    .option('--size <n>', t('size', 'side of the training crops, a multiple of 4'), int(32))
    .option('--lr <x>', t('lr', 'peak learning rate (linear warm-up, cosine decay)'), num)
    .option('--warmup <n>', t('warmup', 'warm-up steps'), int(0))
    .option('--features <n>', t('features', 'channels of the network body (new models only)'), int(8))
    .option('--blocks <n>', t('blocks', 'residual blocks (new models only)'), int(1))
    .option('--adversarial', 'adversarial fine-tune (the sharp model): needs --init')
    .option('--gan-weight <x>', 'weight of the adversarial term (with --adversarial; default 0.03)', num)
    .option('--fm-weight <x>', 'weight of discriminator feature matching (with --adversarial; default 0.3)', num)
    .option('--save-every <n>', t('saveEvery', 'checkpoint every n steps'), int(1))
    .option('--validate-every <n>', t('validateEvery', 'measure the held-out photos every n steps'), int(1))
    .option('--max-steps <n>', 'stop after step n with a checkpoint (resume later with --resume)', int(1))
    .option('--resume', 'continue OUTPUT/latest.safetensors exactly')
    .option('--continue-train', 'the same as --resume')
    .option('--seed <n>', t('seed', 'seed of the initial weights and the training examples'), int(0))
    .option('--quiet', 'no progress output');
  addRuntimeOptions(trainCmd).action(async (o: Record<string, any>) => {
    const bar = restorerBar();
    try {
      const adversarial = o.adversarial ? { ...(o.ganWeight !== undefined ? { weight: o.ganWeight } : {}), ...(o.fmWeight !== undefined ? { featureMatching: o.fmWeight } : {}) } : undefined;
      const r = await train({
        photos: o.photos, output: o.output, validation: o.validation, init: o.init, steps: o.steps, batchSize: o.batchSize, size: o.size, lr: o.lr,
        warmup: o.warmup, features: o.features, blocks: o.blocks, adversarial, saveEvery: o.saveEvery, validateEvery: o.validateEvery,
        stopAfter: o.maxSteps, resume: !!(o.resume || o.continueTrain), seed: o.seed, runtime: runtimeFrom(o),
        ...(o.quiet ? {} : { onProgress: bar.update }),
      });
      bar.stop();
      console.log(r.completed ? `trained to step ${r.steps} in ${r.seconds.toFixed(0)} s; model: ${r.model}` : `stopped at step ${r.steps}; resume with --resume (checkpoint: ${r.checkpoint})`);
    } finally {
      bar.stop();
    }
  });
  return restore;
}
