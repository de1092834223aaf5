// `restore train`: training pairs (makePairs into CHECKPOINTS/NAME/pairs, reused when they are
// already there with the same settings), then ordinary pix2pix training with the restoration
// settings of settings.ts. Both steps resume: the pairs are reused, the training continues
// from 'latest' with --continue-train.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cropImage, hconcat, readImage, writeImage, type Image } from '../data/image.js';
import { writeFileAtomic } from '../io/atomic.js';
import { regionsFromMask } from './regions.js';
import { RESTORE_INPUTS, smoothRegion, type RestoreInput } from './smooth.js';
import { train } from '../train/job.js';
import { trainSchema, type TrainOptions } from '../train/options.js';
import { runtimeSchema } from '../runtime/options.js';
import { callback, int, parseOptions, type LogFn, type ProgressFn } from '../util/options.js';
import { z } from 'zod';
import { RECONSTRUCTION_LOSSES } from '../train/pix2pix.js';
import { listImages } from '../data/file-list.js';
import { makePairs, type PairsManifest } from '../mosaic/pairs.js';
import { createMask, type Mask } from '../mosaic/mask.js';
import { fillEllipse, fillRect } from '../mosaic/shapes.js';
import { MOSAIC_STYLES, type MosaicStyle } from '../mosaic/pixelate.js';
import { createRng } from '../util/rng.js';
import { encodeResidual, RESTORE_TARGETS, type RestoreTarget } from './residual.js';
import { netGForSize, RESTORE_INFO_FILE, RESTORE_SIZES, RESTORE_TRAIN_DEFAULTS as D, RESTORE_TRAIN_SETTINGS as S } from './settings.js';

/** Options of `restoreTrain` (the `restore.train` job); defaults from RESTORE_TRAIN_DEFAULTS / _SETTINGS. */
export const restoreTrainSchema = z.object({
  /** Folder of clean photos (searched recursively). */
  images: z.string().min(1),
  name: z.string().min(1).default(D.name),
  checkpointsDir: z.string().min(1).default(D.checkpointsDir),
  /** Pair and model size: 128 (unet_128) or 256 (unet_256). */
  size: z.number().refine((n) => (RESTORE_SIZES as readonly number[]).includes(n), {
    message: 'expected 128 (unet_128) or 256 (unet_256): restoration models are trained at these sizes',
  }).default(D.size),
  /** Training pairs per photo (each: own crop, shapes, block size, style). */
  pairsPerImage: int(1).default(D.pairsPerImage),
  /**
   * Share of pairs whose mosaic is one large rectangle or ellipse (50-100% of each side) instead
   * of makePairs' 1-3 small shapes.
   */
  largeRegionShare: z.number().min(0).max(1).default(D.largeRegionShare),
  /** What B is: 'residual' (clean - A, offset 128) or 'image' (the clean crop). */
  target: z.enum(RESTORE_TARGETS).default(D.target),
  /** Mosaic styles of the pairs. */
  styles: z.array(z.enum(MOSAIC_STYLES as ['average', 'center', 'random'])).min(1, { message: 'give one or more styles' }).default([...D.styles]),
  /**
   * Block-mean consistency in the smoothed inputs (true: block colour = block mean, the
   * 'average' style; false for sampled-pixel mosaics). Recorded in restore.json so that
   * `restore apply` does the same.
   */
  consistency: z.boolean().default(D.consistency),
  /** What A is: 'smooth' (the mosaic replaced by its block-grid smoothing) or 'mosaic'. */
  input: z.enum(RESTORE_INPUTS).default(D.input),
  maxSteps: int(1).optional(),
  nEpochs: int(0).default(D.nEpochs),
  nEpochsDecay: int(0).default(D.nEpochsDecay),
  /** Resume from latest (the pairs are reused). */
  continueTrain: z.boolean().default(false),
  seed: int(0).default(D.seed),
  ngf: int(1).default(D.ngf),
  ndf: int(1).default(D.ndf),
  /** Weight of the reconstruction loss (GAN weight 1). */
  lambdaL1: z.number().min(0).default(S.lambdaL1),
  /** Reconstruction loss: 'l1' (the reference pix2pix) or 'l2'. */
  loss: z.enum(RECONSTRUCTION_LOSSES).default(D.loss),
  batchSize: int(1).default(D.batchSize),
  lr: z.number().positive().default(D.lr),
  saveEpochFreq: trainSchema.shape.saveEpochFreq,
  runtime: runtimeSchema,
  /** Pair-making progress. */
  onPairsProgress: callback<ProgressFn>().optional(),
  /** Training progress (every iteration). */
  onProgress: trainSchema.shape.onProgress,
  /** Status lines. */
  log: callback<LogFn>().optional(),
}).strict();
export type RestoreTrainOptions = z.input<typeof restoreTrainSchema>;
type ParsedRestoreTrainOptions = z.output<typeof restoreTrainSchema>;

