// `mosaic pairs`: an aligned pix2pix dataset for mosaic removal. Each output is
// A|B side by side (A = mosaicked input, B = clean target, each size x size), written
// to DATASET/{train,val,test}/NNNN.png, plus DATASET/manifest.json with every pair's
// parameters. Sources are split (not pairs), so no val/test source is seen in training.
// Every random choice comes from an Rng seeded by (seed, source path), so the same seed
// gives byte-identical files, independent of the other sources.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cropImage, hconcat, readImage, resizeImage, writeImage, type Image } from '../data/image.js';
import { writeFileAtomic } from '../io/atomic.js';
import { createRng } from '../util/rng.js';
import { listImages, type ImageFile } from '../data/file-list.js';
import { maskArea, type Mask } from './mask.js';
import { applyMosaic } from './mosaic.js';
import { sampleCrop, sampleParams, sampleShapes, type MosaicParams, type ShapeRecord } from './pair-sampling.js';
import type { Box } from './mask.js';
import { MOSAIC_STYLES } from './pixelate.js';
import { callback, int, parseOptions, type ProgressFn } from '../util/options.js';
import { z } from 'zod';
import { maxImagePixelsField } from '../util/limits.js';

export type SplitName = 'train' | 'val' | 'test';
const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

const fraction = z.number().min(0);

/** Options of `makePairs` (the `mosaic.pairs` job). */
export const pairsSchema = z.object({
  /** Folder of source images (searched recursively). */
  input: z.string().min(1),
  /** Dataset folder to create. */
  output: z.string().min(1),
  /** Side of A and B in pixels (outputs are 2*size x size). */
  size: int(8).default(256),
  /** Pairs per source image. */
  countPerImage: int(1).default(1),
  seed: int(0).default(0),
  /** Fractions of SOURCES for train, val, test (normalised to sum 1). */
  split: z.tuple([fraction, fraction, fraction])
    .refine((v) => v[0] + v[1] + v[2] > 0, { message: 'expected three fractions train,val,test with a positive sum' })
    .transform((v): [number, number, number] => {
      const sum = v[0] + v[1] + v[2];
      return [v[0] / sum, v[1] / sum, v[2] / sum];
    })
    .default([0.8, 0.1, 0.1]),
  /** Replace an existing dataset (its train/val/test folders and manifest) instead of failing. */
  overwrite: z.boolean().default(false),
  /**
   * Optional region proposer (e.g. class activation maps) called on each clean crop; its
   * mask (size x size) is used instead of random shapes, for `regionSourceShare` of the
   * pairs. An empty mask falls back to random shapes.
   */
  regionSource: callback<(img: Image) => Promise<Mask>>().optional(),
  /** Block styles to draw from (default all, MOSAIC_STYLES); e.g. ['average'] to match a known source. */
  styles: z.array(z.enum(MOSAIC_STYLES as ['average', 'center', 'random'])).min(1, { message: 'give at least one style' }).optional(),
  /** Share of pairs whose region comes from regionSource. */
  regionSourceShare: z.number().min(0).max(1).default(1),
  /** Largest source image decoded. */
  maxImagePixels: maxImagePixelsField,
  onProgress: callback<ProgressFn>().optional(),
}).strict();
export type PairsOptions = z.input<typeof pairsSchema>;
type ParsedPairsOptions = z.output<typeof pairsSchema>;

/** One pair in the manifest. */
export interface PairRecord extends MosaicParams {
  file: string;
  split: SplitName;
  source: string;
  crop: Box;
  shapes: ShapeRecord[];
  /** Block size(s) actually used (several with the 'area' rule). */
  blockSizes: number[];
}

/** DATASET/manifest.json. */
export interface PairsManifest {
  layout: 'A|B';
  a: 'mosaic';
  b: 'clean';
  size: number;
  seed: number;
  countPerImage: number;
  split: { train: number; val: number; test: number };
  sources: Record<SplitName, string[]>;
  pairs: PairRecord[];
}

/** Parses "0.8,0.1,0.1" (three non-negative numbers, normalised to sum 1). */
export function parseSplit(text: string): [number, number, number] {
  const v = text.split(',').map((s) => Number(s.trim()));
  const sum = v.reduce((a, b) => a + b, 0);
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x) || x < 0) || !(sum > 0)) {
    throw new Error(`bad split "${text}": expected three fractions train,val,test such as 0.8,0.1,0.1`);
  }
  return [v[0] / sum, v[1] / sum, v[2] / sum];
}

/** FNV-1a: a stable 32-bit seed from text. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Assigns sources to splits: a seeded shuffle of the name-sorted list, then val and test take round(n * fraction)
 * sources each and train the rest. Each split is returned in name order.
 */
