// `mosaic add`: pixelate given regions of one or many images.
import { outputIsFolder } from '../data/output-path.js';
import { extname, join } from 'node:path';
import { readImage, writeImage } from '../data/image.js';
import { createRng } from '../util/rng.js';
import { expandInputs } from '../data/file-list.js';
import { applyMosaic, type MosaicOptions } from './mosaic.js';
import { PIXELATE_DEFAULTS } from './pixelate.js';
import { forEachFile } from '../util/batch.js';
import { checkRegionSpec, regionMask, type RegionSpec } from './region-spec.js';

/** Options of `mosaicFiles`: the regions plus the mosaic options (seed seeds every image alike). */
export interface AddOptions extends RegionSpec, Omit<MosaicOptions, 'rng'> {
  /** Called after each image, done counting from 1. */
  onProgress?: (done: number, total: number) => void;
  /** Called for each image that failed (when several are processed); default: nothing. */
  onError?: (input: string, err: Error) => void;
  /** Largest image decoded (default 40 MP). */
  maxImagePixels?: number;
}

const WRITABLE = ['.png', '.jpg', '.jpeg', '.webp'];

/**
 * Mosaics `inputs` (files or folders) into `output`. A single input file goes to `output`
 * as a file unless `output` is an existing folder; otherwise `output` is a folder and each
 * image keeps its name (relative to its input folder; non-writable formats become .png).
 * Every write is atomic. With several images a failure is reported through onError and the
 * rest still run; then an error summarising the failures is thrown. Returns the written paths.
 */
export async function mosaicFiles(inputs: readonly string[], output: string, opts: AddOptions): Promise<string[]> {
  checkRegionSpec(opts);
  const { files, hadFolder } = await expandInputs(inputs);
  if (files.length === 0) throw new Error(`no images found in ${inputs.join(', ')}`);
  const outIsDir = outputIsFolder(output, files.length, hadFolder);
  return forEachFile(files, async (f) => {
    let target = outIsDir ? join(output, f.rel) : output;
    if (outIsDir && !WRITABLE.includes(extname(target).toLowerCase())) target = target.slice(0, target.length - extname(target).length) + '.png';
    const img = await readImage(f.path, { maxPixels: opts.maxImagePixels });
    const mask = await regionMask(opts, img.width, img.height);
    const { image } = applyMosaic(img, mask, { ...opts, rng: createRng(opts.seed ?? PIXELATE_DEFAULTS.seed) });
    await writeImage(target, image);
    return target;
  }, opts);
}
