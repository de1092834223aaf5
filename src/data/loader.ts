// Batches a dataset into [N, C, H, W] tensors, reshuffling each epoch from a seeded stream.
//
// Resume design: the loader's stream is consumed only at the start of an epoch (the permutation
// and one epoch seed). Example i of the epoch gets its own Rng seeded from (epoch seed, i), so
// prefetching in parallel stays deterministic, and the whole position is {epoch, cursor, the
// stream's state at the epoch start}: restoring it redraws the same permutation and carries on.
import { floatTensor } from '../io/host-tensor.js';
import { Rng, type RngState } from '../util/rng.js';
import { DataError } from './errors.js';
import type { ImageDataset, Sample } from './dataset.js';
import type { FloatTensor } from './transforms.js';

/** A batch: A and B are [N, C, H, W]; paths and dataset indices are per example. */
export interface Batch {
  A: FloatTensor;
  B: FloatTensor;
  pathsA: string[];
  pathsB: string[];
  indices: number[];
}

export interface LoaderOptions {
  batchSize: number;
  /** Seed of the shuffling / augmentation stream. */
  seed: number;
  /** Keep dataset order (reference --serial_batches); augmentation stays random. */
  serialBatches?: boolean;
  /** Drop the last, smaller batch of an epoch (the reference keeps it). */
  dropLast?: boolean;
  /** Examples read ahead in parallel (default 4). */
  prefetch?: number;
  /** Use at most this many examples per epoch, a fresh random subset when shuffling (reference --max_dataset_size). */
  maxDatasetSize?: number;
}

/** JSON-safe position of a {@link DataLoader}: save it with a checkpoint, pass it to setState. */
export interface LoaderState {
  /** Epochs completed. */
  epoch: number;
  /** Position in the current epoch's order of the next example to read. */
  cursor: number;
  /** The stream's state when the current epoch began. */
  rng: RngState;
}

/** Offsets the per-example seeds so they stay below 2^53 (epoch seed < 2^31). */
const PER_EPOCH = 2 ** 22;

/** Shuffled, batched, resumable iteration over an {@link ImageDataset}. */
export class DataLoader {
  private readonly rng: Rng;
  private readonly size: number;
  private epochNo = 0;
  private cursor = 0;
  /** Order and seed of the running epoch; null between epochs. */
  private current: { order: number[]; seed: number; start: RngState } | null = null;

  constructor(readonly dataset: ImageDataset, readonly options: LoaderOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new Error(`batch size must be a positive integer, got ${options.batchSize}`);
    }
    this.size = Math.min(dataset.length, options.maxDatasetSize ?? Infinity);
    if (this.size < 1) throw new DataError('the dataset is empty');
    this.rng = new Rng(options.seed);
  }

  /** Epochs completed so far. */
  get epoch(): number {
    return this.epochNo;
  }

  /** Batches in a full epoch when no image is skipped. */
  get batchesPerEpoch(): number {
    return this.options.dropLast ? Math.floor(this.size / this.options.batchSize) : Math.ceil(this.size / this.options.batchSize);
  }

  /** The current position; restoring it with {@link setState} replays the same batches. */
  getState(): LoaderState {
    return { epoch: this.epochNo, cursor: this.cursor, rng: this.current ? this.current.start : this.rng.getState() };
  }

  /** Continues from a {@link getState} snapshot (taken from a loader over the same dataset and options). */
  setState(state: LoaderState): void {
    if (!Number.isInteger(state.epoch) || state.epoch < 0 || !Number.isInteger(state.cursor) || state.cursor < 0) {
      throw new Error('DataLoader.setState: epoch and cursor must be non-negative integers');
    }
    this.rng.setState(state.rng);
    this.epochNo = state.epoch;
    this.cursor = state.cursor;
    this.current = null;
  }

  /**
   * The remaining batches of the current epoch (all of them for a fresh epoch); when they are
   * exhausted the epoch counts as done and the next call shuffles anew. Skipped examples (null
   * from the dataset) are replaced by the following ones, so batches stay full.
   */
  async *epochBatches(): AsyncGenerator<Batch> {
    const epoch = (this.current ??= this.beginEpoch());
    const { order } = epoch;
    const prefetch = Math.max(1, this.options.prefetch ?? 4);
    const pending = new Map<number, Promise<Sample | null>>();
    const fetch = (pos: number): Promise<Sample | null> => {
      let p = pending.get(pos);
      if (!p) {
        p = this.dataset.get(order[pos], new Rng(epoch.seed * PER_EPOCH + (pos % PER_EPOCH)));
        p.catch(() => undefined); // rethrown when awaited; avoids an unhandled rejection if the consumer stops early
        pending.set(pos, p);
      }
      return p;
    };

    let batch: { sample: Sample; index: number }[] = [];
    for (let pos = this.cursor; pos < order.length; pos++) {
      for (let k = 0; k < prefetch && pos + k < order.length; k++) void fetch(pos + k);
      const sample = await fetch(pos);
      pending.delete(pos);
      if (sample) batch.push({ sample, index: order[pos] });
      if (batch.length === this.options.batchSize && pos + 1 < order.length) {
        this.cursor = pos + 1; // the state after this batch, so a checkpoint taken now resumes after it
        yield collate(batch);
        batch = [];
      }
    }
    // Advance before the last yield: a checkpoint taken on the last batch resumes with the next epoch.
    this.finishEpoch();
    if (batch.length === this.options.batchSize || (batch.length > 0 && !this.options.dropLast)) yield collate(batch);
  }

  private beginEpoch(): { order: number[]; seed: number; start: RngState } {
    const start = this.rng.getState();
    const order = Array.from({ length: this.dataset.length }, (_, i) => i);
    if (!this.options.serialBatches) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    order.length = this.size; // like the reference, stop after max_dataset_size of the shuffled order
    const seed = this.rng.int(2 ** 31);
    return { order, seed, start };
  }

  private finishEpoch(): void {
    this.epochNo++;
    this.cursor = 0;
    this.current = null;
  }
}

/** Stacks examples into [N, C, H, W]; all must share one shape. */
export function collate(items: readonly { sample: Sample; index: number }[]): Batch {
  const first = items[0].sample;
  const stack = (key: 'A' | 'B'): FloatTensor => {
    const shape = first[key].shape;
    const per = first[key].data.length;
    const out = new Float32Array(per * items.length);
    items.forEach(({ sample }, n) => {
      const t = sample[key];
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new DataError(
          `cannot batch ${sample.pathA} (${key} is ${t.shape.join('x')}) with ${first.pathA} (${shape.join('x')}): ` +
            'images in a batch must have the same size; use batch size 1 or a preprocess mode that crops',
        );
      }
      out.set(t.data, n * per);
    });
    return floatTensor([items.length, ...shape], out);
  };
  return {
    A: stack('A'),
    B: stack('B'),
    pathsA: items.map((i) => i.sample.pathA),
    pathsB: items.map((i) => i.sample.pathB),
    indices: items.map((i) => i.index),
  };
}
