// `classifier train` on a generated two-class set (textured backgrounds with / without a bright
// disc or square): held-out accuracy, exported ONNX model, and CAM localization of the object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainClassifier } from '../../src/classifier/train.js';
import { loadClassifier } from '../../src/cam/classifier.js';
import { heatmapPeak } from '../../src/cam/heatmap.js';
import { autoMosaicFiles } from '../../src/mosaic/auto.js';
import { decodeOnnx, valueInfoShape } from '../../src/graph/onnx/import-proto.js';
import { readImage, writeImage } from '../../src/data/image.js';
import { maskBoundingBox, maskFromImage } from '../../src/mosaic/mask.js';
import { writeObjectDataset } from './synthetic-objects.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'img2img-clf-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('trained GAP classifier: high held-out accuracy, exported model agrees, CAM peak on the object', { timeout: 180_000 }, () => withDir(async (dir) => {
  const boxes = await writeObjectDataset(join(dir, 'data'), 70, 64, 1);
  const output = join(dir, 'model', 'objects.onnx');
  const lines: string[] = [];
  const t0 = performance.now();
  const r = await trainClassifier({
    dataroot: join(dir, 'data'), output, size: 48, epochs: 15, batchSize: 16, lr: 3e-3, valFraction: 0.25, seed: 0, widths: [16, 32, 32],
    log: (l) => lines.push(l),
  });
  const seconds = (performance.now() - t0) / 1000;
  assert.deepEqual(r.classes, ['background', 'object']);
  assert.equal(r.history.length, 15);
  assert.equal(lines.length, 17); // header, one line per epoch, summary
  assert.match(lines[1], /^epoch {2}1\/15 {2}loss \d\.\d{4} {2}train acc \d\.\d{3} {2}held-out acc \d\.\d{3} {2}\d+\.\ds$/);
  assert.equal(r.validation.length, 36);
  console.log(`held-out accuracy ${r.valAccuracy!.toFixed(3)} (train ${r.trainAccuracy.toFixed(3)}), trained in ${seconds.toFixed(1)}s`);
  assert.ok(r.valAccuracy! >= 0.9, `held-out accuracy ${r.valAccuracy}`);

  // The exported model: input 'image' [1,3,48,48], output 'logits'; sidecar with class names.
  const m = decodeOnnx(await readFile(output));
  assert.equal(m.graph!.input!.length, 1);
  assert.equal(m.graph!.input![0].name, 'image');
  assert.deepEqual(valueInfoShape(m.graph!.input![0]), [1, 3, 48, 48]);
  assert.equal(m.graph!.output![0].name, 'logits');
  const sidecar = JSON.parse(await readFile(r.sidecar, 'utf8'));
  assert.equal(r.sidecar, join(dir, 'model', 'objects.json'));
  assert.deepEqual([sidecar.classes, sidecar.inputSize, sidecar.normalize], [['background', 'object'], 48, 'default']);
  assert.deepEqual((await readdir(join(dir, 'model'))).sort(), ['objects.json', 'objects.onnx']);

  // CAM of 'object' on the held-out positives: the peak should lie inside the drawn object's box.
  const clf = await loadClassifier(output);
  try {
    let inside = 0, positives = 0, agree = 0;
    for (const v of r.validation) {
      const img = await readImage(v.path);
      const top = await clf.explain(img);
      if (top.classIndex === v.predicted) agree++;
      if (v.label !== 1) continue;
      positives++;
      const e = v.predicted === 1 ? top : await clf.explain(img, { classIndex: 1 });
      const p = heatmapPeak(e.heatmap, e.width);
      const b = boxes.get(v.path)!;
      if (p.x >= b.x && p.x < b.x + b.w && p.y >= b.y && p.y < b.y + b.h) inside++;
    }
    // The exported ONNX model predicts what the engine's eval graph predicted.
    assert.ok(agree >= r.validation.length - 1, `exported model agrees on ${agree}/${r.validation.length}`);
    const rate = inside / positives;
    console.log(`CAM peak inside the object box on ${inside}/${positives} held-out positives (${rate.toFixed(3)})`);
    assert.ok(rate >= 0.7, `CAM-in-box rate ${rate}`);

    // mosaic auto with the trained model covers the object.
    const pos = r.validation.filter((v) => v.label === 1 && v.predicted === 1).slice(0, 3).map((v) => v.path);
    const res = await autoMosaicFiles(pos, join(dir, 'auto'), { classifier: clf, classSpec: 'object', threshold: 0.5, dilate: 2 });
    let covered = 0;
    for (const [i, a] of res.entries()) {
      const mb = maskBoundingBox(maskFromImage(await readImage(a.maskOutput)))!;
      const b = boxes.get(pos[i])!;
      const cx = b.x + b.w / 2, cy = b.y + b.h / 2;
      if (mb && cx >= mb.x && cx < mb.x + mb.w && cy >= mb.y && cy < mb.y + mb.h) covered++;
    }
    assert.ok(covered >= 2, `object centre inside the auto mask on ${covered}/${res.length}`);
  } finally {
    await clf.release();
  }
}));

test('classifier train: bad datasets give errors naming the folder or file; nothing is written', () => withDir(async (dir) => {
  const output = join(dir, 'out', 'm.onnx');
  const data = join(dir, 'data');
  await assert.rejects(trainClassifier({ dataroot: join(dir, 'missing'), output }), /--dataroot .*missing: not a folder/);
  await mkdir(join(data, 'cats'), { recursive: true });
  await writeImage(join(data, 'cats', 'a.png'), { width: 8, height: 8, channels: 3, data: new Uint8Array(192) });
  await assert.rejects(trainClassifier({ dataroot: data, output }), /needs one sub-folder per class \(at least 2\), found 1 \(cats\)/);
  await mkdir(join(data, 'dogs'));
  await writeFile(join(data, 'dogs', 'readme.txt'), 'not an image');
  await assert.rejects(trainClassifier({ dataroot: data, output }), /class folder .*dogs has no images/);
  await writeFile(join(data, 'dogs', 'broken.png'), 'not an image either');
  await assert.rejects(trainClassifier({ dataroot: data, output }), /cannot read image .*dogs\/broken\.png/);
  await assert.rejects(trainClassifier({ dataroot: data, output: join(dir, 'm.pt') }), /classifier\.train: option 'output': expected a \.onnx file name, got ".*m\.pt"/);
  await assert.rejects(trainClassifier({ dataroot: data, output, valFraction: 1 }), /option 'valFraction': expected number to be <1, got 1/);
  assert.equal(existsSync(join(dir, 'out')), false);
}));
