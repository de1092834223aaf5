import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_TRANSFORM_OPTIONS,
  cropPadded,
  flipHorizontal,
  getParams,
  roundHalfEven,
  toChannels,
  transformImage,
  type Preprocess,
  type RandomSource,
  type TransformOptions,
} from '../../src/data/transforms.js';
import { Rng } from '../../src/util/rng.js';
import { makeImage, pattern } from './helpers.js';

/** A RandomSource that records int() bounds and returns fixed answers. */
function recorder(ints: number[], random = 0.9): RandomSource & { bounds: number[] } {
  const bounds: number[] = [];
  let i = 0;
  return {
    bounds,
    int(n) {
      bounds.push(n);
      return Math.min(ints[i++] ?? 0, n - 1);
    },
    random: () => random,
  };
}

const opt = (preprocess: Preprocess, extra: Partial<TransformOptions> = {}): TransformOptions => ({ ...DEFAULT_TRANSFORM_OPTIONS, preprocess, ...extra });

test('getParams draws x, y in [0, scaled - crop] inclusive and flip = random() > 0.5, like the reference', () => {
  const size = { width: 300, height: 200 };
  let r = recorder([5, 7], 0.9);
  assert.deepEqual(getParams(opt('resize_and_crop'), size, r), { x: 5, y: 7, flip: true });
  assert.deepEqual(r.bounds, [31, 31]); // 286 - 256 + 1
  r = recorder([0, 0], 0.5);
  assert.equal(getParams(opt('crop'), size, r).flip, false); // strictly greater than 0.5
  assert.deepEqual(r.bounds, [45, 1]); // the raw size: 300-256+1, max(0, 200-256)+1
  r = recorder([0, 0]);
  getParams(opt('scale_width_and_crop'), { width: 100, height: 200 }, r);
  assert.deepEqual(r.bounds, [31, 572 - 256 + 1]); // new_h = 286 * 200 // 100
  r = recorder([0, 0]);
  getParams(opt('none'), size, r);
  assert.equal(r.bounds.length, 2, 'draws even when nothing is cropped');
});

test('output shapes for every preprocess mode', async () => {
  const img = makeImage(300, 200, 3, pattern);
  const params = { x: 3, y: 0, flip: false };
  const shape = async (o: TransformOptions, im = img) => (await transformImage(im, o, params, 3)).shape;
  assert.deepEqual(await shape(opt('resize_and_crop')), [3, 256, 256]);
  assert.deepEqual(await shape(opt('crop')), [3, 256, 256]); // wider than 256, so cropped (and padded below)
  assert.deepEqual(await shape(opt('scale_width')), [3, 256, 286]); // height max(286*200/300, 256)
  assert.deepEqual(await shape(opt('scale_width', { loadSize: 150, cropSize: 64 })), [3, 100, 150]);
  assert.deepEqual(await shape(opt('scale_width_and_crop')), [3, 256, 256]);
  assert.deepEqual(await shape(opt('none')), [3, 200, 300]);
  assert.deepEqual(await shape(opt('crop'), makeImage(100, 80, 3, pattern)), [3, 80, 100], 'smaller than crop: unchanged');
});

test("'none' rounds sizes to a multiple of 4 with Python's round, warning about it", async () => {
  const warnings: string[] = [];
  const t = await transformImage(makeImage(302, 202, 3, pattern), opt('none'), { x: 0, y: 0, flip: false }, 3, { warn: (m) => warnings.push(m) });
  assert.deepEqual(t.shape, [3, 200, 304]); // 75.5 -> 76, 50.5 -> 50
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /multiple of 4.*\(302, 202\).*\(304, 200\)/);
  assert.deepEqual([0.5, 1.5, 2.5, 2.4, 2.6, 3].map(roundHalfEven), [0, 2, 2, 2, 3, 3]);
});

test('crop mode: exact pixels, PIL-style black padding, values x/127.5 - 1', async () => {
  const img = makeImage(300, 200, 3, pattern);
  const t = await transformImage(img, opt('crop', { noFlip: true }), { x: 10, y: 0, flip: true }, 3);
  const [, h, w] = t.shape;
  const at = (c: number, y: number, x: number) => t.data[c * h * w + y * w + x];
  // (Messages on every assert.ok: without one, node:assert re-reads the source to word the failure, which takes over a minute here.)
  assert.ok(Math.abs(at(1, 5, 7) - (pattern(17, 5, 1) / 127.5 - 1)) < 1e-6, `pixel (7, 5) of the crop at x = 10 is ${at(1, 5, 7)}, expected the source's (17, 5)`);
  assert.equal(at(0, 255, 0), -1, 'rows below the image are black');
  for (const v of t.data) assert.ok(v >= -1 && v <= 1, `value ${v} outside [-1, 1]`);
});

test('flip mirrors left to right; noFlip ignores the drawn flip', async () => {
  const img = makeImage(5, 2, 1, pattern);
  const f = flipHorizontal(img);
  assert.equal(f.data[0], img.data[4]);
  assert.equal(f.data[5 + 1], img.data[5 + 3]);
  const o = opt('none');
  const flipped = await transformImage(makeImage(8, 4, 3, pattern), o, { x: 0, y: 0, flip: true }, 3);
  const plain = await transformImage(makeImage(8, 4, 3, pattern), { ...o, noFlip: true }, { x: 0, y: 0, flip: true }, 3);
  assert.equal(flipped.data[0], plain.data[7]);
  assert.notDeepEqual(flipped.data, plain.data);
});

test('grayscale uses PIL L weights; 4 channels keep or add alpha', async () => {
  const rgb = makeImage(4, 4, 3, (_x, _y, c) => [200, 100, 50][c]);
  const grey = toChannels(rgb, 1);
  assert.equal(grey.data[0], (200 * 19595 + 100 * 38470 + 50 * 7471 + 0x8000) >> 16);
  const t1 = await transformImage(rgb, opt('none'), { x: 0, y: 0, flip: false }, 1);
  assert.deepEqual(t1.shape, [1, 4, 4]);
  const t4 = await transformImage(rgb, opt('none'), { x: 0, y: 0, flip: false }, 4);
  assert.deepEqual(t4.shape, [4, 4, 4]);
  assert.equal(t4.data[3 * 16], 1, 'opaque alpha');
  const r1 = await transformImage(makeImage(40, 30, 3, pattern), opt('resize_and_crop', { loadSize: 36, cropSize: 32 }), { x: 1, y: 2, flip: false }, 1);
  assert.deepEqual(r1.shape, [1, 32, 32], 'grey survives bicubic resizing');
  assert.equal(toChannels(makeImage(1, 1, 4, (_x, _y, c) => [1, 2, 3, 4][c]), 3).data.join(), '1,2,3');
});

test('cropPadded keeps in-bounds crops exact and pads the rest with zeros', () => {
  const img = makeImage(10, 4, 1, pattern);
  const c = cropPadded(img, 2, 1, 6);
  assert.equal(c.width, 6);
  assert.equal(c.data[0], img.data[1 * 10 + 2]);
  assert.equal(c.data[3 * 6], 0, 'row 3 of the crop is row 4 of the image: outside');
});

test('resize_and_crop is seeded: same seed, same tensor', async () => {
  const img = makeImage(64, 48, 3, pattern);
  const o = opt('resize_and_crop', { loadSize: 40, cropSize: 32 });
  const run = async (seed: number) => {
    const rng = new Rng(seed);
    return transformImage(img, o, getParams(o, img, rng), 3);
  };
  assert.deepEqual((await run(3)).data, (await run(3)).data);
});
