// `mosaic auto`: mosaic what a classifier looks at. For each image the CAM (or Grad-CAM) heatmap
// of one class is thresholded into regions (see cam-regions.ts), which are pixelated with the
// mosaic API. Writes OUT/<name>.png (the mosaicked image) and OUT/<name>_mask.png.
import { forEachFile } from '../util/batch.js';
import { rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { readImage, writeImage } from '../data/image.js';
import { createRng } from '../util/rng.js';
import { loadClassifier, type OnnxClassifier } from '../cam/classifier.js';
import { expandInputs } from '../data/file-list.js';
import { maskArea, maskToImage } from './mask.js';
import { connectedComponents } from './components.js';
import { applyMosaic, type MosaicOptions } from './mosaic.js';
import { checkHeatmapMaskOptions, heatmapToMask, type CamRegionOptions } from './cam-regions.js';

export interface AutoMosaicOptions extends CamRegionOptions, Omit<MosaicOptions, 'rng'> {
  /** An .onnx path or a loaded classifier. */
  classifier: string | OnnxClassifier;
  /** The class whose regions are mosaicked: an index or (with a sidecar) a class name. */
  classSpec: number | string;
  onResult?: (r: AutoMosaicResult) => void;
  /** Largest image decoded (default 40 MP). */
  maxImagePixels?: number;
  onProgress?: (done: number, total: number) => void;
  onError?: (input: string, err: Error) => void;
}

export interface AutoMosaicResult {
  input: string;
  output: string;
  maskOutput: string;
  classIndex: number;
  /** Probability the classifier gives the class on this image. */
  probability: number;
  /** Connected regions mosaicked, and their total area in px. */
  regions: number;
  area: number;
}

/**
 * Mosaics `inputs` (files or folders) into the folder `output`. The classifier, class and options
 * are checked before any image is read. Both files of an image are written atomically, the mask
 * after the image (the image is removed again if the mask cannot be written). With several
 * images a failing one is reported through onError and the rest still run; then an error lists
 * the failures.
 */
export async function autoMosaicFiles(inputs: readonly string[], output: string, opts: AutoMosaicOptions): Promise<AutoMosaicResult[]> {
  checkHeatmapMaskOptions(opts);
  const clf = typeof opts.classifier === 'string' ? await loadClassifier(opts.classifier, opts) : opts.classifier;
  try {
    const classIndex = clf.resolveClass(opts.classSpec);
    if (classIndex === undefined) throw new Error('mosaic auto: give the class to mosaic (--class)');
    const explain = { method: opts.method, featureNode: opts.featureNode, fcNode: opts.fcNode, classIndex };
    await clf.prepare(explain);
    const { files } = await expandInputs(inputs);
    if (files.length === 0) throw new Error(`no images found in ${inputs.join(', ')}`);
    return await forEachFile(files, async (f) => {
      const stem = join(output, f.rel.slice(0, f.rel.length - extname(f.rel).length));
      const target = `${stem}.png`, maskTarget = `${stem}_mask.png`;
      const img = await readImage(f.path, { maxPixels: opts.maxImagePixels });
      const e = await clf.explain(img, explain);
      const mask = heatmapToMask(e.heatmap, img.width, img.height, opts);
      const { image } = applyMosaic(img, mask, { ...opts, rng: createRng(opts.seed ?? 0) });
      await writeImage(target, image);
      try {
        await writeImage(maskTarget, maskToImage(mask));
      } catch (err) {
        await rm(target, { force: true });
        throw err;
      }
      const r: AutoMosaicResult = {
        input: f.path, output: target, maskOutput: maskTarget, classIndex, probability: e.probabilities[classIndex],
        regions: connectedComponents(mask).length, area: maskArea(mask),
      };
      opts.onResult?.(r);
      return r;
    }, opts);
  } finally {
    if (typeof opts.classifier === 'string') await clf.release();
  }
}
