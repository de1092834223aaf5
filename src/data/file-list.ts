// Finding image files: the one listing helper for datasets (like the reference's make_dataset in
// image_folder.py) and for commands that take files and folders.
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { DataError } from './errors.js';
import { IMAGE_EXTENSIONS, isImagePath } from './image.js';

/** An image file and its path relative to the folder it was found in (outputs keep that name). */
export interface ImageFile {
  path: string;
  rel: string;
}

/**
 * All image files under `dir` (subfolders included), sorted by relative path so runs are
 * reproducible, at most `max` of them. Unlike the reference, which truncates in directory-walk
 * order, the list is sorted first so the subset is the same on every filesystem. Throws a
 * DataError when `dir` is not a folder.
 */
export async function listImages(dir: string, opts: { max?: number } = {}): Promise<ImageFile[]> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) throw new DataError(`${dir} is not a valid directory`);
  const found: ImageFile[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile() && isImagePath(e.name)) found.push({ path, rel: relative(dir, path) });
    }
  };
  await walk(dir);
  found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const max = opts.max ?? Infinity;
  return Number.isFinite(max) ? found.slice(0, Math.max(0, max)) : found;
}

/** Like {@link listImages}, but an empty result is an error that names the folder. */
export async function listImagesNonEmpty(dir: string, opts: { max?: number } = {}): Promise<ImageFile[]> {
  const files = await listImages(dir, opts);
  if (files.length === 0) {
    throw new DataError(`found 0 images in ${dir}; supported extensions are ${IMAGE_EXTENSIONS.join(', ')}`);
  }
  return files;
}

/**
 * Expands command inputs: files stay as given (whatever their extension, so a bad file is
 * reported rather than skipped); folders expand to their image files. Missing paths throw,
 * naming the path.
 */
export async function expandInputs(inputs: readonly string[]): Promise<{ files: ImageFile[]; hadFolder: boolean }> {
  const files: ImageFile[] = [];
  let hadFolder = false;
  for (const input of inputs) {
    const st = await stat(input).catch(() => null);
    if (!st) throw new Error(`input ${input} does not exist`);
    if (st.isDirectory()) {
      hadFolder = true;
      files.push(...(await listImages(input)));
    } else {
      files.push({ path: input, rel: basename(input) });
    }
  }
  return { files, hadFolder };
}
