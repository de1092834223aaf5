import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeImage } from '../../src/data/image.js';
import { createMask, maskArea, maskBoundingBox, maskToImage } from '../../src/mosaic/mask.js';
import { readMask } from '../../src/mosaic/mask-file.js';
import { fillEllipse, fillPolygon, fillRect, parseBox, parseEllipse, parsePolygon } from '../../src/mosaic/shapes.js';
import { regionMask } from '../../src/mosaic/region-spec.js';
import { connectedComponents } from '../../src/mosaic/components.js';

test('rectangles are clipped to the image', () => {
  const m = fillRect(createMask(10, 10), { x: 8, y: -2, w: 5, h: 4 });
  assert.equal(maskArea(m), 2 * 2);
  assert.deepEqual(maskBoundingBox(m), { x: 8, y: 0, w: 2, h: 2 });
});

test('polygons use pixel centres and the even-odd rule', () => {
  const square = fillPolygon(createMask(10, 10), [[2, 2], [6, 2], [6, 6], [2, 6]]);
  assert.equal(maskArea(square), 16);
  assert.deepEqual(maskBoundingBox(square), { x: 2, y: 2, w: 4, h: 4 });
  // A pentagram: the centre pentagon is crossed twice, so even-odd leaves it empty.
  const star: [number, number][] = [0, 1, 2, 3, 4].map((i) => {
    const t = -Math.PI / 2 + (i * 4 * Math.PI) / 5;
    return [50 + 40 * Math.cos(t), 50 + 40 * Math.sin(t)];
  });
  const m = fillPolygon(createMask(100, 100), star);
  assert.equal(m.data[50 * 100 + 50], 0);
  assert.equal(m.data[15 * 100 + 50], 1); // inside the top point
});

test('ellipses', () => {
  const m = fillEllipse(createMask(40, 40), 20, 20, 10, 5);
  assert.ok(Math.abs(maskArea(m) - Math.PI * 50) < 10);
  assert.deepEqual(maskBoundingBox(m), { x: 10, y: 15, w: 20, h: 10 });
});

test('parsers reject malformed geometry', () => {
  assert.deepEqual(parseBox('1,2,3,4'), { x: 1, y: 2, w: 3, h: 4 });
  assert.throws(() => parseBox('1,2,3'), /bad box "1,2,3"/);
  assert.throws(() => parseBox('1,2,0,4'), /bad box/);
  assert.deepEqual(parsePolygon(' 0,0 4,0  4,4 '), [[0, 0], [4, 0], [4, 4]]);
  assert.throws(() => parsePolygon('0,0 4,0'), /at least 3 points/);
  assert.throws(() => parsePolygon('0,0 4;0 1,1'), /point "4;0"/);
  assert.deepEqual(parseEllipse('5,5,2,3'), [5, 5, 2, 3]);
  assert.throws(() => parseEllipse('5,5,-2,3'), /bad ellipse/);
});

test('mask images: >127 is inside; wrong size names the file and both sizes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'img2img-mask-'));
  try {
    const m = fillRect(createMask(12, 9), { x: 2, y: 3, w: 4, h: 2 });
    const img = maskToImage(m);
    img.data[0] = 128; // just above the threshold
    img.data[1] = 127; // just below
    const path = join(dir, 'm.png');
    await writeImage(path, img);
    const back = await readMask(path, 12, 9);
    assert.equal(maskArea(back), 9);
    assert.equal(back.data[1], 0);
    await assert.rejects(readMask(path, 20, 10), (err: Error) => err.message === `mask ${path} is 12x9 but the image is 20x10`);
    // Region options combine by union.
    const u = await regionMask({ boxes: ['0,8,12,1'], maskFile: path }, 12, 9);
    assert.equal(maskArea(u), 9 + 12);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('connected components are 8-connected with bounding boxes', () => {
  const m = createMask(10, 10);
  fillRect(m, { x: 0, y: 0, w: 2, h: 2 });
  m.data[2 * 10 + 2] = 1; // touches the square diagonally
  fillRect(m, { x: 6, y: 6, w: 3, h: 2 });
  const comps = connectedComponents(m);
  assert.deepEqual(comps.map((c) => [c.area, c.box]), [[5, { x: 0, y: 0, w: 3, h: 3 }], [6, { x: 6, y: 6, w: 3, h: 2 }]]);
});
