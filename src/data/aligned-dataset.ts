// Paired images stored side by side, A on the left and B on the right (reference aligned_dataset.py).
import { join } from 'node:path';
import { cropImage } from './image.js';
import { listImagesNonEmpty } from './file-list.js';
import { datasetOptions, once, readOrSkip, type DatasetOptions, type ImageDataset, type Sample } from './dataset.js';
import { checkTransformOptions, getParams, transformImage, type RandomSource } from './transforms.js';

/** The A|B images of ROOT/PHASE; `get` splits one at half width and transforms both halves alike. */
export class AlignedDataset implements ImageDataset {
  private readonly resizeNotice: (message: string) => void;

  private constructor(readonly options: DatasetOptions, readonly paths: readonly string[]) {
    this.resizeNotice = once(options.warn);
  }

  /** Lists ROOT/PHASE (sorted, at most maxDatasetSize). Throws when the folder is missing or empty. */
  static async open(opts: Partial<DatasetOptions> & { root: string }): Promise<AlignedDataset> {
    const options = datasetOptions(opts);
    checkTransformOptions(options);
    const paths = (await listImagesNonEmpty(join(options.root, options.phase), { max: options.maxDatasetSize })).map((f) => f.path);
    return new AlignedDataset(options, paths);
  }

  get length(): number {
    return this.paths.length;
  }

  /**
   * Example `index`: the left half (width floor(w/2)) and the right half, one get_params draw
   * (on the left half's size, as the reference) applied to both. With BtoA the right half is A.
   * Null, after a warning naming the file, when the image cannot be read.
   */
  async get(index: number, rng: RandomSource): Promise<Sample | null> {
    const opt = this.options;
    const path = this.paths[index];
    if (path === undefined) throw new RangeError(`index ${index} is outside the dataset (${this.paths.length} images)`);
    const ab = await readOrSkip(path, opt.inputNc === 4 || opt.outputNc === 4, opt.warn, opt.maxImagePixels);
    if (!ab) return null;
    if (ab.width < 2) {
      opt.warn(`skipping ${path}: ${ab.width} pixel wide, cannot split into A|B`);
      return null;
    }
    const w2 = Math.floor(ab.width / 2);
    const left = cropImage(ab, 0, 0, w2, ab.height);
    const right = cropImage(ab, w2, 0, ab.width - w2, ab.height);
    const params = getParams(opt, left, rng);
    const [srcA, srcB] = opt.direction === 'BtoA' ? [right, left] : [left, right];
    const run = { warn: this.resizeNotice };
    const A = await transformImage(srcA, opt, params, opt.inputNc, run);
    const B = await transformImage(srcB, opt, params, opt.outputNc, run);
    return { A, B, pathA: path, pathB: path };
  }
}
