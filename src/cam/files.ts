// `img2img cam`: heatmap overlays for image files and folders.
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { readImage, writeImage } from '../data/image.js';
import { expandInputs } from '../mosaic/files.js';
import { loadClassifier, OnnxClassifier, type ClassifierLoadOptions, type ExplainOptions, type ImageExplanation } from './classifier.js';
import { overlayHeatmap } from './heatmap.js';

export interface CamFilesOptions extends Omit<ExplainOptions, 'classIndex'>, ClassifierLoadOptions {
  /** The classifier: an .onnx path or a loaded one. */
  classifier: string | OnnxClassifier;
  /** Class index or (with a sidecar) name; default the top class of each image. */
  classSpec?: number | string;
  /** Weight of the heatmap colours in the overlay, default 0.5. */
  alpha?: number;
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

const IMAGE_OUT = ['.png', '.jpg', '.jpeg', '.webp'];

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
    const outIsFile = !hadFolder && files.length === 1 && IMAGE_OUT.includes(extname(output).toLowerCase()) && (await stat(output).catch(() => null))?.isDirectory() !== true;
    const results: CamFileResult[] = [];
    const failed: string[] = [];
    for (const [i, f] of files.entries()) {
      const target = outIsFile ? output : join(output, f.rel.slice(0, f.rel.length - extname(f.rel).length) + '.png');
      try {
        const img = await readImage(f.path);
        const e = await clf.explain(img, explain);
        await writeImage(target, overlayHeatmap(img, e.heatmap, opts.alpha ?? 0.5));
        const r = { input: f.path, output: target, classIndex: e.classIndex, className: e.className, probability: e.probabilities[e.classIndex], explanation: e };
        results.push(r);
        opts.onResult?.(r);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        const named = e.message.includes(f.path) ? e : new Error(`${f.path}: ${e.message}`);
        if (files.length === 1) throw named;
        failed.push(f.path);
        opts.onError?.(f.path, named);
      }
      opts.onProgress?.(i + 1, files.length);
    }
    if (failed.length) throw new Error(`${failed.length} of ${files.length} images failed: ${failed.join(', ')}`);
    return results;
  } finally {
    if (typeof opts.classifier === 'string') await clf.release();
  }
}
