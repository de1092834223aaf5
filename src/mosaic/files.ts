// Expanding CLI inputs (files and folders) into image files, with the relative
// names outputs keep.
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { isImagePath } from '../data/image.js';

/** An input image and the path its output gets relative to the output folder. */
export interface InputFile {
  path: string;
  rel: string;
}

/** All image files under `dir` (recursive), sorted by relative path so runs are reproducible. */
export async function listImages(dir: string): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && isImagePath(e.name)) out.push({ path: p, rel: relative(dir, p) });
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/**
 * Files stay as given (whatever their extension, so a bad file is reported rather than
 * skipped); folders expand to their image files. Missing paths throw, naming the path.
 */
export async function expandInputs(inputs: readonly string[]): Promise<{ files: InputFile[]; hadFolder: boolean }> {
  const files: InputFile[] = [];
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