/** What identifies a pair set: same values = the same files (makePairs is deterministic). */
interface PairSettings {
  size: number; countPerImage: number; seed: number; split: [number, number, number]; largeRegionShare: number;
  target: RestoreTarget; input: RestoreInput; styles: MosaicStyle[]; consistency: boolean; sources: string[];
}

const describe = (s: PairSettings): string =>
  `size ${s.size}, ${s.countPerImage} per image, large-region share ${s.largeRegionShare}, input ${s.input}, target ${s.target}, `
    + `styles ${s.styles.join(',')}, consistency ${s.consistency ? 'on' : 'off'}, seed ${s.seed}, ${s.sources.length} images`;

/** Next to manifest.json, written after everything else: the settings makePairs' manifest does not record, and "complete". */
const PAIR_SETTINGS_FILE = 'restore-pairs.json';

function sameSettings(a: PairSettings, b: PairSettings): boolean {
  return a.size === b.size && a.countPerImage === b.countPerImage && a.seed === b.seed && a.largeRegionShare === b.largeRegionShare &&
    a.target === b.target && a.input === b.input && a.styles.join() === b.styles.join() && a.consistency === b.consistency &&
    a.split.every((v, i) => Math.abs(v - b.split[i]) < 1e-9) && a.sources.length === b.sources.length && a.sources.every((s, i) => s === b.sources[i]);
}

/**
 * Makes the pairs in `dir` unless a complete set with the same settings is there. A set is
 * complete when restore-pairs.json (written last) is there; an interrupted run is redone from
 * scratch; a complete set with other settings is an error (pairs are never silently replaced).
 * With target 'residual' every B half is replaced by encodeResidual(A, B).
 */
export async function ensurePairs(
  images: string, dir: string, want: Omit<PairSettings, 'sources'>, onProgress?: (done: number, total: number) => void,
): Promise<{ manifest: PairsManifest; reused: boolean }> {
  const sources = (await listImages(images).catch(() => {
    throw new Error(`--images ${images} is not a readable folder`);
  })).map((f) => f.rel);
  if (sources.length === 0) throw new Error(`no images found in ${images}`);
  const settings: PairSettings = { ...want, sources };
  const manifestPath = join(dir, 'manifest.json'), extraPath = join(dir, PAIR_SETTINGS_FILE);
  if (existsSync(manifestPath) && existsSync(extraPath)) {
    const m = JSON.parse(await readFile(manifestPath, 'utf8')) as PairsManifest;
    type Extra = { largeRegionShare: number; target: RestoreTarget; input: RestoreInput; styles?: MosaicStyle[]; consistency?: boolean };
    const extra = JSON.parse(await readFile(extraPath, 'utf8')) as Extra;
    const had: PairSettings = {
      size: m.size, countPerImage: m.countPerImage, seed: m.seed, split: [m.split.train, m.split.val, m.split.test],
      largeRegionShare: extra.largeRegionShare, target: extra.target, input: extra.input, styles: extra.styles ?? [...MOSAIC_STYLES],
      consistency: extra.consistency ?? true, sources: [...m.sources.train, ...m.sources.val, ...m.sources.test].sort(),
    };
    if (sameSettings(had, { ...settings, sources: [...sources].sort() })) return { manifest: m, reused: true };
    throw new Error(`${dir} holds pairs made with other settings (${describe(had)}; this run: ${describe(settings)}): `
      + 'use another --name or delete that folder');
  }
  await rm(extraPath, { force: true });
  const share = want.largeRegionShare;
  const manifest = await makePairs({
    input: images, output: dir, size: want.size, countPerImage: want.countPerImage, seed: want.seed, split: want.split, overwrite: true,
    onProgress, styles: want.styles,
    ...(share > 0 ? { regionSource: largeRegions(want.size, want.seed), regionSourceShare: share } : {}),
  });
  if (want.target === 'residual' || want.input === 'smooth') {
    for (const p of manifest.pairs) {
      const file = join(dir, p.file);
      const ab = await readImage(file, { channels: 3 });
      let a = cropImage(ab, 0, 0, want.size, want.size);
      const b = cropImage(ab, want.size, 0, want.size, want.size);
      if (want.input === 'smooth') a = await smoothMosaic(a, b, want.consistency);
      await writeImage(file, hconcat([a, want.target === 'residual' ? encodeResidual(a, b) : b]));
    }
  }
  const { largeRegionShare, target, input, styles, consistency } = want;
  await writeFileAtomic(extraPath, JSON.stringify({ largeRegionShare, target, input, styles, consistency, complete: true }) + '\n');
  return { manifest, reused: false };
}

