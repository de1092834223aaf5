// Two unpaired image folders, ROOT/PHASE+'A' and ROOT/PHASE+'B' (reference unaligned_dataset.py).
import { join } from 'node:path';
import { listImagesNonEmpty } from './file-list.js';
import { datasetOptions, once, readOrSkip, type DatasetOptions, type ImageDataset, type Sample } from './dataset.js';
import { checkTransformOptions, getParams, transformImage, type RandomSource } from './transforms.js';

/** Unpaired domains; each image gets its own crop/flip. With BtoA, A comes from PHASE+'B'. */
export class UnalignedDataset implements ImageDataset {
  private readonly resizeNotice: (message: string) => void;

  private constructor(
    readonly options: DatasetOptions,
    readonly pathsA: readonly string[],
    readonly pathsB: readonly string[],
  ) {
    this.resizeNotice = once(options.warn);
  }

  /** Lists both folders (sorted, each at most maxDatasetSize). Throws when one is missing or empty. */
  static async open(opts: Partial<DatasetOptions> & { root: string }): Promise<UnalignedDataset> {
    const options = datasetOptions(opts);
    checkTransformOptions(options);
    const dirA = join(options.root, `${options.phase}A`);
    const dirB = join(options.root, `${options.phase}B`);
    const [a, b] = options.direction === 'BtoA' ? [dirB, dirA] : [dirA, dirB];
    const pathsA = (await listImagesNonEmpty(a, { max: options.maxDatasetSize })).map((f) => f.path);
    const pathsB = (await listImagesNonEmpty(b, { max: options.maxDatasetSize })).map((f) => f.path);
    return new UnalignedDataset(options, pathsA, pathsB);
  }

  /** max(|A|, |B|), as the reference: an epoch visits every image of the larger domain. */
  get length(): number {
    return Math.max(this.pathsA.length, this.pathsB.length);
  }

  /**
   * The B index for example `index`: index % |B| with serialBatches, else uniform in [0, |B|)
   * drawn from `rng` (the reference randomizes B so pairs differ between epochs).
   */
  indexB(index: number, rng: RandomSource): number {
    return this.options.serialBatches ? index % this.pathsB.length : rng.int(this.pathsB.length);
  }

  /** A[index % |A|] with a B chosen by {@link indexB}; null (after a warning) if either is unreadable. */
  async get(index: number, rng: RandomSource): Promise<Sample | null> {
    const opt = this.options;
    if (!Number.isInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`index ${index} is outside the dataset (${this.length} examples)`);
    }
    const pathA = this.pathsA[index % this.pathsA.length];
    const pathB = this.pathsB[this.indexB(index, rng)];
    const alpha = opt.inputNc === 4 || opt.outputNc === 4;
    const [imgA, imgB] = await Promise.all([readOrSkip(pathA, alpha, opt.warn, opt.maxImagePixels), readOrSkip(pathB, alpha, opt.warn, opt.maxImagePixels)]);
    if (!imgA || !imgB) return null;
    const paramsA = getParams(opt, imgA, rng);
    const paramsB = getParams(opt, imgB, rng);
    const run = { warn: this.resizeNotice };
    const A = await transformImage(imgA, opt, paramsA, opt.inputNc, run);
    const B = await transformImage(imgB, opt, paramsB, opt.outputNc, run);
    return { A, B, pathA, pathB };
  }
}
