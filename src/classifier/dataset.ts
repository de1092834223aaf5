// An image-classification folder: DATAROOT/<class>/... images, one sub-folder per class (class
// names in sorted order give the indices). Images are resized to size x size and normalized as
// CAM's 'default' (x/127.5 - 1).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../data/image.js';
import { listImages } from '../data/file-list.js';
import { preprocessImage } from '../cam/preprocess.js';
import { createRng } from '../util/rng.js';

export interface LabeledImage {
  path: string;
  label: number;
  /** [3, size, size], normalized. */
  x: Float32Array;
}

export interface ClassFolders {
  classes: string[];
  items: LabeledImage[];
}

/** Reads every image of every class folder. Errors name the folder or file at fault. */
export async function loadClassFolders(dataroot: string, size: number): Promise<ClassFolders> {
  const st = await stat(dataroot).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`--dataroot ${dataroot}: not a folder`);
  const classes = (await readdir(dataroot, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  if (classes.length < 2) {
    const found = `${classes.length}${classes.length ? ` (${classes.join(', ')})` : ''}`;
    throw new Error(`--dataroot ${dataroot}: needs one sub-folder per class (at least 2), found ${found}`);
  }
  const items: LabeledImage[] = [];
  for (const [label, name] of classes.entries()) {
    const files = await listImages(join(dataroot, name));
    if (files.length === 0) throw new Error(`--dataroot ${dataroot}: class folder ${join(dataroot, name)} has no images`);
    for (const f of files) {
      const img = await readImage(f.path, { channels: 3 });
      items.push({ path: f.path, label, x: await preprocessImage(img, size, size, 'default', 3) });
    }
  }
  return { classes, items };
}

/**
 * Per-class seeded split: round(n_c * valFraction) images of each class (at least one when the
 * fraction is > 0 and the class has 2 or more) go to validation.
 */
export function stratifiedSplit<T extends { label: number }>(items: readonly T[], valFraction: number, seed: number): { train: T[]; val: T[] } {
  if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`--val-fraction ${valFraction}: need a number in [0, 1)`);
  const rng = createRng(seed ^ 0x5eed);
  const train: T[] = [], val: T[] = [];
  const labels = [...new Set(items.map((i) => i.label))].sort((a, b) => a - b);
  for (const l of labels) {
    const group = items.filter((i) => i.label === l);
    for (let i = group.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [group[i], group[j]] = [group[j], group[i]];
    }
    let nVal = Math.round(group.length * valFraction);
    if (valFraction > 0 && nVal === 0 && group.length >= 2) nVal = 1;
    val.push(...group.slice(0, nVal));
    train.push(...group.slice(nVal));
  }
  return { train, val };
}
