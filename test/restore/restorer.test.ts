// The learned restorer: its in-graph projection, that an untrained model is exactly the
// classical method, tiling, and exact, refusable, resumable training.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as g from '../../src/graph/index.js';
import { writeImage, type Image } from '../../src/data/image.js';
import { pixelate } from '../../src/mosaic/pixelate.js';
import { rectMask } from '../../src/mosaic/shapes.js';
import { syntheticImage } from '../../src/mosaic/synthetic.js';
import { CompiledGraph } from '../../src/runtime/session.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { psnr } from '../../src/restore/metrics.js';
import { loadRestorer, saveRestorer } from '../../src/restore/net/checkpoint.js';
import { MosaicRestorer, projectResidual, RestorerConfigSchema } from '../../src/restore/net/restorer.js';
import { RestorerRunner, tileStarts, TILE_OVERLAP } from '../../src/restore/net/runner.js';
import { trainRestorer, LOG_FILE, type RestorerProgress } from '../../src/restore/net/train.js';
import { regionsFromBoxes } from '../../src/restore/regions.js';
import { restoreRegions } from '../../src/restore/restore-image.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/tiny-datasets.js';

const root = tempDir('restorer');
const tiny = () => new MosaicRestorer(RestorerConfigSchema.parse({ arch: 'mosaic-restorer', features: 8, blocks: 1 })).initialize(new Rng(1));

test('projection: the residual loses its mean over each block\'s mosaic pixels (average), and only there', async () => {
  const [n, h, w, gRows] = [2, 8, 12, 4];
  const r = g.input('r', [n, 3, h, w]);
  const p = { rows: g.input('rows', [n, 1, gRows, h]), cols: g.input('cols', [n, 1, gRows, w]), mask: g.input('mask', [n, 1, h, w]), consistent: g.input('consistent', [n, 1, 1, 1]) };
  const graph = await CompiledGraph.compile({ out: projectResidual(r, p) }, { threads: 1 });
  const rng = new Rng(5);
  const rv = Float32Array.from({ length: n * 3 * h * w }, () => rng.normal());
  // Blocks of 4x4 (rows/cols 0..1 and 0..2), mask on the left 9 columns.
  const rows = new Float32Array(n * gRows * h), cols = new Float32Array(n * gRows * w), mask = new Float32Array(n * h * w);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) rows[(b * gRows + Math.floor(y / 4)) * h + y] = 1;
    for (let x = 0; x < w; x++) cols[(b * gRows + Math.floor(x / 4)) * w + x] = 1;
    for (let y = 0; y < h; y++) for (let x = 0; x < 9; x++) mask[(b * h + y) * w + x] = 1;
  }
  const out = (await graph.run({ r: rv, rows, cols, mask, consistent: Float32Array.of(1, 0) })).out;
  for (let c = 0; c < 3; c++) {
    for (let by = 0; by < 2; by++) {
      for (let bx = 0; bx < 3; bx++) {
        let s = 0, k = 0;
        for (let y = by * 4; y < by * 4 + 4; y++) for (let x = bx * 4; x < Math.min(9, bx * 4 + 4); x++) { s += out[((0 * 3 + c) * h + y) * w + x]; k++; }
        if (k) assert.ok(Math.abs(s / k) < 1e-5, `sample 0 block ${bx},${by}: mean ${s / k}`);
      }
    }
  }
  // Outside the mask, and everywhere in the non-consistent sample, the residual is untouched.
  for (let i = 0; i < out.length; i++) {
    const b = Math.floor(i / (3 * h * w)), x = i % w;
    if (b === 1 || x >= 9) assert.equal(out[i], rv[i]);
  }
  await graph.release();
});

function mosaicScene(): { clean: Image; mos: Image; box: { x: number; y: number; w: number; h: number } } {
  const clean = syntheticImage(120, 90, 3);
  const box = { x: 20, y: 14, w: 70, h: 52 };
  return { clean, box, mos: pixelate(clean, rectMask(120, 90, box), { blockSize: 6, style: 'average', grid: 'image' }) };
}

test('an untrained restorer (tail at zero) returns exactly the classical restoration', async () => {
  const { mos, box } = mosaicScene();
  const runner = new RestorerRunner(tiny(), { threads: 1 });
  const regions = regionsFromBoxes([box], mos.width, mos.height);
  const a = await restoreRegions(mos, regions, { runner: null });
  const b = await restoreRegions(mos, regions, { runner });
  assert.deepEqual(b.image.data, a.image.data);
  await runner.release();
});

