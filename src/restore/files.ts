// `restore apply` on files and folders: regions per image, restoration, atomic writes.
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { readImage, writeImage, type Image } from '../data/image.js';
import { expandInputs } from '../data/file-list.js';
import { outputIsFolder } from '../data/output-path.js';
import type { Box } from '../mosaic/mask.js';
import { readMask } from '../mosaic/mask-file.js';
import type { MosaicStyle } from '../mosaic/pixelate.js';
import { parseBox } from '../mosaic/shapes.js';
import { forEachFile, type BatchHooks } from '../util/batch.js';
import type { AreaRestorer } from './net/tiles.js';
import { regionsFromBoxes, regionsFromLocate, regionsFromMask, type Region } from './regions.js';
import { restoreRegions } from './restore-image.js';

export interface RestoreFilesOptions extends BatchHooks {
  /** The restorer, or null for the classical method. */
  runner: AreaRestorer | null;
  /** Mask image, same size as every input; each connected component is one region. */
  mask?: string;
  /** "x,y,w,h" boxes, each one region. */
  boxes?: readonly string[];
  /** Also restore the mosaics the locator finds. */
  auto?: boolean;
  /** Locator and grid tolerance (per-channel difference counted as equal), for lossy inputs. */
  tolerance?: number;
  style?: MosaicStyle;
  consistency?: boolean;
  feather?: number;
}

export interface RestoredFile {
  input: string;
  output: string;
  regions: number;
  restored: number;
  /** Videos: the run's details (frames, encoder, timings); regions count region-frames. */
  video?: import('../video/pipeline.js').VideoResult;
}

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
 * file unless `output` names a folder (an existing folder, a trailing slash, or no image
 * extension); otherwise each image keeps its relative name with a .png extension (lossless, so
 * untouched pixels stay identical). Each write is atomic; an image that fails leaves no output.
 */
export async function restoreFiles(inputs: readonly string[], output: string, o: RestoreFilesOptions): Promise<RestoredFile[]> {
  checkRegionOptions(o);
  if (o.mask && !(await stat(o.mask).catch(() => null))?.isFile()) throw new Error(`mask ${o.mask} does not exist`);
  const { files, hadFolder } = await expandInputs(inputs);
  if (files.length === 0) throw new Error(`no images found in ${inputs.join(', ')}`);
  const outIsDir = outputIsFolder(output, files.length, hadFolder);
  return forEachFile(files, async (f) => {
    const target = outIsDir ? join(output, f.rel.slice(0, f.rel.length - extname(f.rel).length) + '.png') : output;
    const img = await readImage(f.path);
    const regions = await collectRegions(img, o);
    const { image, reports } = await restoreRegions(img, regions, { runner: o.runner, style: o.style, consistency: o.consistency, feather: o.feather, tolerance: o.tolerance });
    await writeImage(target, image);
    return { input: f.path, output: target, regions: regions.length, restored: reports.filter((r) => r.grid).length };
  }, o);
}
