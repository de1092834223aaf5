import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { chartToRgba, encodeGif, writeChartPng, writeGif, type ChartSpec } from '../../src/plot/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'plot-test-'));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const spec = (k: number): ChartSpec => ({ width: 160, height: 120, legend: 'none', layers: [{ kind: 'line', x: [0, 1, 2], y: [0, k, 2 * k] }] });

test('writeChartPng creates parent directories and leaves no temp files', async () => {
  const dir = await tempDir();
  const path = join(dir, 'a', 'b', 'chart.png');
  await writeChartPng(path, spec(1));
  assert.equal((await sharp(path).metadata()).width, 160);
  assert.deepEqual(await readdir(join(dir, 'a', 'b')), ['chart.png']);
});

test('writeChartPng replaces a file whole, and a failed render leaves the old file untouched', async () => {
  const dir = await tempDir();
  const path = join(dir, 'chart.png');
  await writeFile(path, 'old contents');
  await writeChartPng(path, spec(2));
  const png = await readFile(path);
  assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  await assert.rejects(writeChartPng(path, { width: -1, layers: [] }));
  assert.deepEqual(await readFile(path), png);
  // Concurrent writers: the result is one complete PNG, never a mix.
  await Promise.all([1, 2, 3, 4].map((k) => writeChartPng(path, spec(k))));
  assert.equal((await sharp(path).metadata()).height, 120);
  assert.deepEqual(await readdir(dir), ['chart.png']);
});

test('writeGif writes a GIF89a with one frame per image', async () => {
  const dir = await tempDir();
  const frames = await Promise.all([1, 2, 3].map((k) => chartToRgba(spec(k))));
  const path = join(dir, 'anim', 'loss.gif');
  await writeGif(path, frames, 100);
  const bytes = await readFile(path);
  assert.equal(bytes.subarray(0, 6).toString('latin1'), 'GIF89a');
  assert.equal(bytes[bytes.length - 1], 0x3b); // trailer
  const meta = await sharp(bytes, { animated: true }).metadata();
  assert.equal(meta.pages, 3);
  assert.equal(meta.width, 160);
  assert.equal(meta.pageHeight ?? meta.height, 120);
  assert.deepEqual(meta.delay, [100, 100, 100]);
});

test('encodeGif rejects frames of different sizes', async () => {
  const a = await chartToRgba(spec(1));
  const b = await chartToRgba({ ...spec(1), width: 170 });
  assert.throws(() => encodeGif([a, b], 50), /frame 1 is 170x120/);
  assert.throws(() => encodeGif([], 50), /at least one frame/);
});
