// `img2img demo cdf|gan2d`: flags onto the demo jobs, and the lines printed after a run.
import { InvalidArgumentError, type Command } from 'commander';
import type { CdfDemoResult } from '../demo/cdf.js';
import type { Gan2dResult } from '../demo/gan2d.js';
import { cdf, cdfSchema, DEFAULT_CGAN_SHAPES, DEFAULT_SHAPE, gan2d, gan2dSchema } from '../demo/job.js';
import { SHAPES_2D } from '../demo/shapes2d.js';
import { GAN_MODES } from '../train/gan-loss.js';
import { collect, int, num, oneOf, withDefault } from './parse.js';
import { addRuntimeOptions, runtimeFrom } from './runtime-options.js';

function intArg(name: string, min: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\s*[+-]?\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got "${v}"`);
    return n;
  };
}

function rangeArg(v: string): [number, number] {
  const parts = v.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[0] < parts[1])) {
    throw new InvalidArgumentError(`expected "lo,hi" with lo < hi, got "${v}"`);
  }
  return [parts[0], parts[1]];
}

/** The lines printed after a `demo cdf` run. */
export function formatCdfDemoResult(r: CdfDemoResult, alpha = 0.01): string {
  const verdict = (p: number) => (p >= alpha ? `consistent with the density at level ${alpha}` : `REJECTED at level ${alpha}`);
  return [
    `density: ${r.density}`,
    `samples: n=${r.n} seed=${r.seed}  mean ${r.sampleMean.toFixed(4)} (density ${r.mean.toFixed(4)})  `
      + `std ${r.sampleStd.toFixed(4)} (density ${r.std.toFixed(4)})`,
    `KS: D=${r.ks.statistic.toFixed(5)} p=${r.ks.pValue.toFixed(4)}: ${verdict(r.ks.pValue)}`,
    `chi-square: ${r.chiSquare.statistic.toFixed(2)} on ${r.chiSquare.dof} dof, p=${r.chiSquare.pValue.toFixed(4)}: ${verdict(r.chiSquare.pValue)}`,
    `wrote ${r.out}`,
  ].join('\n');
}

/** The lines printed after a `demo gan2d` run. */
export function formatGan2dResult(r: Gan2dResult): string {
  const lines = r.labels.map((l, c) => {
    const ratio = r.swdFinal[c] / r.swdInitial[c];
    const name = `${r.labels.length > 1 ? `class ${c} ` : ''}${l}`;
    return `${name}: sliced Wasserstein ${r.swdInitial[c].toFixed(4)} (initial G) -> ${r.swdFinal[c].toFixed(4)} (final G), x${ratio.toFixed(3)}`;
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

/** Adds `cdf` under the given `demo` command. `log` defaults to console.log. */
export function registerCdfDemo(demo: Command, log: (line: string) => void = console.log): Command {
  const d = (key: string, text: string) => withDefault(cdfSchema, key, text);
  return demo
    .command('cdf')
    .description('sample a 1-D density by inverse CDF, plot density | histogram, and test the samples (KS, chi-square)')
    .option('--pdf <expr|file.csv>', 'density: an expression in x (e.g. "exp(-x^2/2)") or a CSV of x,density rows (default: built-in staircase + cosine)')
    .option('--n <count>', d('n', 'number of samples'), intArg('--n', 1))
    .option('--bins <count>', d('bins', 'histogram bins'), intArg('--bins', 1))
    .option('--seed <int>', d('seed', 'random seed'), intArg('--seed', 0))
    .option('--grid <points>', d('grid', 'density grid points'), intArg('--grid', 2))
    .option('--range <lo,hi>', 'x range of the density (default -3,3; a CSV\'s own range)', rangeArg)
    .option('-o, --out <file.png>', d('out', 'output PNG'))
    .action(async (o: { pdf?: string; n?: number; bins?: number; seed?: number; grid?: number; range?: [number, number]; out?: string }) => {
      log(formatCdfDemoResult(await cdf(o)));
    });
}

/** Adds `gan2d` under the given `demo` command. `log` defaults to console.log. */
export function registerGan2dDemo(demo: Command, log: (line: string) => void = console.log): Command {
  const d = (key: string, text: string) => withDefault(gan2dSchema, key, text);
  const cmd = demo
    .command('gan2d')
    .description('train a small MLP GAN on a 2-D distribution (a picture, dark = dense, or a built-in shape) and plot real vs generated points')
    .option('--image <file>', 'target picture, sampled by inverse CDF with dark pixels dense (repeat with --cgan: one per class)', collect)
    .option('--shape <name>',
      `built-in target: ${SHAPES_2D.join(', ')} (repeat with --cgan; default ${DEFAULT_SHAPE}, cgan: ${DEFAULT_CGAN_SHAPES.join(' + ')})`, collect)
    .option('--cgan', 'conditional GAN: one class per --image/--shape, G reads [z, onehot] and D [x, onehot]')
    .option('--steps <n>', d('steps', 'training iterations (one D and one G update each)'), int(1))
    .option('--batch-size <n>', d('batchSize', 'points per batch (split evenly over the classes)'), int(1))
    .option('--lr <rate>', d('lr', 'Adam learning rate of both nets (betas 0.5, 0.999)'), num)
    .option('--z-dim <n>', d('zDim', 'latent size'), int(1))
    .option('--hidden <n>', d('hidden', 'hidden width of both MLPs'), int(1))
    .option('--layers <n>', d('layers', 'hidden layers of both MLPs'), int(1))
    .option('--loss <mode>', d('loss', `GAN loss: ${GAN_MODES.join(' or ')}`), oneOf(GAN_MODES))
    .option('--seed <int>', d('seed', 'random seed (weights, noise, data)'), int(0))
    .option('--frames <n>', d('frames', 'write a PNG frame of real vs generated points every n steps (0: none)'), int(0))
    .option('--gif', 'also write the frames as an animated GIF (needs --frames)')
    .option('-o, --out <dir>', d('out', 'output folder for the frames, the GIF and the summary figure'))
    .option('--eval-points <n>', d('evalPoints', 'generated and target points per class for plots and the sliced Wasserstein distance'), int(1))
    .option('--max-side <px>', d('maxSide', 'pictures are box-averaged down to this longer side first'), int(1));
  return addRuntimeOptions(cmd).action(async (o: Record<string, any>) => {
    const r = await gan2d({
      image: o.image, shape: o.shape, cgan: o.cgan, steps: o.steps, batchSize: o.batchSize, lr: o.lr, zDim: o.zDim, hidden: o.hidden,
      layers: o.layers, loss: o.loss, seed: o.seed, frames: o.frames, gif: o.gif, out: o.out, evalPoints: o.evalPoints, maxSide: o.maxSide,
      runtime: runtimeFrom(o), log,
    });
    log(formatGan2dResult(r));
  });
}
