import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floatTensor } from '../../src/io/host-tensor.js';
import type { ImageDataset, Sample } from '../../src/data/dataset.js';
import { DataLoader, type Batch } from '../../src/data/loader.js';
import type { RandomSource } from '../../src/data/transforms.js';

/** A dataset of 1x1x1 tensors: A holds the index, B one draw from the example's rng. */
function fakeDataset(length: number, skip: number[] = [], sizeOf: (i: number) => number = () => 1): ImageDataset {
  return {
    length,
    async get(index: number, rng: RandomSource): Promise<Sample | null> {
      await new Promise((r) => setImmediate(r)); // finish out of order relative to the call
      if (skip.includes(index)) return null;
      const s = sizeOf(index);
      return {
        A: floatTensor([1, s, 1], new Float32Array(s).fill(index)),
        B: floatTensor([1, s, 1], new Float32Array(s).fill(rng.random())),
        pathA: `p${index}`,
        pathB: `p${index}`,
      };
    },
  };
}

async function take(loader: DataLoader, epochs: number): Promise<Batch[]> {
  const out: Batch[] = [];
  for (let e = 0; e < epochs; e++) for await (const b of loader.epochBatches()) out.push(b);
  return out;
}

const summary = (batches: Batch[]) => batches.map((b) => [b.indices.join(','), Array.from(b.B.data).join(',')]);

test('batches are [N, C, H, W]; the last one is partial unless dropLast', async () => {
  const loader = new DataLoader(fakeDataset(10), { batchSize: 4, seed: 1 });
  const batches = await take(loader, 1);
  assert.deepEqual(batches.map((b) => b.A.shape), [[4, 1, 1, 1], [4, 1, 1, 1], [2, 1, 1, 1]]);
  assert.deepEqual(batches.flatMap((b) => b.indices).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(loader.epoch, 1);
  const dropped = await take(new DataLoader(fakeDataset(10), { batchSize: 4, seed: 1, dropLast: true }), 1);
  assert.equal(dropped.length, 2);
});

test('shuffling and augmentation are determined by the seed, and change every epoch', async () => {
  const a = summary(await take(new DataLoader(fakeDataset(12), { batchSize: 3, seed: 7 }), 3));
  const b = summary(await take(new DataLoader(fakeDataset(12), { batchSize: 3, seed: 7, prefetch: 1 }), 3));
  const c = summary(await take(new DataLoader(fakeDataset(12), { batchSize: 3, seed: 8 }), 3));
  assert.deepEqual(a, b, 'same seed, same batches (prefetch does not matter)');
  assert.notDeepEqual(a, c);
  assert.notDeepEqual(a.slice(0, 4).map((x) => x[0]), a.slice(4, 8).map((x) => x[0]), 'epochs are reshuffled');
});

test('serial batches keep dataset order', async () => {
  const batches = await take(new DataLoader(fakeDataset(5), { batchSize: 2, seed: 3, serialBatches: true }), 2);
  assert.deepEqual(batches.map((b) => b.indices), [[0, 1], [2, 3], [4], [0, 1], [2, 3], [4]]);
});

test('exact resume: a saved state replays the remaining batches, mid-epoch and at an epoch boundary', async () => {
  const make = () => new DataLoader(fakeDataset(11), { batchSize: 3, seed: 99 });
  const reference = summary(await take(make(), 3)); // 4 batches per epoch
  for (const stopAfter of [2, 4, 6]) {
    const first = make();
    const seen: Batch[] = [];
    outer: for (;;) {
      for await (const b of first.epochBatches()) {
        seen.push(b);
        if (seen.length === stopAfter) break outer;
      }
    }
    const state = JSON.parse(JSON.stringify(first.getState()));
    const resumed = new DataLoader(fakeDataset(11), { batchSize: 3, seed: 12345 }); // the seed is overridden by the state
    resumed.setState(state);
    const rest: Batch[] = [];
    while (resumed.epoch < 3) for await (const b of resumed.epochBatches()) rest.push(b);
    assert.deepEqual(summary([...seen, ...rest]), reference, `resume after ${stopAfter} batches`);
  }
});

test('examples the dataset skips are replaced by the next ones; mixed sizes give a clear error', async () => {
  const batches = await take(new DataLoader(fakeDataset(6, [2, 4]), { batchSize: 2, seed: 0, serialBatches: true }), 1);
  assert.deepEqual(batches.map((b) => b.indices), [[0, 1], [3, 5]]);
  const mixed = new DataLoader(fakeDataset(4, [], (i) => 1 + i), { batchSize: 2, seed: 0, serialBatches: true });
  await assert.rejects(take(mixed, 1), /cannot batch p1 .* with p0 .*same size/);
});

test('maxDatasetSize caps each epoch at that many examples of the shuffled order', async () => {
  const loader = new DataLoader(fakeDataset(20), { batchSize: 4, seed: 5, maxDatasetSize: 6 });
  assert.equal(loader.batchesPerEpoch, 2);
  const epochs = [await take(loader, 1), await take(loader, 1)].map((bs) => bs.flatMap((b) => b.indices));
  for (const idx of epochs) assert.equal(new Set(idx).size, 6);
  assert.notDeepEqual(epochs[0].slice().sort(), epochs[1].slice().sort(), 'a different subset each epoch');
});
