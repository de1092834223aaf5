import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { cropImage, readImage, resizeImage, writeImage } from '../../src/data/image.js';
import { registerMosaicCommands } from '../../src/cli/mosaic.js';
import { makePairs, parseSplit, splitSources, type PairsManifest } from '../../src/mosaic/pairs.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { createMask } from '../../src/mosaic/mask.js';
import { fillRect } from '../../src/mosaic/shapes.js';

const SIZE = 32;

async function withSources(fn: (dir: string, input: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'img2img-pairs-'));
  try {
    const input = join(dir, 'src');
    await mkdir(join(input, 'nested'), { recursive: true });
    for (let i = 0; i < 6; i++) await writeImage(join(input, i < 3 ? '' : 'nested', `s${i}.png`), syntheticImage(40 + 8 * i, 36 + 5 * i, 100 + i));
    await fn(dir, input);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function cli(args: string[]): Promise<void> {
  const program = new Command('img2img').exitOverride();
  registerMosaicCommands(program.command('mosaic'));
  const log = console.log;
  console.log = () => undefined;
  try {
    await program.parseAsync(['mosaic', 'pairs', ...args], { from: 'user' });
  } finally {
    console.log = log;
  }
}

async function allFiles(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const f of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const p = join(f.parentPath, f.name);
    out.set(p.slice(dir.length), await readFile(p));
  }
  return out;
}

test('pairs: A|B layout, B is the clean crop, A differs only where mosaicked', () => withSources(async (dir, input) => {
  const output = join(dir, 'ds');
  await cli(['--input', input, '--output', output, '--size', String(SIZE), '--count-per-image', '2', '--seed', '5', '--split', '0.5,0.25,0.25']);
  const manifest = JSON.parse(await readFile(join(output, 'manifest.json'), 'utf8')) as PairsManifest;
  assert.equal(manifest.pairs.length, 12);
  assert.equal(manifest.layout, 'A|B');
  for (const p of manifest.pairs) {
    const img = await readImage(join(output, p.file));
    assert.deepEqual([img.width, img.height, img.channels], [2 * SIZE, SIZE, 3]);
    const src = await readImage(join(input, p.source), { channels: 3 });
    const clean = await resizeImage(cropImage(src, p.crop.x, p.crop.y, p.crop.w, p.crop.h), SIZE, SIZE, 'bicubic');
    let same = 0, diff = 0;
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        for (let k = 0; k < 3; k++) {
          const b = img.data[(y * 2 * SIZE + SIZE + x) * 3 + k], a = img.data[(y * 2 * SIZE + x) * 3 + k];
          assert.equal(b, clean.data[(y * SIZE + x) * 3 + k], `${p.file}: B is not the clean crop`);
          if (a === b) same++; else diff++;
        }
      }
    }
    assert.ok(diff > 0 && same > 0, `${p.file}: A should be partly mosaicked (same ${same}, diff ${diff})`);
  }
  assert.deepEqual((await readdir(join(output, 'train'))).sort(), ['0000.png', '0001.png', '0002.png', '0003.png']);
}));

test('pairs: same seed gives byte-identical datasets, another seed does not', () => withSources(async (dir, input) => {
  const opts = { input, size: SIZE, countPerImage: 1 };
  await makePairs({ ...opts, output: join(dir, 'a'), seed: 9 });
  await makePairs({ ...opts, output: join(dir, 'b'), seed: 9 });
  await makePairs({ ...opts, output: join(dir, 'c'), seed: 10 });
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((d) => allFiles(join(dir, d))));
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, v] of a) assert.ok(v.equals(b.get(k)!), `${k} differs between runs with the same seed`);
  assert.ok([...a].some(([k, v]) => !c.get(k)?.equals(v)), 'a different seed should change something');
}));

test('pairs: splits are disjoint by source and cover all sources', () => withSources(async (dir, input) => {
  const m = await makePairs({ input, output: join(dir, 'ds'), size: SIZE, countPerImage: 3, seed: 1, split: [0.5, 0.25, 0.25] });
  const { train, val, test: tst } = m.sources;
  assert.deepEqual([train.length, val.length, tst.length], [2, 2, 2]);
  const all = [...train, ...val, ...tst];
  assert.equal(new Set(all).size, 6);
  for (const p of m.pairs) {
    assert.ok(m.sources[p.split].includes(p.source), `${p.file} comes from ${p.source}, not a ${p.split} source`);
    assert.ok(p.file.startsWith(`${p.split}/`));
  }
  // The assignment does not depend on the order files were found in.
  const files = all.map((rel) => ({ rel }));
  assert.deepEqual(splitSources(files, [0.5, 0.25, 0.25], 1), splitSources([...files].reverse(), [0.5, 0.25, 0.25], 1));
  assert.throws(() => parseSplit('0.8,0.2'), /bad split/);
  assert.deepEqual(parseSplit('8,1,1'), [0.8, 0.1, 0.1]);
}));

test('pairs: a region source hook supplies the masks; an existing dataset is not overwritten by accident', () => withSources(async (dir, input) => {
  const output = join(dir, 'ds');
  const calls: number[] = [];
  const m = await makePairs({
    input, output, size: SIZE, seed: 2,
    regionSource: async (img) => {
      calls.push(img.width);
      return fillRect(createMask(SIZE, SIZE), { x: 0, y: 0, w: 8, h: 8 });
    },
  });
  assert.equal(calls.length, 6);
  assert.ok(m.pairs.every((p) => p.shapes.length === 1 && p.shapes[0].kind === 'source'));
  await assert.rejects(makePairs({ input, output, size: SIZE }), /already has train, val, test, manifest\.json/);
  await makePairs({ input, output, size: SIZE, overwrite: true });
}));

test('pairs: --styles restricts the block styles; a bad style is refused naming it', () => withSources(async (dir, input) => {
  const output = join(dir, 'avg');
  await cli(['--input', input, '--output', output, '--size', String(SIZE), '--count-per-image', '4', '--styles', 'average']);
  const manifest = JSON.parse(await readFile(join(output, 'manifest.json'), 'utf8')) as PairsManifest;
  assert.equal(manifest.pairs.length, 24);
  assert.deepEqual([...new Set(manifest.pairs.map((p) => p.style))], ['average']);
  // The default draws all three.
  const all = await makePairs({ input, output: join(dir, 'all'), size: SIZE, countPerImage: 4 });
  assert.deepEqual([...new Set(all.pairs.map((p) => p.style))].sort(), ['average', 'center', 'random']);
  await assert.rejects(cli(['--input', input, '--output', join(dir, 'bad'), '--styles', 'average,blurry']), /bad style "blurry"/);
  await assert.rejects(makePairs({ input, output: join(dir, 'bad2'), styles: [] }), /at least one style/);
}));
