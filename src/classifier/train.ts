// `classifier train`: trains GapCnn on a class-per-folder dataset with the engine (cross-entropy,
// Adam with a cosine learning-rate decay, random flips), reports held-out accuracy per epoch and
// at the end, and exports an inference ONNX model plus a JSON sidecar (class names, input size,
// normalization) that `cam` and `mosaic auto` read.
import { performance } from 'node:perf_hooks';
import * as g from '../graph/index.js';
import { manualSeed } from '../nn/init.js';
import { Step } from '../runtime/step.js';
import { Adam } from '../optim/adam.js';
import { writeFileAtomic } from '../io/atomic.js';
import { createRng, type Rng } from '../util/rng.js';
import { sidecarPath, type ClassifierSidecar } from '../cam/model.js';
import { GapCnn, DEFAULT_WIDTHS } from './net.js';
import { z } from 'zod';
import { callback, int, parseOptions, type LogFn } from '../util/options.js';
import { exportClassifierOnnx } from './export.js';
import { loadClassFolders, stratifiedSplit, type LabeledImage } from './dataset.js';

export const FLIP_MODES = ['none', 'h', 'hv'] as const;
export type FlipMode = (typeof FLIP_MODES)[number];

/** Options of `trainClassifier` (the `classifier.train` job). */
export const trainClassifierSchema = z.object({
  /** Folder with one sub-folder of images per class. */
  dataroot: z.string().min(1),
  /** Output .onnx path; the sidecar goes beside it (model.onnx -> model.json). */
  output: z.string().regex(/\.onnx$/i, { message: 'expected a .onnx file name' }),
  /** Input side in px (images are resized). */
  size: int(4).default(64),
  epochs: int(1).default(20),
  batchSize: int(2).default(16),
  /** Adam learning rate (cosine-decayed to lr/20). */
  lr: z.number().positive().default(3e-3),
  /** Share of each class held out to measure accuracy. */
  valFraction: z.number().min(0).lt(1).default(0.2),
  /** Seed of the split, initialization, shuffling and flips. */
  seed: int(0).default(0),
  /** Channels of the conv blocks (2x2 max pooling between blocks). */
  widths: z.array(int(1)).min(1).default([...DEFAULT_WIDTHS]),
  /** Random flips: horizontal, horizontal and vertical, or none. */
  flips: z.enum(FLIP_MODES).default('h'),
  /** ONNX Runtime intra-op threads. */
  threads: int(1).optional(),
  /** Progress lines (one per epoch, plus a header and a summary); default silent. */
  log: callback<LogFn>().optional(),
}).strict();
export type TrainClassifierOptions = z.input<typeof trainClassifierSchema>;

export interface EpochStats {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  /** null without a validation split. */
  valAccuracy: number | null;
  seconds: number;
}

export interface TrainClassifierResult {
  classes: string[];
  history: EpochStats[];
  trainAccuracy: number;
  valAccuracy: number | null;
  /** Held-out images with their labels and the final model's predictions. */
  validation: { path: string; label: number; predicted: number }[];
  train: string[];
  output: string;
  sidecar: string;
}

function flipInto(dst: Float32Array, src: Float32Array, c: number, s: number, h: boolean, v: boolean): void {
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < s; y++) {
      const sy = v ? s - 1 - y : y;
      const di = (k * s + y) * s, si = (k * s + sy) * s;
      if (h) for (let x = 0; x < s; x++) dst[di + x] = src[si + s - 1 - x];
      else dst.set(src.subarray(si, si + s), di);
    }
  }
}

function shuffled<T>(xs: readonly T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const argmaxRow = (v: Float32Array, row: number, n: number): number => {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[row * n + j] > v[row * n + best]) best = j;
  return best;
};

