import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { readImage, writeImage } from '../../src/data/image.js';
import { registerMosaicCommands } from '../../src/cli/mosaic.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { createMask, maskToImage } from '../../src/mosaic/mask.js';

/** Runs `img2img mosaic ...args`, capturing what commander and the action print to stderr. */
async function run(args: string[]): Promise<{ stderr: string }> {
  const program = new Command('img2img').exitOverride();
  let stderr = '';
  program.configureOutput({ writeErr: (s) => { stderr += s; }, writeOut: () => undefined });
  registerMosaicCommands(program.command('mosaic'));
  const origError = console.error;
  console.error = (...a: unknown[]) => { stderr += a.join(' ') + '\n'; };
  try {
    await program.parseAsync(['mosaic', ...args], { from: 'user' });
  } finally {
    console.error = origError;
  }
  return { stderr };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'img2img-cli-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('add: one file, box region; outside the box is bit-identical', () => withDir(async (dir) => {
  const src = join(dir, 'in.png');
  const img = syntheticImage(64, 48, 1);
  await writeImage(src, img);
  await run(['add', src, '-o', join(dir, 'out', 'o.png'), '--box', '8,8,24,16', '--block-size', '8', '--style', 'center']);
  const out = await readImage(join(dir, 'out', 'o.png'));
  let changed = 0;
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < 64; x++) {
      const inside = x >= 8 && x < 32 && y >= 8 && y < 24;
      for (let k = 0; k < 3; k++) {
        const i = (y * 64 + x) * 3 + k;
        if (!inside) assert.equal(out.data[i], img.data[i]);
        else if (out.data[i] !== img.data[i]) changed++;
      }
    }
  }
  assert.ok(changed > 0);
  // Centre style on the image grid: block (8..15, 8..15) takes pixel (12, 12).
  assert.deepEqual([...out.data.subarray((9 * 64 + 9) * 3, (9 * 64 + 9) * 3 + 3)], [...img.data.subarray((12 * 64 + 12) * 3, (12 * 64 + 12) * 3 + 3)]);
}));

test('add: a non-image file fails naming it and writes no output', () => withDir(async (dir) => {
  const bad = join(dir, 'bad.png');
  await writeFile(bad, 'not an image at all');
  await assert.rejects(run(['add', bad, '-o', join(dir, 'o.png'), '--box', '0,0,4,4']), (err: Error) => err.message.startsWith(`cannot read image ${bad}: `));
  assert.deepEqual((await readdir(dir)).sort(), ['bad.png']);
}));

test('add: a folder; a bad file is reported by name, the others are written, no partial file', () => withDir(async (dir) => {
  const inDir = join(dir, 'in');
  await mkdir(join(inDir, 'sub'), { recursive: true });
  await writeImage(join(inDir, 'a.png'), syntheticImage(40, 30, 2));
  await writeImage(join(inDir, 'sub', 'b.jpg'), syntheticImage(30, 40, 3));
  await writeFile(join(inDir, 'c.png'), 'garbage');
  const outDir = join(dir, 'out');
  const res = run(['add', inDir, '-o', outDir, '--polygon', '2,2 20,2 11,20', '--feather', '2', '--style', 'random', '--seed', '3']);
  await assert.rejects(res, /1 of 3 images failed: .*c\.png/);
  assert.deepEqual((await readdir(outDir, { recursive: true })).sort(), ['a.png', 'sub', join('sub', 'b.jpg')]);
  // The written images are the inputs pixelated inside the triangle (plus its 2-pixel feather) only.
  const a = await readImage(join(outDir, 'a.png'));
  const aIn = syntheticImage(40, 30, 2);
  assert.deepEqual([a.width, a.height], [40, 30]);
  let changed = 0;
  for (let y = 0; y < 30; y++) {
    for (let x = 0; x < 40; x++) {
      for (let k = 0; k < 3; k++) {
        const i = (y * 40 + x) * 3 + k;
        if (x >= 23 || y >= 23) assert.equal(a.data[i], aIn.data[i], `a.png (${x}, ${y}) changed outside the region`);
        else if (a.data[i] !== aIn.data[i]) changed++;
      }
    }
  }
  assert.ok(changed > 100, `only ${changed} values changed inside the region`);
  const b = await readImage(join(outDir, 'sub', 'b.jpg'));
  assert.deepEqual([b.width, b.height], [30, 40]);
}));

test('add: a mask of the wrong size names the mask file and both sizes', () => withDir(async (dir) => {
  const src = join(dir, 'in.png');
  await writeImage(src, syntheticImage(32, 32, 1));
  const mask = join(dir, 'mask.png');
  await writeImage(mask, maskToImage(createMask(16, 20)));
  await assert.rejects(run(['add', src, '-o', join(dir, 'o.png'), '--mask', mask]), (err: Error) => err.message.includes(`mask ${mask} is 16x20 but the image is 32x32`));
  assert.equal(existsSync(join(dir, 'o.png')), false);
}));

test('add: bad options are rejected before any file is touched', () => withDir(async (dir) => {
  const src = join(dir, 'in.png');
  await writeImage(src, syntheticImage(16, 16, 1));
  await assert.rejects(run(['add', src, '-o', join(dir, 'o.png')]), /no region given/);
  await assert.rejects(run(['add', src, '-o', join(dir, 'o.png'), '--box', '1,2,3']), /bad box/);
  await assert.rejects(run(['add', src, '-o', join(dir, 'o.png'), '--box', '1,2,3,4', '--style', 'blur']), /bad style "blur"/);
  await assert.rejects(run(['add', src, '-o', join(dir, 'o.png'), '--box', '1,2,3,4', '--block-size', 'x']), /bad block size "x"/);
  assert.equal(existsSync(join(dir, 'o.png')), false);
}));