test('classical restoration beats the mosaic inside the region; pixels beyond the feather band are identical', async () => {
  const { clean, mos, box } = mosaicScene();
  const regions = regionsFromBoxes([box], mos.width, mos.height);
  const { image, reports } = await restoreRegions(mos, regions, { runner: null, feather: 4 });
  assert.deepEqual(reports[0].grid && { bw: reports[0].grid.bw, bh: reports[0].grid.bh }, { bw: 6, bh: 6 });
  const mask = rectMask(120, 90, box);
  assert.ok(psnr(image, clean, mask) > psnr(mos, clean, mask) + 1);
  for (let y = 0; y < mos.height; y++) {
    for (let x = 0; x < mos.width; x++) {
      const far = x < box.x - 4 || x >= box.x + box.w + 4 || y < box.y - 4 || y >= box.y + box.h + 4;
      if (far) for (let c = 0; c < 3; c++) assert.equal(image.data[(y * mos.width + x) * 3 + c], mos.data[(y * mos.width + x) * 3 + c], `pixel ${x},${y}`);
    }
  }
});

test('tiles cover the area with the stated overlap and end at its edge', () => {
  assert.deepEqual(tileStarts(100, 512), [0]);
  for (const n of [513, 1000, 1537]) {
    const s = tileStarts(n, 512);
    assert.equal(s[0], 0);
    assert.equal(s[s.length - 1] + 512, n);
    for (let i = 1; i < s.length; i++) assert.ok(s[i] - s[i - 1] <= 512 - TILE_OVERLAP && s[i] > s[i - 1]);
  }
});

test('a tiled area matches one window away from tile seams (the model sees the same context)', async () => {
  const net = tiny();
  // Make the model do something: a non-zero tail.
  net.tail.weight.data.forEach((_, i, a) => (a[i] = Math.sin(i) * 0.05));
  const clean = syntheticImage(560, 40, 9);
  const box = { x: 4, y: 4, w: 552, h: 32 };
  const mos = pixelate(clean, rectMask(560, 40, box), { blockSize: 4, style: 'average', grid: 'image' });
  const runner = new RestorerRunner(net, { threads: 1 });
  const { image } = await restoreRegions(mos, regionsFromBoxes([box], 560, 40), { runner, consistency: false });
  assert.ok(psnr(image, clean, rectMask(560, 40, box)) > 10);
  await runner.release();
});

