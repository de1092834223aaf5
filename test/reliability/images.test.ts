// Issue 17, item 4: images and sizes that would allocate gigabytes. Decoding checks the pixel
// count from the header, sizes made on the way (load size, crop) are checked, translate and test
// refuse generator inputs over their limit, and the feather radius is bounded. Each limit has an
// option that raises it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { decodeImage } from '../../src/data/image.js';
import { AlignedDataset } from '../../src/data/aligned-dataset.js';
import { featherMask } from '../../src/mosaic/feather.js';
import { add as mosaicAdd } from '../../src/mosaic/job.js';
import { translate } from '../../src/inference/job.js';
import { buildGenerator } from '../../src/models/networks.js';
import { encodeNetwork } from '../../src/models/checkpoint.js';

/** A valid small PNG whose header claims width x height (the 261 KB PNG of the review claimed 16383 x 16383). */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } }).png().toBuffer();
  const ihdr = 8; // chunk length, 'IHDR', data (13 bytes), crc
  png.writeUInt32BE(width, ihdr + 8);
  png.writeUInt32BE(height, ihdr + 12);
  png.writeUInt32BE(crc32(png.subarray(ihdr + 4, ihdr + 8 + 13)), ihdr + 8 + 13);
  return png;
}

test('an image over maxImagePixels is refused from its header, before decoding; the option raises the limit', async () => {
  const claim = await pngClaiming(16383, 16383);
  const before = process.memoryUsage().rss;
  await assert.rejects(decodeImage(claim, 'huge.png'),
    /^Error: cannot read image huge\.png: 16383x16383 = 268402689 pixels is over the limit of 40000000 \(raise it with maxImagePixels \/ --max-image-pixels\)$/);
  assert.ok(process.memoryUsage().rss - before < 200e6);
  const small = await sharp({ create: { width: 100, height: 50, channels: 3, background: '#123456' } }).png().toBuffer();
  await assert.rejects(decodeImage(small, 's.png', { maxPixels: 4999 }), /100x50 = 5000 pixels is over the limit of 4999/);
  assert.equal((await decodeImage(small, 's.png', { maxPixels: 5000 })).width, 100);
});

test('a load size or crop size over the pixel limit is refused before anything is resized', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'img2img-load-'));
  try {
    mkdirSync(join(dir, 'train'));
    writeFileSync(join(dir, 'train', '0.png'), await sharp({ create: { width: 32, height: 16, channels: 3, background: '#000' } }).png().toBuffer());
    await assert.rejects(AlignedDataset.open({ root: dir, loadSize: 40000, cropSize: 256 }),
      /load size 40000: 40000x40000 = 1600000000 pixels is over the limit of 40000000 \(raise it with maxImagePixels/);
    await assert.rejects(AlignedDataset.open({ root: dir, preprocess: 'crop', loadSize: 10, cropSize: 9000 }), /crop size 9000: 9000x9000/);
    const ds = await AlignedDataset.open({ root: dir, loadSize: 300, cropSize: 256, maxImagePixels: 300 * 300 });
    assert.equal(ds.length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a feather radius of 1e9 is refused (it asked for a 16 GB kernel)', async () => {
  const mask = { width: 8, height: 8, data: new Uint8Array(64).fill(1) };
  assert.throws(() => featherMask(mask, 1e9), /feather radius 1000000000 is over the limit of 10000 px/);
  await assert.rejects(mosaicAdd({ inputs: ['x.png'], output: 'y.png', boxes: ['0,0,1,1'], feather: 1e9 }), /option 'feather': feather radius is at most 10000 px/);
  // a radius far beyond the image stays cheap: the loops stop at the image's edges
  const t0 = performance.now();
  const wide = featherMask({ width: 8, height: 8, data: Uint8Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 1 : 0)) }, 9000);
  assert.ok(wide.every((v) => v >= 0 && v <= 1));
  assert.ok(performance.now() - t0 < 500);
});

test('translate refuses to run an image whole above maxNetworkPixels (when maxPixels asks for whole runs) before running the generator', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'img2img-net-'));
  try {
    const config = { netG: 'unet_128', ngf: 4, inputNc: 3, outputNc: 3, norm: 'batch', useDropout: false, initType: 'normal', initGain: 0.02 } as const;
    const ckpt = join(dir, 'latest_net_G.safetensors');
    writeFileSync(ckpt, encodeNetwork(buildGenerator(config), { format: 'img2img-network', role: 'G', kind: 'generator', config, model: 'pix2pix', epoch: 1, step: 0 }));
    const img = join(dir, 'big.png');
    writeFileSync(img, await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#345678' } }).png().toBuffer());
    // By default an image this size runs in tiles (bounded memory); asked to run it whole, the limit applies.
    await assert.rejects(translate({ inputs: [img], output: join(dir, 'out.png'), checkpoint: ckpt, maxPixels: 10_000_000 }),
      /cannot translate .*big\.png: 3000x2000 = 6000000 pixels is over the limit of 4194304 \(raise it with maxNetworkPixels \/ --max-network-pixels\)/);
    await assert.rejects(translate({ inputs: [img], output: join(dir, 'out.png'), checkpoint: ckpt, maxImagePixels: 1_000_000 }), /big\.png: 3000x2000 = 6000000 pixels is over the limit of 1000000 \(raise it with maxImagePixels/);
    await assert.rejects(translate({ inputs: [img], output: join(dir, 'out.png'), checkpoint: ckpt, maxModelBytes: 1000 }), /latest_net_G\.safetensors: the file has \d+ bytes, over the model size limit of 1000 \(raise it with maxModelBytes \/ --max-model-bytes\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
