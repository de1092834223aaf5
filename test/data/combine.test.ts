import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { combineFolders } from '../../src/data/combine.js';
import { registerDataCommands } from '../../src/cli/datasets.js';
import { readImage } from '../../src/data/image.js';
import { makeImage, png, tempDir } from './helpers.js';

const solid = (v: number, w = 6, h = 4) => png(makeImage(w, h, 3, () => v));

async function put(path: string, bytes: Promise<Buffer>): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, await bytes);
}

test('combine writes A|B per split for splits present in both folders', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const [A, B, AB] = ['A', 'B', 'AB'].map((d) => join(dir, d));
    await put(join(A, 'train', '1.png'), solid(10));
    await put(join(A, 'train', '2.png'), solid(20));
    await put(join(A, 'train', '3.png'), solid(30)); // no B partner: skipped
    await put(join(B, 'train', '1.png'), solid(110));
    await put(join(B, 'train', '2.png'), solid(120));
    await put(join(A, 'val', '1.jpg'), solid(40));
    await put(join(B, 'val', '1.jpg'), solid(140));
    await put(join(A, 'onlyA', '1.png'), solid(50));
    const results = await combineFolders({ foldA: A, foldB: B, foldAB: AB, log: () => undefined });
    assert.deepEqual(results.map((r) => [r.split, r.written, r.missingB]), [['train', 2, ['3.png']], ['val', 1, []]]);
    assert.deepEqual((await readdir(AB)).sort(), ['train', 'val']);
    assert.deepEqual((await readdir(join(AB, 'train'))).sort(), ['1.png', '2.png']);
    const ab = await readImage(join(AB, 'train', '2.png'), { channels: 3 });
    assert.equal(ab.width, 12);
    assert.equal(ab.height, 4);
    assert.equal(ab.data[0], 20); // left is A
    assert.equal(ab.data[11 * 3], 120); // right is B
    const jpg = await readImage(join(AB, 'val', '1.jpg'), { channels: 3 });
    assert.equal(jpg.width, 12);

    const limited = await combineFolders({ foldA: A, foldB: B, foldAB: join(dir, 'AB1'), numImgs: 1, log: () => undefined });
    assert.deepEqual(limited.map((r) => [r.split, r.used, r.total, r.written]), [['train', 1, 3, 1], ['val', 1, 1, 1]]);
  } finally {
    await cleanup();
  }
});

test('combine --use-AB pairs NAME_A with NAME_B and writes NAME; the CLI accepts the snake_case spellings', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const [A, B, AB] = ['A', 'B', 'AB'].map((d) => join(dir, d));
    await put(join(A, 'test', '0001_A.png'), solid(1));
    await put(join(A, 'test', 'other.png'), solid(2));
    await put(join(B, 'test', '0001_B.png'), solid(3));
    const program = new Command().exitOverride();
    registerDataCommands(program);
    const log = console.log;
    console.log = () => undefined;
    try {
      await program.parseAsync(['node', 'img2img', 'combine', '--fold_A', A, '--fold_B', B, '--fold_AB', AB, '--use_AB']);
    } finally {
      console.log = log;
    }
    assert.deepEqual(await readdir(join(AB, 'test')), ['0001.png']);
  } finally {
    await cleanup();
  }
});

test('combine fails clearly, naming both files, when A and B sizes differ', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const [A, B] = ['A', 'B'].map((d) => join(dir, d));
    await put(join(A, 'train', 'x.png'), solid(1, 6, 4));
    await put(join(B, 'train', 'x.png'), solid(1, 6, 5));
    await assert.rejects(
      combineFolders({ foldA: A, foldB: B, foldAB: join(dir, 'AB'), log: () => undefined }),
      (e: Error) => e.message.includes(join(A, 'train', 'x.png') + ' (6x4)') && e.message.includes(join(B, 'train', 'x.png') + ' (6x5)'),
    );
  } finally {
    await cleanup();
  }
});

test('CLI: datasets download reports refusals and unknown names as clean errors', async () => {
  const errors: string[] = [];
  const program = new Command().exitOverride().configureOutput({ writeErr: (s) => errors.push(s), writeOut: () => undefined });
  registerDataCommands(program);
  await assert.rejects(program.parseAsync(['node', 'img2img', 'datasets', 'download', 'cityscapes']), { exitCode: 1 });
  assert.match(errors.join(''), /license issue.*cityscapes-dataset\.com/s);
  await assert.rejects(program.parseAsync(['node', 'img2img', 'datasets', 'download', 'nope', '--base_url', 'http://127.0.0.1:9']), { exitCode: 1 });
  assert.match(errors.join(''), /unknown dataset 'nope'.*horse2zebra/s);
  await assert.rejects(program.parseAsync(['node', 'img2img', 'combine', '--fold-A', 'x']), /missing required option\(s\) --fold-B, --fold-AB/);
});