test('restorer files: save/load round trip; a file that is not a restorer is refused by name', async () => {
  const net = tiny();
  const path = join(root, 'r.safetensors');
  await saveRestorer(path, net, { step: 7 });
  const back = await loadRestorer(path);
  assert.equal(back.meta.step, 7);
  assert.deepEqual(back.net.tail.weight.data, net.tail.weight.data);
  const other = join(root, 'other.safetensors');
  await writeSafetensors(other, new Map(), { format: 'img2img-network', kind: 'generator' });
  await assert.rejects(loadRestorer(other), /other\.safetensors is not an img2img restoration model \(a generator checkpoint/);
  await assert.rejects(loadRestorer(join(root, 'missing.safetensors')), /missing\.safetensors does not exist/);
});

test('training: a resumed run continues the saved step (only the remaining steps run) and ends where an uninterrupted run ends', async () => {
  const photos = join(root, 'photos');
  await mkdir(photos, { recursive: true });
  for (let i = 0; i < 2; i++) await writeImage(join(photos, `p${i}.png`), syntheticImage(170, 160, 20 + i));
  const base = { photos, batchSize: 2, size: 32, features: 8, blocks: 1, steps: 6, saveEvery: 3, warmup: 2, runtime: { threads: 1 }, seed: 4 };
  const straight = await trainRestorer({ ...base, output: join(root, 'straight') });
  // Interrupted after 3 steps (a checkpoint is saved at 3), then resumed.
  await trainRestorer({ ...base, stopAfter: 3, output: join(root, 'split') });
  assert.ok(!existsSync(join(root, 'split', 'model.safetensors')), 'an interrupted run writes no final model');
  const seen: RestorerProgress[] = [];
  const resumed = await trainRestorer({ ...base, output: join(root, 'split'), resume: true, onProgress: (p) => seen.push(p) });
  assert.deepEqual(seen.map((p) => p.step), [6], 'the resumed run reports only step 6 (steps 4-6 ran)');
  const a = await loadRestorer(straight.model), b = await loadRestorer(resumed.model);
  assert.equal(b.meta.step, 6);
  for (const [k, t] of a.net.stateDict()) assert.deepEqual(b.net.stateDict().get(k)!.data, t.data, `weight ${k}`);
  // A fresh run with another seed ends elsewhere, so the comparison above can fail.
  const other = await loadRestorer((await trainRestorer({ ...base, seed: 5, output: join(root, 'other-seed') })).model);
  assert.notDeepEqual(other.net.stateDict().get('head.weight')!.data, a.net.stateDict().get('head.weight')!.data);
  const log = readFileSync(join(root, 'split', LOG_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
  assert.deepEqual(log, [3, 6]);
  // An existing run is never overwritten by a fresh start; resuming needs a checkpoint.
  await assert.rejects(trainRestorer({ ...base, output: join(root, 'straight') }), /already holds a training run .*resume/);
  await assert.rejects(trainRestorer({ ...base, output: join(root, 'nothing'), resume: true }), /cannot resume: .*latest\.safetensors does not exist/);
  assert.ok(!existsSync(join(root, 'nothing', 'latest.safetensors')));
});

test('adversarial fine-tune: needs a trained restorer; resumes exactly, discriminator and its moments included', async () => {
  const photos = join(root, 'photos');
  const init = join(root, 'init.safetensors');
  await saveRestorer(init, tiny(), { step: 0 });
  const base = { photos, batchSize: 2, size: 32, steps: 4, saveEvery: 2, warmup: 1, runtime: { threads: 1 }, seed: 2, adversarial: { weight: 0.05, featureMatching: 0.1, ndf: 4 } };
  await assert.rejects(trainRestorer({ ...base, output: join(root, 'gan-noinit') }), /adversarial training fine-tunes a trained restorer/);
  const losses: Record<string, number>[] = [];
  const straight = await trainRestorer({ ...base, init, output: join(root, 'gan-straight'), onProgress: (p) => losses.push(p.losses) });
  assert.ok(['gan', 'fm', 'd'].every((k) => Number.isFinite(losses[0][k])), JSON.stringify(losses[0]));
  await trainRestorer({ ...base, init, stopAfter: 2, output: join(root, 'gan-split') });
  const resumed = await trainRestorer({ ...base, init, output: join(root, 'gan-split'), resume: true });
  const a = await loadRestorer(straight.checkpoint), b = await loadRestorer(resumed.checkpoint);
  for (const [k, t] of a.net.stateDict()) assert.deepEqual(b.net.stateDict().get(k)!.data, t.data, `weight ${k}`);
  assert.ok(a.discriminator && b.discriminator);
  for (const [k, t] of a.discriminator) assert.deepEqual(b.discriminator.get(k)!.data, t.data, `discriminator ${k}`);
  // The fine-tune moved the restorer away from its start.
  assert.notDeepEqual(a.net.stateDict().get('tail.weight')!.data, (await loadRestorer(init)).net.stateDict().get('tail.weight')!.data);
});

test('self-ensemble maps each transform back: the grid phase and the image come back where they were', async () => {
  const { selfEnsemble, ensembleTransforms } = await import('../../src/restore/net/ensemble.js');
  const w = 37, h = 23, plane = w * h;
  const classical = { width: w, height: h, channels: 3, data: Float32Array.from({ length: 3 * plane }, (_, i) => (i * 7) % 255) };
  const area = { mosaicked: new Uint8Array(plane * 3), classical, mosaic: new Uint8Array(plane).fill(1), grid: { bw: 5, bh: 4, ox: 3, oy: 1 }, style: 'average' as const };
  // A fake restorer: channel 0 = a symmetric function of the distances (px) to the nearest block boundaries along x and y,
  // from the grid it is given (so a wrong phase after a mirror, or unswapped sizes after a transpose, changes it); others the input.
  const fake = {
    async restoreArea(a: typeof area) {
      const out = Float32Array.from(a.classical.data);
      const { width: aw, height: ah } = a.classical;
      for (let y = 0; y < ah; y++) {
        for (let x = 0; x < aw; x++) {
          const px = (((x - a.grid.ox) % a.grid.bw) + a.grid.bw) % a.grid.bw, py = (((y - a.grid.oy) % a.grid.bh) + a.grid.bh) % a.grid.bh;
          const dx = Math.min(px, a.grid.bw - 1 - px), dy = Math.min(py, a.grid.bh - 1 - py);
          out[y * aw + x] = dx + dy + 10 * dx * dy;
        }
      }
      return { ...a.classical, data: out };
    },
  };
  const r = await selfEnsemble(fake).restoreArea(area);
  const direct = await fake.restoreArea(area);
  for (let i = 0; i < 3 * plane; i++) assert.ok(Math.abs(r.data[i] - direct.data[i]) < 1e-3, `value ${i}: ${r.data[i]} vs ${direct.data[i]}`);
  assert.equal(ensembleTransforms('average').length, 8);
  assert.equal(ensembleTransforms('center').length, 2);
});
