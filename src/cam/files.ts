// `img2img cam`: heatmap overlays for image files and folders.
import { forEachFile } from '../util/batch.js';
import { outputIsFolder } from '../data/output-path.js';
import { extname, join } from 'node:path';
import { readImage, writeImage } from '../data/image.js';
import { expandInputs } from '../data/file-list.js';
import { loadClassifier, OnnxClassifier, type ClassifierLoadOptions, type ExplainOptions, type ImageExplanation } from './classifier.js';
import { overlayHeatmap } from './heatmap.js';

/** Heatmap weight in the overlay when none is given. */
export const DEFAULT_OVERLAY_ALPHA = 0.5;

export interface CamFilesOptions extends Omit<ExplainOptions, 'classIndex'>, ClassifierLoadOptions {
  /** The classifier: an .onnx path or a loaded one. */
  classifier: string | OnnxClassifier;
  /** Class index or (with a sidecar) name; default the top class of each image. */
  classSpec?: number | string;
  /** Weight of the heatmap colours in the overlay, default 0.5. */
  alpha?: number;
  /** Largest image decoded (default 40 MP). */
  maxImagePixels?: number;
  onResult?: (r: CamFileResult) => void;
  onProgress?: (done: number, total: number) => void;
  onError?: (input: string, err: Error) => void;
}

export interface CamFileResult {
  input: string;
  output: string;
  classIndex: number;
  className: string | null;
  probability: number;
  explanation: ImageExplanation;
}

/**
 * Writes one overlay PNG per input image. A single input file goes to `output` when that ends in
 * an image extension and is not a folder; otherwise `output` is a folder and each overlay is
 * OUTPUT/<name>.png. Writes are atomic. The classifier, class and method are checked before any
 * image is read, so a bad model or class writes nothing. With several images a failing one is
 * reported through onError and the rest still run; then an error lists the failures.
 */
export async function camFiles(inputs: readonly string[], output: string, opts: CamFilesOptions): Promise<CamFileResult[]> {
  const clf = typeof opts.classifier === 'string' ? await loadClassifier(opts.classifier, opts) : opts.classifier;
  try {
    const classIndex = clf.resolveClass(opts.classSpec);
    const explain: ExplainOptions = { method: opts.method, featureNode: opts.featureNode, fcNode: opts.fcNode, classIndex };
    await clf.prepare(explain);
    const { files, hadFolder } = await expandInputs(inputs);
    if (files.length === 0) throw new Error(`no images found in ${inputs.join(', ')}`);
    const outIsFile = !outputIsFolder(output, files.length, hadFolder);
    return await forEachFile(files, async (f) => {
      const target = outIsFile ? output : join(output, f.rel.slice(0, f.rel.length - extname(f.rel).length) + '.png');
      const img = await readImage(f.path, { maxPixels: opts.maxImagePixels });
      const e = await clf.explain(img, explain);
      await writeImage(target, overlayHeatmap(img, e.heatmap, opts.alpha ?? DEFAULT_OVERLAY_ALPHA));
      const r = { input: f.path, output: target, classIndex: e.classIndex, className: e.className, probability: e.probabilities[e.classIndex], explanation: e };
      opts.onResult?.(r);
      return r;
    }, opts);
  } finally {
    if (typeof opts.classifier === 'string') await clf.release();
  }
}
