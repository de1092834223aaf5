// restore apply, translate and mosaic auto on videos; tracking regions over time; temporal
// smoothing and the flicker meter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as g from '../../src/graph/index.js';
import type { Image } from '../../src/data/image.js';
import { translate } from '../../src/inference/job.js';
import { saveNetwork } from '../../src/models/checkpoint.js';
import { defineG, parseGeneratorConfig } from '../../src/models/networks.js';
import { add, auto } from '../../src/mosaic/job.js';
import { apply } from '../../src/restore/job.js';
import { saveRestorer } from '../../src/restore/net/checkpoint.js';
import { MosaicRestorer, RestorerConfigSchema } from '../../src/restore/net/restorer.js';
import type { AreaInputs } from '../../src/restore/net/tiles.js';
import { Rng } from '../../src/util/rng.js';
import { linkTracks, interpolateKeyframes } from '../../src/video/regions.js';
import { FlickerMeter, TemporalRestorer } from '../../src/video/temporal.js';
import { tempDir } from '../helpers/tiny-datasets.js';
import { changedOutside, decodeFrames, ffmpeg, makeClip, streams } from './clips.js';

const dir = tempDir('video-restore');
const runtime = { threads: 1 };
const clean = join(dir, 'clean.mkv');
makeClip(clean, { audio: true, frames: 16, motion: 'pan' });
const mosaicked = join(dir, 'mosaic.mkv');
await add({ inputs: [clean], output: mosaicked, boxes: ['24,16,40,32'], blockSize: 8, lossless: true });
const near = (b: number[], d: number) => (x: number, y: number) => x >= b[0] - d && y >= b[1] - d && x < b[0] + b[2] + d && y < b[1] + b[3] + d;

test('restore apply on a clip: the box restored on every frame, nothing else touched, audio kept', async () => {
  const out = join(dir, 'restored.mkv');
  const [r] = await apply({ inputs: [mosaicked], output: out, boxes: ['24,16,40,32'], method: 'classical', lossless: true });
  assert.equal(r.video?.frames, 16);
  assert.equal(r.regions, 16);
  assert.equal(r.restored, 16);
  const m = decodeFrames(mosaicked), o = decodeFrames(out), c = decodeFrames(clean);
  assert.equal(changedOutside(m, o, near([24, 16, 40, 32], 8)), 0);
  for (let f = 0; f < 16; f++) assert.ok(changedOutside([m[f]], [o[f]], () => false) > 0, `frame ${f} restored`);
  // closer to the clean clip than the mosaic is
  const err = (a: Image[], b: Image[]) => a.reduce((s, x, f) => s + x.data.reduce((t, v, i) => t + Math.abs(v - b[f].data[i]), 0), 0);
  assert.ok(err(o, c) < err(m, c));
  assert.equal(streams(out).find((s) => s.type === 'audio')?.codec, 'aac');
});

test('restore apply with a restorer model (temporal smoothing on) and --auto tracking', async () => {
  const model = join(dir, 'tiny.safetensors');
  const tiny = new MosaicRestorer(RestorerConfigSchema.parse({ arch: 'mosaic-restorer', features: 8, blocks: 1 })).initialize(new Rng(3));
  tiny.tail.weight.data.forEach((_, i, a) => (a[i] = Math.sin(i) * 0.05));
  await saveRestorer(model, tiny, { step: 0 });
  const out = join(dir, 'auto.mp4');
  const [r] = await apply({ inputs: [mosaicked], output: out, auto: true, checkpoint: model, runtime, lossless: true });
  assert.equal(r.video?.frames, 16);
  assert.equal(r.regions, 16, 'one steady track, on every frame');
  assert.equal(r.restored, 16);
  const m = decodeFrames(mosaicked), o = decodeFrames(out);
  assert.equal(changedOutside(m, o, near([24, 16, 40, 32], 12)), 0);
});

test('tracks: detections linked by overlap, gaps filled, blips dropped, windows steady', () => {
  const det = Array.from({ length: 12 }, (_, i) => (i === 5 || i === 6 ? [] : [{ x: 10 + (i % 2), y: 10, w: 20, h: 20 }]));
  det[3] = [...det[3], { x: 70, y: 5, w: 5, h: 5 }]; // a one-frame blip
  const [t, ...rest] = linkTracks(det, 100, 60, { smooth: 2 });
  assert.equal(rest.length, 0);
  assert.equal(t.first, 0);
  assert.equal(t.boxes.length, 12, 'the gap at frames 5-6 is filled');
  for (const b of t.boxes.slice(2, 10)) assert.deepEqual(b, { x: 10, y: 10, w: 21, h: 20 }, 'the 1-px jitter is absorbed');
  const keyed = interpolateKeyframes({ regions: [{ keyframes: [{ frame: 0, box: [0, 0, 10, 10] }, { time: 0.4, box: [10, 0, 10, 10] }] }] }, [0, 0.1, 0.2, 0.3, 0.4], 'clip');
  assert.deepEqual(keyed[0].boxes.map((b) => b.x), [0, 3, 5, 8, 10]);
});

