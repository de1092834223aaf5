// What the datasets share: the sample shape, the options the reference passes (opt.*), and
// reading an image so that a corrupt file is reported and skipped instead of ending training.
import { errorMessage } from './errors.js';
import { readImage, type Channels, type Image } from './image.js';
import { DEFAULT_TRANSFORM_OPTIONS, type FloatTensor, type RandomSource, type TransformOptions } from './transforms.js';

/** One training example: A is the input domain, B the target (already swapped for BtoA). */
export interface Sample {
  A: FloatTensor;
  B: FloatTensor;
  pathA: string;
  pathB: string;
}

/**
 * A dataset the loader can batch. `get` returns null for an example it had to skip (unreadable
 * image, already reported through the warn callback). All randomness comes from `rng`.
 */
export interface ImageDataset {
  readonly length: number;
  get(index: number, rng: RandomSource): Promise<Sample | null>;
}

export type Direction = 'AtoB' | 'BtoA';

/** The reference's dataset options (--dataroot, --phase, --direction, --input_nc, ...). */
export interface DatasetOptions extends TransformOptions {
  /** Dataset folder (reference --dataroot). */
  root: string;
  /** Subfolder: train, val, test (aligned) or the trainA/trainB prefix (unaligned). */
  phase: string;
  direction: Direction;
  inputNc: Channels;
  outputNc: Channels;
  /** Use at most this many images (reference --max_dataset_size). */
  maxDatasetSize: number;
  /** Unaligned: pair A[i] with B[i % |B|] instead of a random B (reference --serial_batches). */
  serialBatches: boolean;
  /** Receives "skipping <path>: <reason>" and the once-only resize notice; default: nothing (a library prints nothing unless asked). */
  warn: (message: string) => void;
}

/** Defaults of the reference's train options, except root which callers must give. */
export const DEFAULT_DATASET_OPTIONS: Readonly<Omit<DatasetOptions, 'root'>> = {
  ...DEFAULT_TRANSFORM_OPTIONS,
  phase: 'train',
  direction: 'AtoB',
  inputNc: 3,
  outputNc: 3,
  maxDatasetSize: Infinity,
  serialBatches: false,
  warn: () => undefined,
};

/** Fills in defaults; `root` is required. */
export function datasetOptions(opts: Partial<DatasetOptions> & { root: string }): DatasetOptions {
  const out = { ...DEFAULT_DATASET_OPTIONS, ...opts };
  for (const [k, v] of [['inputNc', out.inputNc], ['outputNc', out.outputNc]] as const) {
    if (v !== 1 && v !== 3 && v !== 4) throw new Error(`${k} must be 1, 3 or 4, got ${v}`);
  }
  if (out.direction !== 'AtoB' && out.direction !== 'BtoA') throw new Error(`direction must be AtoB or BtoA, got ${out.direction}`);
  return out;
}

/**
 * Reads an image as RGB (RGBA when `withAlpha`), like the reference's Image.open().convert('RGB').
 * Returns null after calling `warn` when the file cannot be read or decoded.
 */
export async function readOrSkip(path: string, withAlpha: boolean, warn: (message: string) => void, maxPixels?: number): Promise<Image | null> {
  try {
    return await readImage(path, { channels: withAlpha ? 4 : 3, maxPixels });
  } catch (err) {
    warn(`skipping ${path}: ${errorMessage(err)}`);
    return null;
  }
}

/** Wraps `fn` so it runs only on the first call (the reference prints the resize notice once). */
export function once(fn: (message: string) => void): (message: string) => void {
  let done = false;
  return (message) => {
    if (done) return;
    done = true;
    fn(message);
  };
}
