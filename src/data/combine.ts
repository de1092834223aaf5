// `img2img combine`: builds a pix2pix dataset from two folders of matching images, like the
// reference's datasets/combine_A_and_B.py (FOLD_A/SPLIT/x + FOLD_B/SPLIT/x -> FOLD_AB/SPLIT/x as A|B).
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DataError } from './errors.js';
import { hconcat, isImagePath, readImage, writeImage } from './image.js';

export interface CombineOptions {
  foldA: string;
  foldB: string;
  /** Output folder; FOLD_AB/SPLIT is created for every split. */
  foldAB: string;
  /** Use at most this many A images per split (sorted by name; the reference default is 1000000). */
  numImgs?: number;
  /** Pair NAME_A.ext with NAME_B.ext and write NAME.ext (reference --use_AB). */
  useAB?: boolean;
  /** Pairs processed in parallel (default 4). */
  concurrency?: number;
  /** Per-split status lines; default: none. */
  log?: (message: string) => void;
}

export interface CombineSplitResult {
  split: string;
  /** A images considered (after --num-imgs). */
  used: number;
  /** A images in the split. */
  total: number;
  /** Pairs written. */
  written: number;
  /** A images without a B partner (skipped, as the reference does). */
  missingB: string[];
}

/** Output extensions writeImage can encode; others are written as PNG under the same stem. */
const WRITABLE = ['.png', '.jpg', '.jpeg', '.webp'];

/**
 * For every split folder present in both FOLD_A and FOLD_B, writes each A image next to its
 * same-named B image (A left, B right) into FOLD_AB/SPLIT. Throws a DataError naming both files
 * when a pair differs in size (pix2pix splits at half width, so A and B must match).
 */
export async function combineFolders(opts: CombineOptions): Promise<CombineSplitResult[]> {
  const log = opts.log ?? (() => undefined);
  const numImgs = opts.numImgs ?? Infinity;
  const splitsA = await subfolders(opts.foldA);
  const splitsB = new Set(await subfolders(opts.foldB));
  const results: CombineSplitResult[] = [];
  for (const split of splitsA) {
    if (!splitsB.has(split)) {
      log(`split = ${split}: not in ${opts.foldB}, skipped`);
      continue;
    }
    const dirA = join(opts.foldA, split);
    const dirB = join(opts.foldB, split);
    const dirAB = join(opts.foldAB, split);
    let names = (await readdir(dirA)).filter((n) => isImagePath(n)).sort();
    if (opts.useAB) names = names.filter((n) => n.includes('_A.'));
    const used = names.slice(0, Math.max(0, numImgs));
    log(`split = ${split}, use ${used.length}/${names.length} images`);
    const result: CombineSplitResult = { split, used: used.length, total: names.length, written: 0, missingB: [] };
    await forEachLimit(used, opts.concurrency ?? 4, async (nameA) => {
      const nameB = opts.useAB ? nameA.replace('_A.', '_B.') : nameA;
      const pathA = join(dirA, nameA);
      const pathB = join(dirB, nameB);
      if (!(await isFile(pathA)) || !(await isFile(pathB))) {
        result.missingB.push(nameA);
        return;
      }
      let nameAB = opts.useAB ? nameA.replace('_A.', '.') : nameA;
      if (!WRITABLE.includes(extname(nameAB).toLowerCase())) nameAB = `${nameAB.slice(0, -extname(nameAB).length || undefined)}.png`;
      await combinePair(pathA, pathB, join(dirAB, nameAB));
      result.written++;
    });
    result.missingB.sort();
    if (result.missingB.length > 0) log(`split = ${split}: ${result.missingB.length} A images have no B image, skipped`);
    results.push(result);
  }
  return results;
}

/** Reads A and B as RGB (like cv2.IMREAD_COLOR), checks sizes match, writes A|B to `pathAB` atomically. */
export async function combinePair(pathA: string, pathB: string, pathAB: string): Promise<void> {
  const [a, b] = await Promise.all([readImage(pathA, { channels: 3 }), readImage(pathB, { channels: 3 })]);
  if (a.width !== b.width || a.height !== b.height) {
    throw new DataError(
      `cannot combine ${pathA} (${a.width}x${a.height}) with ${pathB} (${b.width}x${b.height}): A and B images must have the same size`,
    );
  }
  await writeImage(pathAB, hconcat([a, b]));
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new DataError(`${dir} is not a readable directory`);
  });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/** Runs `fn` over `items`, at most `limit` at a time; the first error stops new work and is thrown. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
