import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chwToImage, createImage, cropImage, hconcat, imageToCHW, pasteImage, readImage, resizeImage, writeImage, type Image,
} from '../../src/data/image.js';

function ramp(w: number, h: number, c: 1 | 3 | 4): Image {
  const img = createImage(w, h, c);
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 37 + 11) % 256;
  return img;
}

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'img2img-image-'));
}

test('png round trip is exact for 1, 3 and 4 channels; parent folders are created', async () => {
  const dir = await tmp();
  try {
    for (const c of [1, 3, 4] as const) {
      const img = ramp(13, 7, c);
      const path = join(dir, 'a', 'b', `x${c}.png`);
      await writeImage(path, img);
      const back = await readImage(path);
      assert.deepEqual({ ...back, data: [...back.data] }, { ...img, data: [...img.data] });
    }
    // No temp files are left next to the outputs.
    assert.deepEqual((await readdir(join(dir, 'a', 'b'))).sort(), ['x1.png', 'x3.png', 'x4.png']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readImage converts channels on request', async () => {
  const dir = await tmp();
  try {
    const path = join(dir, 'rgba.png');
    await writeImage(path, ramp(5, 4, 4));
    assert.equal((await readImage(path, { channels: 3 })).channels, 3);
    assert.equal((await readImage(path, { channels: 3 })).data.length, 5 * 4 * 3);
    assert.equal((await readImage(path, { channels: 1 })).data.length, 5 * 4);
    const grey = join(dir, 'g.png');
    await writeImage(grey, ramp(5, 4, 1));
    const rgb = await readImage(grey, { channels: 3 });
    assert.equal(rgb.channels, 3);
    assert.equal(rgb.data[0], rgb.data[1]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('jpeg and webp are written by extension', async () => {
  const dir = await tmp();
  try {
    for (const ext of ['jpg', 'webp']) {
      await writeImage(join(dir, `x.${ext}`), ramp(16, 16, 3));
      const back = await readImage(join(dir, `x.${ext}`));
      assert.equal(back.width, 16);
    }
    await assert.rejects(writeImage(join(dir, 'x.bmp'), ramp(4, 4, 3)), /cannot write image .*x\.bmp: unsupported extension/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a non-image file gives an error naming it', async () => {
  const dir = await tmp();
  try {
    const path = join(dir, 'notes.png');
    await writeFile(path, 'this is not an image');
    await assert.rejects(readImage(path), (err: Error) => err.message.startsWith(`cannot read image ${path}: `));
    await assert.rejects(readImage(join(dir, 'missing.png')), /cannot read image .*missing\.png: .*ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('CHW conversion uses x/127.5 - 1 and round-trips', () => {
  const img = ramp(3, 2, 3);
  const t = imageToCHW(img);
  assert.deepEqual(t.shape, [3, 2, 3]);
  // Channel 1 of pixel (x=2, y=1) sits at plane 1, index 1*3+2.
  assert.equal(t.data[1 * 6 + 5], Math.fround(img.data[5 * 3 + 1] / 127.5 - 1));
  assert.equal(imageToCHW({ width: 1, height: 1, channels: 1, data: Uint8Array.of(0) }).data[0], -1);
  assert.equal(imageToCHW({ width: 1, height: 1, channels: 1, data: Uint8Array.of(255) }).data[0], 1);
  assert.deepEqual([...chwToImage(t).data], [...img.data]);
  assert.deepEqual([...chwToImage({ shape: [1, ...t.shape], data: t.data }).data], [...img.data]);
  assert.deepEqual([...chwToImage({ shape: [1, 1, 2], data: [-3, 3] }).data], [0, 255]);
  assert.throws(() => chwToImage({ shape: [2, 1, 1], data: [0, 0] }), /2 channels/);
});

test('crop, paste (clipped) and hconcat', () => {
  const img = ramp(6, 5, 3);
  const c = cropImage(img, 2, 1, 3, 2);
  assert.deepEqual([...c.data.subarray(0, 3)], [...img.data.subarray((1 * 6 + 2) * 3, (1 * 6 + 2) * 3 + 3)]);
  assert.throws(() => cropImage(img, 4, 0, 3, 1), /not inside/);
  const dst = createImage(4, 4, 3);
  pasteImage(dst, c, 2, 3); // only the top-left 2x1 of c lands
  assert.deepEqual([...dst.data.subarray((3 * 4 + 2) * 3, (3 * 4 + 4) * 3)], [...c.data.subarray(0, 6)]);
  assert.equal(dst.data.reduce((a, b) => a + b, 0), c.data.subarray(0, 6).reduce((a, b) => a + b, 0));
  const cat = hconcat([c, c]);
  assert.equal(cat.width, 6);
  assert.deepEqual([...cat.data.subarray(9, 18)], [...c.data.subarray(0, 9)]);
});

test('resize: nearest 2x up repeats pixels; bicubic/bilinear give the asked size', async () => {
  const img = ramp(3, 2, 3);
  const up = await resizeImage(img, 6, 4, 'nearest');
  assert.equal(up.width, 6);
  assert.deepEqual([...up.data.subarray(0, 3)], [...img.data.subarray(0, 3)]);
  assert.deepEqual([...up.data.subarray(3, 6)], [...img.data.subarray(0, 3)]);
  for (const k of ['bicubic', 'bilinear'] as const) {
    const r = await resizeImage(ramp(40, 30, 1), 17, 9, k);
    assert.deepEqual([r.width, r.height, r.channels, r.data.length], [17, 9, 1, 17 * 9]);
  }
});

test('no output file when encoding fails', async () => {
  const dir = await tmp();
  try {
    const bad = { width: 4, height: 4, channels: 3 as const, data: new Uint8Array(5) };
    await assert.rejects(writeImage(join(dir, 'bad.png'), bad), /cannot write image .*bad\.png/);
    assert.equal(existsSync(join(dir, 'bad.png')), false);
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
