import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AlignedDataset } from '../../src/data/aligned-dataset.js';
import { UnalignedDataset } from '../../src/data/unaligned-dataset.js';
import { getParams } from '../../src/data/transforms.js';
import { Rng } from '../../src/util/rng.js';
import { makeImage, pattern, png, tempDir } from './helpers.js';

const W = 40; // half width
const H = 30;

/** A|B image whose B half is the negative of A: a + b = 255 at every aligned pixel. */
async function writeInversePair(path: string): Promise<void> {
  const ab = makeImage(2 * W, H, 3, (x, y, c) => (x < W ? pattern(x, y, c) : 255 - pattern(x - W, y, c)));
  await writeFile(path, await png(ab));
}

test('aligned: A|B split at half width, one crop/flip draw applied to both halves', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await mkdir(join(dir, 'train'));
    await writeInversePair(join(dir, 'train', 'p.png'));
    const opts = { root: dir, preprocess: 'crop' as const, loadSize: 32, cropSize: 16 };
    const ds = await AlignedDataset.open(opts);
    assert.equal(ds.length, 1);
    const flips = new Set<boolean>();
    for (let seed = 0; seed < 12; seed++) {
      const s = await ds.get(0, new Rng(seed));
      assert.ok(s);
      assert.deepEqual(s.A.shape, [3, 16, 16]);
      assert.deepEqual(s.B.shape, [3, 16, 16]);
      for (let i = 0; i < s.A.data.length; i++) assert.ok(Math.abs(s.A.data[i] + s.B.data[i]) < 1e-5, 'B is exactly the negative of A');
      // And A is the crop the seed's get_params asks for.
      const p = getParams(ds.options, { width: W, height: H }, new Rng(seed));
      flips.add(p.flip);
      const x = p.flip ? p.x + 15 : p.x; // output column 0 comes from the right edge when flipped
      assert.ok(Math.abs(s.A.data[0] - (pattern(x, p.y, 0) / 127.5 - 1)) < 1e-6);
      assert.equal(s.pathA, join(dir, 'train', 'p.png'));
    }
    assert.deepEqual([...flips].sort(), [false, true], 'both flip outcomes were exercised');

    // With bicubic resizing the halves still line up (up to rounding).
    const resized = await AlignedDataset.open({ ...opts, preprocess: 'resize_and_crop' });
    const s = await resized.get(0, new Rng(5));
    assert.ok(s);
    for (let i = 0; i < s.A.data.length; i++) assert.ok(Math.abs(s.A.data[i] + s.B.data[i]) < 2 / 127.5);
  } finally {
    await cleanup();
  }
});

test('aligned: BtoA swaps the halves; channels follow input_nc / output_nc; odd widths split like the reference', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await mkdir(join(dir, 'test'));
    // 17 wide: A is columns 0-7, B is columns 8-16.
    const ab = makeImage(17, 8, 3, (x) => (x < 8 ? 10 : 240));
    await writeFile(join(dir, 'test', 'odd.png'), await png(ab));
    const base = { root: dir, phase: 'test', preprocess: 'none' as const, noFlip: true };
    const ab1 = await (await AlignedDataset.open(base)).get(0, new Rng(1));
    assert.ok(ab1);
    assert.deepEqual(ab1.A.shape, [3, 8, 8]);
    assert.ok(Math.abs(ab1.A.data[0] - (10 / 127.5 - 1)) < 1e-6);
    assert.deepEqual(ab1.B.shape, [3, 8, 8], '9 wide rounds to 8 under none');
    const ba = await (await AlignedDataset.open({ ...base, direction: 'BtoA', inputNc: 1 })).get(0, new Rng(1));
    assert.ok(ba);
    assert.deepEqual(ba.A.shape, [1, 8, 8]);
    assert.ok(Math.abs(ba.A.data[0] - (240 / 127.5 - 1)) < 1e-6, 'A is the right half');
    assert.ok(Math.abs(ba.B.data[0] - (10 / 127.5 - 1)) < 1e-6);
  } finally {
    await cleanup();
  }
});

test('aligned: a corrupt image is skipped with a warning naming it; max_dataset_size truncates the sorted list', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await mkdir(join(dir, 'train', 'sub'), { recursive: true });
    await writeInversePair(join(dir, 'train', 'a.png'));
    await writeFile(join(dir, 'train', 'b.jpg'), 'this is not a jpeg');
    await writeInversePair(join(dir, 'train', 'sub', 'c.png'));
    await writeFile(join(dir, 'train', 'notes.txt'), 'ignored');
    const warnings: string[] = [];
    const ds = await AlignedDataset.open({ root: dir, preprocess: 'crop', cropSize: 16, warn: (m) => warnings.push(m) });
    assert.deepEqual(ds.paths.map((p) => p.slice(dir.length + 1)), ['train/a.png', 'train/b.jpg', 'train/sub/c.png']);
    assert.equal(await ds.get(1, new Rng(0)), null);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0].includes(join(dir, 'train', 'b.jpg')), warnings[0]);
    assert.ok(await ds.get(2, new Rng(0)));
    const small = await AlignedDataset.open({ root: dir, maxDatasetSize: 2 });
    assert.equal(small.length, 2);
    await assert.rejects(AlignedDataset.open({ root: dir, phase: 'val' }), /is not a valid directory/);
  } finally {
    await cleanup();
  }
});

test('unaligned: length max(|A|, |B|); B index serial (index % |B|) or random', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await mkdir(join(dir, 'trainA'));
    await mkdir(join(dir, 'trainB'));
    const img = await png(makeImage(20, 20, 3, pattern));
    for (let i = 0; i < 3; i++) await writeFile(join(dir, 'trainA', `a${i}.png`), img);
    for (let i = 0; i < 5; i++) await writeFile(join(dir, 'trainB', `b${i}.png`), img);
    const base = { root: dir, preprocess: 'crop' as const, cropSize: 16 };
    const serial = await UnalignedDataset.open({ ...base, serialBatches: true });
    assert.equal(serial.length, 5);
    for (let i = 0; i < 5; i++) {
      const s = await serial.get(i, new Rng(i));
      assert.ok(s);
      assert.equal(s.pathA, serial.pathsA[i % 3]);
      assert.equal(s.pathB, serial.pathsB[i % 5]);
    }
    const random = await UnalignedDataset.open(base);
    const rng = new Rng(42);
    const picks = Array.from({ length: 40 }, () => random.indexB(0, rng));
    assert.ok(picks.every((b) => b >= 0 && b < 5));
    assert.ok(new Set(picks).size > 1, 'random B indices vary');
    const again = new Rng(42);
    assert.deepEqual(Array.from({ length: 40 }, () => random.indexB(0, again)), picks, 'and are seeded');
    const s = await random.get(4, new Rng(7));
    assert.ok(s);
    assert.equal(s.pathA, random.pathsA[1]);
    assert.equal(s.pathB, random.pathsB[new Rng(7).int(5)]);
    const ba = await UnalignedDataset.open({ ...base, direction: 'BtoA' });
    assert.ok(ba.pathsA[0].includes('trainB'), 'BtoA takes A from trainB');
  } finally {
    await cleanup();
  }
});
