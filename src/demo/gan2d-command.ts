/** The `demo gan2d` CLI subcommand (commander); the CLI entry point registers it. */
import { type Command } from 'commander';
import { int, num, oneOf } from '../cli/parse.js';
import { GAN_MODES, type GanMode } from '../train/gan-loss.js';
import { runGan2d, type Gan2dResult } from './gan2d.js';
import { DEFAULT_MAX_SIDE, imageSampler } from './shapes2d-image.js';
import { shapeSampler, SHAPES_2D, type Sampler2d } from './shapes2d.js';

/** Target of the plain GAN when neither --image nor --shape is given. */
export const DEFAULT_SHAPE = '8gaussians';
/** Classes of the conditional GAN when neither --image nor --shape is given. */
export const DEFAULT_CGAN_SHAPES = ['ring', 'moons'] as const;

export interface Gan2dCliOptions {
  image: string[];
  shape: string[];
  cgan?: boolean;
  steps: number;
  batchSize: number;
  lr: number;
  zDim: number;
  hidden: number;
  layers: number;
  loss: GanMode;
  seed: number;
  frames: number;
  gif?: boolean;
  out: string;
  evalPoints: number;
  maxSide: number;
  threads?: number;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * The target samplers the options ask for: pictures first, then shapes, one per class with
 * --cgan; exactly one without it.
 */
export async function resolveTargets(o: Pick<Gan2dCliOptions, 'image' | 'shape' | 'cgan' | 'maxSide'>): Promise<Sampler2d[]> {
  const shapes = o.shape.map((s) => shapeSampler(s)); // checks names before reading any picture
  const images: Sampler2d[] = [];
  for (const path of o.image) images.push(await imageSampler(path, o.maxSide));
  const given = [...images, ...shapes];
  if (o.cgan) {
    const targets = given.length ? given : DEFAULT_CGAN_SHAPES.map(shapeSampler);
    if (targets.length < 2) throw new Error(`--cgan needs at least two classes (repeat --image or --shape), got ${targets.length}`);
    return targets;
  }
  if (given.length > 1) throw new Error(`${given.length} targets given (${given.map((t) => t.label).join(', ')}); a plain GAN takes one, use --cgan for one per class`);
  return given.length ? given : [shapeSampler(DEFAULT_SHAPE)];
}

/** The lines printed after a run. */
export function formatGan2dResult(r: Gan2dResult): string {
  const lines = r.labels.map((l, c) => {
    const ratio = r.swdFinal[c] / r.swdInitial[c];
    return `${r.labels.length > 1 ? `class ${c} ` : ''}${l}: sliced Wasserstein ${r.swdInitial[c].toFixed(4)} (initial G) -> ${r.swdFinal[c].toFixed(4)} (final G), x${ratio.toFixed(3)}`;
  });
  if (r.labels.length > 1) {
    const ok = r.swdCross.every((row, i) => row.every((v, j) => j === i || row[i] < v));
    lines.push(`each class closest to its own target: ${ok ? 'yes' : 'NO'}`);
  }
  lines.push(`trained ${r.steps} steps in ${r.trainSeconds.toFixed(1)} s`);
  if (r.frames.length) lines.push(`wrote ${r.frames.length} frames (${r.frames[r.frames.length - 1]})`);
  if (r.gif) lines.push(`wrote ${r.gif}`);
  if (r.summary) lines.push(`wrote ${r.summary}`);
  return lines.join('\n');
}

/**
 * Adds `gan2d` under the given `demo` command: trains an MLP GAN (or cGAN) on a 2-D distribution
 * from a picture or a built-in shape, and writes frames, a GIF and a summary figure into --out.
 * `log` defaults to console.log.
 */
export function registerGan2dDemo(demo: Command, log: (line: string) => void = console.log): Command {
  return demo
    .command('gan2d')
    .description('train a small MLP GAN on a 2-D distribution (a picture, dark = dense, or a built-in shape) and plot real vs generated points')
    .option('--image <file>', 'target picture, sampled by inverse CDF with dark pixels dense (repeat with --cgan: one per class)', collect, [])
    .option('--shape <name>', `built-in target: ${SHAPES_2D.join(', ')} (repeat with --cgan; default ${DEFAULT_SHAPE}, cgan: ${DEFAULT_CGAN_SHAPES.join(' + ')})`, collect, [])
    .option('--cgan', 'conditional GAN: one class per --image/--shape, G reads [z, onehot] and D [x, onehot]')
    .option('--steps <n>', 'training iterations (one D and one G update each)', int(1), 2000)
    .option('--batch-size <n>', 'points per batch (split evenly over the classes)', int(1), 256)
    .option('--lr <rate>', 'Adam learning rate of both nets (betas 0.5, 0.999)', num, 1e-3)
    .option('--z-dim <n>', 'latent size', int(1), 8)
    .option('--hidden <n>', 'hidden width of both MLPs', int(1), 128)
    .option('--layers <n>', 'hidden layers of both MLPs', int(1), 3)
    .option('--loss <mode>', `GAN loss: ${GAN_MODES.join(' or ')}`, oneOf(GAN_MODES), 'vanilla')
    .option('--seed <int>', 'random seed (weights, noise, data)', int(0), 0)
    .option('--frames <n>', 'write a PNG frame of real vs generated points every n steps (0: none)', int(0), 0)
    .option('--gif', 'also write the frames as an animated GIF (needs --frames)')
    .option('-o, --out <dir>', 'output folder for the frames, the GIF and the summary figure', 'demo-gan2d')
    .option('--eval-points <n>', 'generated and target points per class for plots and the sliced Wasserstein distance', int(1), 1000)
    .option('--max-side <px>', 'pictures are box-averaged down to this longer side first', int(1), DEFAULT_MAX_SIDE)
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)', int(1))
    .action(async (o: Gan2dCliOptions) => {
      if (o.gif && !o.frames) throw new Error('--gif needs --frames N (the GIF is made of the frames)');
      if (!(o.lr > 0)) throw new Error(`--lr must be positive, got ${o.lr}`);
      const targets = await resolveTargets(o);
      const r = await runGan2d({
        targets,
        steps: o.steps,
        batchSize: o.batchSize,
        lr: o.lr,
        zDim: o.zDim,
        hidden: o.hidden,
        layers: o.layers,
        loss: o.loss,
        seed: o.seed,
        frames: o.frames,
        gif: o.gif,
        out: o.out,
        evalPoints: o.evalPoints,
        runtime: o.threads ? { threads: o.threads } : {},
        log,
      });
      log(formatGan2dResult(r));
    });
}