export function splitSources<T extends { rel: string }>(
  files: readonly T[], fractions: readonly [number, number, number], seed: number,
): Record<SplitName, T[]> {
  const rng = createRng(hash32(`split:${seed}`));
  const byName = (a: T, b: T): number => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0);
  const order = [...files].sort(byName); // so the result does not depend on listing order
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nVal = Math.round(files.length * fractions[1]), nTest = Math.min(files.length - nVal, Math.round(files.length * fractions[2]));
  return {
    val: order.slice(0, nVal).sort(byName),
    test: order.slice(nVal, nVal + nTest).sort(byName),
    train: order.slice(nVal + nTest).sort(byName),
  };
}

/** Builds the dataset (the `mosaic.pairs` job); returns its manifest (also written to DATASET/manifest.json). */
export async function makePairs(options: PairsOptions): Promise<PairsManifest> {
  const opts = parseOptions(pairsSchema, 'mosaic.pairs', options);
  const { size, countPerImage: count, seed, split: fractions } = opts;
  const st = await stat(opts.input).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`input ${opts.input} is not a folder`);
  const files = await listImages(opts.input);
  if (files.length === 0) throw new Error(`no images found in ${opts.input}`);
  await prepareOutput(opts.output, opts.overwrite);

  const splits = splitSources(files, fractions, seed);
  const total = files.length * count;
  const pairs: PairRecord[] = [];
  let done = 0;
  for (const split of SPLITS) {
    const digits = Math.max(4, String(splits[split].length * count - 1).length);
    let n = 0;
    for (const f of splits[split]) {
      const img = await readImage(f.path, { channels: 3, maxPixels: opts.maxImagePixels });
      const rng = createRng(hash32(`pairs:${seed}:${f.rel}`));
      for (let k = 0; k < count; k++) {
        const file = `${split}/${String(n++).padStart(digits, '0')}.png`;
        const rec = await makeOnePair(img, f, rng, size, opts);
        await writeImage(join(opts.output, file), rec.pair);
        pairs.push({ file, split, source: f.rel, ...rec.record });
        opts.onProgress?.(++done, total);
      }
    }
  }
  const manifest: PairsManifest = {
    layout: 'A|B', a: 'mosaic', b: 'clean', size, seed, countPerImage: count,
    split: { train: fractions[0], val: fractions[1], test: fractions[2] },
    sources: { train: splits.train.map((f) => f.rel), val: splits.val.map((f) => f.rel), test: splits.test.map((f) => f.rel) },
    pairs,
  };
  await writeFileAtomic(join(opts.output, 'manifest.json'), manifestJson(manifest));
  return manifest;
}

async function makeOnePair(img: Image, f: ImageFile, rng: ReturnType<typeof createRng>, size: number, opts: ParsedPairsOptions) {
  const crop = sampleCrop(rng, img.width, img.height, size);
  const clean = await resizeImage(cropImage(img, crop.x, crop.y, crop.w, crop.h), size, size, 'bicubic');
  let shapes: ShapeRecord[] = [];
  let mask: Mask | null = null;
  const useSource = opts.regionSource && rng.random() < opts.regionSourceShare;
  if (useSource && opts.regionSource) {
    const m = await opts.regionSource(clean);
    if (m.width !== size || m.height !== size) throw new Error(`regionSource gave a ${m.width}x${m.height} mask for ${f.rel}, expected ${size}x${size}`);
    if (maskArea(m) > 0) [mask, shapes] = [m, [{ kind: 'source' }]];
  }
  if (!mask) ({ mask, shapes } = sampleShapes(rng, size));
  const params = sampleParams(rng, size, opts.styles);
  const { image, blockSizes } = applyMosaic(clean, mask, { ...params, rng });
  return { pair: hconcat([image, clean]), record: { crop, shapes, ...params, blockSizes } };
}

/** Pretty header, one line per pair (blob outlines make indented JSON very long). */
function manifestJson(m: PairsManifest): string {
  const { pairs, ...head } = m;
  const top = JSON.stringify(head, null, 1).replace(/\n}$/, '');
  return `${top},\n "pairs": [\n${pairs.map((p) => '  ' + JSON.stringify(p)).join(',\n')}\n ]\n}\n`;
}

/** Refuses to mix with an existing dataset unless overwrite, which clears only what makePairs writes. */
async function prepareOutput(dir: string, overwrite: boolean): Promise<void> {
  const existing = await Promise.all([...SPLITS, 'manifest.json'].map((p) => stat(join(dir, p)).then(() => p, () => null)));
  const found = existing.filter((p): p is string => p !== null);
  if (!found.length) return;
  if (!overwrite) throw new Error(`dataset ${dir} already has ${found.join(', ')}: choose another folder or pass --overwrite`);
  for (const p of found) await rm(join(dir, p), { recursive: true, force: true });
}