/**
 * A training input made as `restore apply` makes it: the mosaicked pixels (where A differs from
 * B) as regions, each replaced by its block-grid smoothing on the grid estimated from A.
 */
export async function smoothMosaic(a: Image, b: Image, consistent = true): Promise<Image> {
  const mask = createMask(a.width, a.height);
  for (let p = 0; p < mask.data.length; p++) {
    for (let k = 0; k < a.channels; k++) if (a.data[p * a.channels + k] !== b.data[p * a.channels + k]) { mask.data[p] = 1; break; }
  }
  let out = a;
  for (const region of regionsFromMask(mask)) out = (await smoothRegion(out, region, 0, consistent)).image;
  return out;
}

/**
 * A region source for makePairs: one rectangle or ellipse covering 50-100% of each side, at a
 * random place. Seeded and called in makePairs' fixed order, so the same settings give the same pairs.
 * Why: with 1-3 small shapes most of a crop is left clean and most of the L1 loss is spent on
 * copying it; restore apply only uses the model's output inside the region (+ feather band), so
 * pairs that are mostly mosaic teach the part that matters faster.
 */
export function largeRegions(size: number, seed: number): (img: unknown) => Promise<Mask> {
  const rng = createRng(seed * 7919 + 17);
  return async () => {
    const m = createMask(size, size);
    const w = Math.round(size * (0.5 + 0.5 * rng.random())), h = Math.round(size * (0.5 + 0.5 * rng.random()));
    const x = rng.int(size - w + 1), y = rng.int(size - h + 1);
    if (rng.random() < 0.5) fillRect(m, { x, y, w, h });
    else fillEllipse(m, x + w / 2, y + h / 2, w / 2, h / 2);
    return m;
  };
}

/**
 * The `train` job's options for a restoration run: the restoration settings (settings.ts) over
 * the `train` defaults. `o` is restoreTrain's options (validated here).
 */
export function restoreTrainingOptions(options: RestoreTrainOptions, dataroot: string): TrainOptions {
  const o = parseOptions(restoreTrainSchema, 'restore.train', options);
  return {
    dataroot,
    name: o.name,
    checkpointsDir: o.checkpointsDir,
    model: S.model,
    ngf: o.ngf,
    ndf: o.ndf,
    netG: netGForSize(o.size),
    netD: S.netD,
    norm: S.norm,
    dropout: S.dropout,
    direction: S.direction,
    batchSize: o.batchSize,
    loadSize: o.size,
    cropSize: o.size,
    preprocess: S.preprocess,
    flip: S.flip,
    seed: o.seed,
    nEpochs: o.nEpochs,
    nEpochsDecay: o.nEpochsDecay,
    lr: o.lr,
    ganMode: S.ganMode,
    lambdaL1: o.lambdaL1,
    reconstructionLoss: o.loss,
    saveEpochFreq: o.saveEpochFreq,
    continueTrain: o.continueTrain,
    maxSteps: o.maxSteps,
    runtime: o.runtime,
    onProgress: o.onProgress,
    log: o.log,
    warn: o.log,
  };
}

/** Pairs, then training (the `restore.train` job). Returns the training result, the pair count and the generator's path. */
export async function restoreTrain(options: RestoreTrainOptions) {
  const o: ParsedRestoreTrainOptions = parseOptions(restoreTrainSchema, 'restore.train', options);
  const log = o.log ?? (() => undefined);
  const { size, largeRegionShare: share, target, consistency, styles, input } = o;
  const dir = join(o.checkpointsDir, o.name);
  const pairsDir = join(dir, 'pairs');
  const { manifest, reused } = await ensurePairs(o.images, pairsDir,
    { size, countPerImage: o.pairsPerImage, seed: o.seed, split: [...S.split], largeRegionShare: share, target, input, styles, consistency },
    o.onPairsProgress);
  log(`${reused ? 'reusing' : 'made'} ${manifest.pairs.length} training pairs in ${pairsDir}`);
  const trainOptions = restoreTrainingOptions(o, pairsDir);
  await writeFileAtomic(join(dir, RESTORE_INFO_FILE), JSON.stringify({
    size, netG: trainOptions.netG, images: resolve(o.images), pairsPerImage: manifest.countPerImage, largeRegionShare: share,
    target, input, styles, consistency,
    seed: manifest.seed, pairs: manifest.pairs.length, batchSize: trainOptions.batchSize,
  }, null, 2) + '\n');
  const result = await train(trainOptions);
  return { ...result, pairs: manifest.pairs.length, generator: join(dir, 'latest_net_G.safetensors') };
}
