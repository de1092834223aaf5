// `restore train`: training pairs (makePairs into CHECKPOINTS/NAME/pairs, reused when they are
// already there with the same settings), then ordinary pix2pix training with the restoration
// settings of settings.ts. Both steps resume: the pairs are reused, the training continues
// from 'latest' with --continue-train.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../data/image.js';
import { runTraining } from '../cli/train-command.js';
import { listImages } from '../mosaic/files.js';
import { makePairs, type PairsManifest } from '../mosaic/pairs.js';
import { netGForSize, RESTORE_INFO_FILE, RESTORE_TRAIN_DEFAULTS as D, RESTORE_TRAIN_SETTINGS as S } from './settings.js';

export interface RestoreTrainOptions {
  /** Folder of clean photos (searched recursively). */
  images: string;
  name?: string;
  checkpointsDir?: string;
  /** 128 or 256. */
  size?: number;
  pairsPerImage?: number;
  maxSteps?: number;
  nEpochs?: number;
  nEpochsDecay?: number;
  continueTrain?: boolean;
  seed?: number;
  ngf?: number;
  ndf?: number;
  lambdaL1?: number;
  batchSize?: number;
  lr?: number;
  saveEpochFreq?: number;
  quiet?: boolean;
  onPairsProgress?: (done: number, total: number) => void;
  log?: (line: string) => void;
}

/** What identifies a pair set: same values = the same files (makePairs is deterministic). */
interface PairSettings { size: number; countPerImage: number; seed: number; split: [number, number, number]; sources: string[] }

const describe = (s: PairSettings): string =>
  `size ${s.size}, ${s.countPerImage} per image, seed ${s.seed}, ${s.sources.length} images`;

function sameSettings(a: PairSettings, b: PairSettings): boolean {
  return a.size === b.size && a.countPerImage === b.countPerImage && a.seed === b.seed &&
    a.split.every((v, i) => Math.abs(v - b.split[i]) < 1e-9) && a.sources.length === b.sources.length && a.sources.every((s, i) => s === b.sources[i]);
}

/**
 * Makes the pairs in `dir` unless a complete set with the same settings is there. A finished
 * set is marked by its manifest.json (written last), so an interrupted run is redone from
 * scratch; a complete set with other settings is an error (pairs are never silently replaced).
 */
export async function ensurePairs(images: string, dir: string, want: Omit<PairSettings, 'sources'>, onProgress?: (done: number, total: number) => void): Promise<{ manifest: PairsManifest; reused: boolean }> {
  const sources = (await listImages(images).catch(() => {
    throw new Error(`--images ${images} is not a readable folder`);
  })).map((f) => f.rel);
  if (sources.length === 0) throw new Error(`no images found in ${images}`);
  const settings: PairSettings = { ...want, sources };
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const m = JSON.parse(await readFile(manifestPath, 'utf8')) as PairsManifest;
    const had: PairSettings = {
      size: m.size, countPerImage: m.countPerImage, seed: m.seed, split: [m.split.train, m.split.val, m.split.test],
      sources: [...m.sources.train, ...m.sources.val, ...m.sources.test].sort(),
    };
    if (sameSettings(had, { ...settings, sources: [...sources].sort() })) return { manifest: m, reused: true };
    throw new Error(`${dir} holds pairs made with other settings (${describe(had)}; this run: ${describe(settings)}): use another --name or delete that folder`);
  }
  const manifest = await makePairs({ input: images, output: dir, size: want.size, countPerImage: want.countPerImage, seed: want.seed, split: want.split, overwrite: true, onProgress });
  return { manifest, reused: false };
}

/** The full option set passed to runTraining (the `train` command's defaults plus the restoration settings). */
export function restoreTrainingOptions(o: RestoreTrainOptions, dataroot: string): Record<string, unknown> {
  const size = o.size ?? D.size;
  return {
    dataroot,
    name: o.name ?? D.name,
    checkpointsDir: o.checkpointsDir ?? D.checkpointsDir,
    model: S.model,
    inputNc: 3,
    outputNc: 3,
    ngf: o.ngf ?? D.ngf,
    ndf: o.ndf ?? D.ndf,
    netG: netGForSize(size),
    netD: S.netD,
    nLayersD: 3,
    norm: S.norm,
    initType: 'normal',
    initGain: 0.02,
    dropout: S.dropout,
    direction: S.direction,
    batchSize: o.batchSize ?? D.batchSize,
    loadSize: size,
    cropSize: size,
    preprocess: S.preprocess,
    flip: S.flip,
    seed: o.seed ?? D.seed,
    nEpochs: o.nEpochs ?? D.nEpochs,
    nEpochsDecay: o.nEpochsDecay ?? D.nEpochsDecay,
    epochCount: 1,
    beta1: 0.5,
    lr: o.lr ?? D.lr,
    ganMode: S.ganMode,
    poolSize: 0,
    lrPolicy: 'linear',
    lrDecayIters: 50,
    lambdaL1: o.lambdaL1 ?? S.lambdaL1,
    saveEpochFreq: o.saveEpochFreq ?? 5,
    continueTrain: !!o.continueTrain,
    epoch: 'latest',
    maxSteps: o.maxSteps,
    quiet: !!o.quiet,
  };
}

/** Pairs, then training. Returns runTraining's result and the pair count. */
export async function restoreTrain(o: RestoreTrainOptions) {
  const log = o.log ?? ((l: string) => console.log(l));
  const size = o.size ?? D.size;
  netGForSize(size); // validates the size before any work
  const dir = join(o.checkpointsDir ?? D.checkpointsDir, o.name ?? D.name);
  const pairsDir = join(dir, 'pairs');
  const { manifest, reused } = await ensurePairs(o.images, pairsDir,
    { size, countPerImage: o.pairsPerImage ?? D.pairsPerImage, seed: o.seed ?? D.seed, split: [...S.split] }, o.onPairsProgress);
  if (!o.quiet) log(`${reused ? 'reusing' : 'made'} ${manifest.pairs.length} training pairs in ${pairsDir}`);
  const options = restoreTrainingOptions(o, pairsDir);
  await writeFileAtomic(join(dir, RESTORE_INFO_FILE), JSON.stringify({
    size, netG: options.netG, images: resolve(o.images), pairsPerImage: manifest.countPerImage, seed: manifest.seed, pairs: manifest.pairs.length,
  }, null, 2) + '\n');
  const result = await runTraining(options);
  return { ...result, pairs: manifest.pairs.length, generator: join(dir, 'latest_net_G.safetensors') };
}