/** Trains, evaluates and exports (the `classifier.train` job); see the module comment. */
export async function trainClassifier(options: TrainClassifierOptions): Promise<TrainClassifierResult> {
  const opts = parseOptions(trainClassifierSchema, 'classifier.train', options);
  const { size, epochs, lr, seed, valFraction, flips } = opts;
  const log = opts.log ?? (() => undefined);

  const data = await loadClassFolders(opts.dataroot, size);
  const nc = data.classes.length;
  const { train, val } = stratifiedSplit(data.items, valFraction, seed);
  if (train.length < 2) throw new Error(`--dataroot ${opts.dataroot}: only ${train.length} training image(s) after holding out ${val.length}`);
  const batch = Math.min(opts.batchSize, train.length);

  manualSeed(seed);
  const net = new GapCnn(nc, opts.widths);
  const counts = data.classes.map((c, i) => `${c}: ${data.items.filter((it) => it.label === i).length}`).join(', ');
  const params = `${(net.parameterCount() / 1000).toFixed(1)}k params`;
  log(`classifier: ${nc} classes (${counts}); ${train.length} train / ${val.length} held-out; ${size}x${size}; ${params}`);

  const plane = 3 * size * size;
  const x = g.input('x', [batch, 3, size, size]);
  const target = g.input('target', [batch, nc]);
  const runtime = opts.threads ? { threads: opts.threads } : {};
  net.train();
  const trainStep = await Step.compile({
    build: () => {
      const logits = net.forward(x);
      return { loss: g.crossEntropy(logits, target), logits };
    },
    loss: 'loss',
    wrt: net.parameters(),
    modules: [net],
  }, runtime);
  net.eval();
  const evalStep = await Step.compile({ build: () => ({ logits: net.forward(x) }), modules: [net] }, runtime);
  net.train();

  const predict = async (items: readonly LabeledImage[]): Promise<number[]> => {
    const preds: number[] = [];
    const xb = new Float32Array(batch * plane);
    for (let i = 0; i < items.length; i += batch) {
      xb.fill(0);
      const chunk = items.slice(i, i + batch);
      chunk.forEach((it, j) => xb.set(it.x, j * plane));
      const { logits } = await evalStep.run({ x: xb });
      chunk.forEach((_, j) => preds.push(argmaxRow(logits, j, nc)));
    }
    return preds;
  };
  const accuracy = (items: readonly LabeledImage[], preds: number[]) => (items.length ? preds.filter((p, i) => p === items[i].label).length / items.length : 0);

  const rng = createRng(seed);
  const opt = new Adam(net.parameters(), { lr });
  const stepsPerEpoch = Math.floor(train.length / batch);
  const totalSteps = stepsPerEpoch * epochs;
  const xb = new Float32Array(batch * plane);
  const tb = new Float32Array(batch * nc);
  const history: EpochStats[] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const t0 = performance.now();
      const order = shuffled(train, rng);
      let lossSum = 0, correct = 0, seen = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        tb.fill(0);
        for (let j = 0; j < batch; j++) {
          const it = order[b * batch + j];
          const h = flips !== 'none' && rng.random() < 0.5;
          const v = flips === 'hv' && rng.random() < 0.5;
          flipInto(xb.subarray(j * plane, (j + 1) * plane), it.x, 3, size, h, v);
          tb[j * nc + it.label] = 1;
        }
        const out = await trainStep.run({ x: xb, target: tb });
        // Cosine decay from lr to lr/20 over the run.
        opt.lr = lr * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / Math.max(1, totalSteps))));
        opt.step();
        step++;
        lossSum += out.loss[0];
        for (let j = 0; j < batch; j++) if (argmaxRow(out.logits, j, nc) === order[b * batch + j].label) correct++;
        seen += batch;
      }
      const valAcc = val.length ? accuracy(val, await predict(val)) : null;
      const seconds = (performance.now() - t0) / 1000;
      const e: EpochStats = { epoch, loss: lossSum / stepsPerEpoch, trainAccuracy: correct / seen, valAccuracy: valAcc, seconds };
      history.push(e);
      const heldOut = valAcc === null ? '' : `  held-out acc ${valAcc.toFixed(3)}`;
      const counter = `${String(epoch).padStart(String(epochs).length)}/${epochs}`;
      log(`epoch ${counter}  loss ${e.loss.toFixed(4)}  train acc ${e.trainAccuracy.toFixed(3)}${heldOut}  ${e.seconds.toFixed(1)}s`);
    }

    const trainPreds = await predict(train);
    const trainAccuracy = accuracy(train, trainPreds);
    const valPreds = await predict(val);
    const valAccuracy = val.length ? accuracy(val, valPreds) : null;

    const bytes = exportClassifierOnnx(net, size);
    const sidecar: ClassifierSidecar = {
      format: 'img2img-classifier', classes: data.classes, inputSize: size, inputName: 'image', outputName: 'logits', normalize: 'default',
      architecture: { kind: 'gap-cnn', widths: [...net.widths] }, trainAccuracy, valAccuracy, epochs, seed,
      split: { train: train.length, val: val.length, valFraction },
    };
    const sidecarFile = sidecarPath(opts.output);
    await writeFileAtomic(opts.output, bytes);
    await writeFileAtomic(sidecarFile, JSON.stringify(sidecar, null, 2) + '\n');
    const heldOut = valAccuracy === null
      ? 'n/a (no held-out split)'
      : `${valAccuracy.toFixed(3)} (${valPreds.filter((p, i) => p === val[i].label).length}/${val.length})`;
    log(`held-out accuracy ${heldOut}; train accuracy ${trainAccuracy.toFixed(3)}; wrote ${opts.output} and ${sidecarFile}`);
    return {
      classes: data.classes, history, trainAccuracy, valAccuracy,
      validation: val.map((it, i) => ({ path: it.path, label: it.label, predicted: valPreds[i] })),
      train: train.map((it) => it.path), output: opts.output, sidecar: sidecarFile,
    };
  } finally {
    await trainStep.release();
    await evalStep.release();
  }
}
