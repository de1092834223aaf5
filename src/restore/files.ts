// `restore apply` on files and folders: regions per image, restoration, atomic writes.
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { readImage, writeImage, type Image } from '../data/image.js';
import { expandInputs } from '../data/file-list.js';
import { readMask, type Box } from '../mosaic/mask.js';
import { parseBox } from '../mosaic/shapes.js';
import type { RuntimeOptions } from '../runtime/session.js';
import { outputIsFolder } from '../data/output-path.js';
import { forEachFile } from '../util/batch.js';
import { restoreImage } from './apply.js';
import { loadRestoreModel } from './model.js';
import { regionsFromBoxes, regionsFromLocate, regionsFromMask, type Region } from './regions.js';

export interface RestoreFilesOptions {
  /** Generator checkpoint (*_net_G.safetensors). */
  checkpoint: string;
  /** Mask image, same size as every input; each connected component is one region. */
  mask?: string;
  /** "x,y,w,h" boxes, each one region. */
  boxes?: readonly string[];
  /** Also restore the mosaics the locator finds. */
  auto?: boolean;
  /** Locator tolerance (per-channel difference counted as equal), for lossy inputs. */
  tolerance?: number;
  margin?: number;
  feather?: number;
  /** Override the model's size (default: restore.json next to the checkpoint, else from the U-Net). */
  size?: number;
  /** Make restored mosaic blocks' means equal their colours (smooth.ts); default true. */
  consistency?: boolean;
  /** BatchNorm running statistics (true) or each window's own (false); default: from restore.json (see defaultEvalMode). */
  eval?: boolean;
  /** Average the model over the symmetries of each window (ensemble.ts); default false. */
  ensemble?: boolean;
  runtime?: RuntimeOptions;
  onProgress?: (done: number, total: number) => void;
  onError?: (input: string, err: Error) => void;
}

export interface RestoredFile { input: string; output: string; regions: number }

/** The regions of one image from the options; errors name the mask or box and the image size. */
export async function collectRegions(img: Image, o: Pick<RestoreFilesOptions, 'mask' | 'boxes' | 'auto' | 'tolerance'>): Promise<Region[]> {
  const regions: Region[] = [];
  if (o.mask) regions.push(...regionsFromMask(await readMask(o.mask, img.width, img.height)));
  if (o.boxes?.length) regions.push(...regionsFromBoxes(o.boxes.map(parseBox), img.width, img.height));
  if (o.auto) regions.push(...regionsFromLocate(img, { tolerance: o.tolerance ?? 0 }));
  return regions;
}

/** Throws before any work when no region source is given or a box is malformed. */
export function checkRegionOptions(o: Pick<RestoreFilesOptions, 'mask' | 'boxes' | 'auto'>): Box[] {
  if (!o.mask && !o.boxes?.length && !o.auto) throw new Error('no region given: use --mask FILE, --box x,y,w,h (repeatable) or --auto');
  return (o.boxes ?? []).map(parseBox);
}

/**
 * Restores `inputs` (files or folders) into `output`. A single input file goes to `output` as a
 * file unless `output` names a folder (outputIsFolder: an existing folder, a trailing slash, or
 * no image extension); otherwise each image keeps its relative name with a .png extension
 * (lossless, so untouched pixels stay identical). Each
 * write is atomic; an image that fails leaves no output. With several images a failure is
 * reported through onError and the rest still run, then an error lists the failures.
 */
export async function restoreFiles(inputs: readonly string[], output: string, o: RestoreFilesOptions): Promise<RestoredFile[]> {
  checkRegionOptions(o);
  if (o.mask && !(await stat(o.mask).catch(() => null))?.isFile()) throw new Error(`mask ${o.mask} does not exist`);
  const { files, hadFolder } = await expandInputs(inputs);
  if (files.length === 0) throw new Error(`no images found in ${inputs.join(', ')}`);
  const m = await loadRestoreModel(o.checkpoint, { size: o.size, eval: o.eval, ensemble: o.ensemble, runtime: o.runtime });
  const outIsDir = outputIsFolder(output, files.length, hadFolder);
  try {
    return await forEachFile(files, async (f) => {
      const target = outIsDir ? join(output, f.rel.slice(0, f.rel.length - extname(f.rel).length) + '.png') : output;
      const img = await readImage(f.path);
      const regions = await collectRegions(img, o);
      const restored = await restoreImage(img, regions, m.model, {
        size: m.size, modelChannels: m.channels, margin: o.margin, feather: o.feather, smoothInput: m.input === 'smooth',
        consistency: o.consistency ?? m.consistency, tolerance: o.tolerance,
      });
      await writeImage(target, restored);
      return { input: f.path, output: target, regions: regions.length };
    }, o);
  } finally {
    await m.release();
  }
}
