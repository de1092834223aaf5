// Finds the image files of a dataset folder, like the reference's make_dataset (image_folder.py).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from './errors.js';
import { IMAGE_EXTENSIONS, isImagePath } from './image.js';

/**
 * All image files under `dir` (subfolders included), sorted by path, at most `max` of them.
 * Unlike the reference, which truncates in directory-walk order, the list is sorted first so the
 * subset is the same on every filesystem. Throws a DataError when `dir` is not a folder.
 */
export async function listImages(dir: string, max = Infinity): Promise<string[]> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new DataError(`${dir} is not a valid directory`);
  const found: string[] = [];
  await walk(dir, found);
  found.sort();
  return Number.isFinite(max) ? found.slice(0, Math.max(0, max)) : found;
}

/** Like {@link listImages}, but an empty result is an error that names the folder. */
export async function listImagesNonEmpty(dir: string, max = Infinity): Promise<string[]> {
  const paths = await listImages(dir, max);
  if (paths.length === 0) {
    throw new DataError(`found 0 images in ${dir}; supported extensions are ${IMAGE_EXTENSIONS.join(', ')}`);
  }
  return paths;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) await walk(path, out);
    else if (e.isFile() && isImagePath(e.name)) out.push(path);
  }
}