test('temporal smoothing keeps invented detail still where the mosaic is still; flicker meter', async () => {
  let call = 0;
  // A restorer that invents different detail on every call (noise), over a constant classical estimate.
  const noisy = { restoreArea: async (a: AreaInputs) => ({ ...a.classical, data: a.classical.data.map((v, i) => v + 20 * Math.sin(i * 7.1 + call++)) }) };
  const w = 16, h = 16;
  const area = (): AreaInputs => ({
    mosaicked: new Uint8Array(w * h * 3).fill(100), classical: { width: w, height: h, channels: 3, data: new Float32Array(3 * w * h).fill(100) },
    mosaic: new Uint8Array(w * h).fill(1), grid: { bw: 4, bh: 4, ox: 0, oy: 0 }, style: 'average',
  });
  const flicker = async (strength: number) => {
    const t = new TemporalRestorer(noisy, { strength, threshold: 6 });
    const meter = new FlickerMeter();
    t.begin('track');
    for (let f = 0; f < 10; f++) {
      const r = await t.restoreArea(area());
      const img: Image = { width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3) };
      for (let p = 0; p < w * h; p++) for (let k = 0; k < 3; k++) img.data[p * 3 + k] = Math.round(r.data[k * w * h + p]);
      meter.add(img, new Uint8Array(w * h).fill(1));
    }
    return meter.value;
  };
  const off = await flicker(0), on = await flicker(0.8);
  assert.ok(off > 5, `unsmoothed flicker ${off}`);
  assert.ok(on < off / 3, `smoothed ${on} vs ${off}`);
});

test('translate on a clip with a tiny generator: every frame, same size, audio kept', async () => {
  const genPath = join(dir, 'latest_net_G.safetensors');
  const cfg = parseGeneratorConfig({ netG: 'unet_128', inputNc: 3, outputNc: 3, ngf: 4, norm: 'batch', useDropout: false });
  await saveNetwork(genPath, defineG(cfg), { format: 'img2img-network', model: 'pix2pix', epoch: 1, step: 0, role: 'G', kind: 'generator', config: cfg as unknown as Record<string, unknown> });
  const small = join(dir, 'small.mp4');
  makeClip(small, { frames: 6, width: 64, height: 48, audio: true, codec: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] });
  const out = join(dir, 'translated.mp4');
  const r = await translate({ inputs: [small], output: out, checkpoint: genPath, eval: true, runtime });
  assert.equal(r.videos?.[0].frames, 6);
  const frames = decodeFrames(out);
  assert.equal(frames.length, 6);
  assert.deepEqual([frames[0].width, frames[0].height], [64, 48]);
  assert.equal(streams(out).filter((s) => s.type === 'audio').length, 1);
});

test('mosaic auto on a clip: the CAM region tracked over time', async () => {
  // A bright square moving over a dark background; the "brightness" classifier's CAM finds it.
  const SIZE = 32;
  const onnx = join(dir, 'bright.onnx');
  const x = g.input('image', [1, 3, SIZE, SIZE]);
  const f = g.relu(g.conv2d(x, g.constant(new Float32Array(3).fill(1 / 3), [1, 3, 1, 1]), g.constant([-0.5]), {}));
  const logits = g.linear(g.flatten(g.globalAvgPool(f)), g.constant([-1, 1], [2, 1]), g.constant([0, 0]));
  await writeFile(onnx, g.writeOnnx({ logits }).bytes);
  await writeFile(onnx.replace(/\.onnx$/, '.json'), JSON.stringify({ classes: ['plain', 'bright'], inputSize: SIZE, normalize: 'default' }));
  const src = join(dir, 'square.mkv');
  ffmpeg(['-f', 'lavfi', '-i', 'color=c=0x202020:s=96x64:r=25', '-f', 'lavfi', '-i', 'color=c=white:s=24x24:r=25',
    '-filter_complex', "[0:v][1:v]overlay=x='8+2*n':y=16,format=rgb24", '-frames:v', '12', '-c:v', 'ffv1', src]);
  const out = join(dir, 'square-auto.mkv');
  const r = await auto({ inputs: [src], output: out, classifier: onnx, class: 'bright', blockSize: 6, lossless: true });
  assert.equal(r.length, 1);
  const a = decodeFrames(src), b = decodeFrames(out);
  assert.equal(b.length, 12);
  for (let i = 0; i < 12; i++) assert.ok(changedOutside([a[i]], [b[i]], () => false) > 0, `frame ${i} has mosaic`);
});
