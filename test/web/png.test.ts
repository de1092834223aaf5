// The page's PNG encoder: what sharp decodes from it is the image, for grey, RGB and RGBA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeImage } from '../../src/data/image.js';
import { encodePng } from '../../src/data/png.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';

test('encodePng round-trips through sharp for 1, 3 and 4 channels', async () => {
  const rgb = syntheticImage(37, 23, 2);
  const grey = { ...rgb, channels: 1 as const, data: rgb.data.filter((_, i) => i % 3 === 0) };
  const rgba = { ...rgb, channels: 4 as const, data: new Uint8Array(37 * 23 * 4).map((_, i) => (i % 4 === 3 ? (i * 7) % 256 : rgb.data[Math.floor(i / 4) * 3 + (i % 4)])) };
  for (const img of [grey, rgb, rgba]) {
    const back = await decodeImage(encodePng(img), `${img.channels}-channel png`);
    assert.deepEqual([back.width, back.height, back.channels], [img.width, img.height, img.channels]);
    assert.deepEqual(back.data, img.data);
  }
});
