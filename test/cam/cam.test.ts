// CAM and Grad-CAM on small classifiers built with the engine (exported with writeOnnx) or by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as g from '../../src/graph/index.js';
import { decodeOnnx } from '../../src/graph/onnx/import-proto.js';
import { loadClassifier } from '../../src/cam/classifier.js';
import { camFiles } from '../../src/cam/files.js';
import { normalizeHeatmap, reluMap, upsampleBilinear, heatmapPeak, jet } from '../../src/cam/heatmap.js';
import { readImage, writeImage, type Image } from '../../src/data/image.js';
import { Command } from 'commander';
import { registerCamCommand } from '../../src/cli/cam.js';
import { registerClassifierCommands } from '../../src/cli/classifier.js';
import { assertClose } from '../helpers/numeric.js';
import { buildModel, node, floatTensor, ai, af, aints, randomValues } from './onnx-build.js';

const S = 8; // input side
const K = 5; // feature channels
const C = 3; // classes

const W1 = randomValues(4 * 3 * 9, 11, 0.5), B1 = randomValues(4, 12, 0.1);
const W2 = randomValues(K * 4 * 9, 13, 0.5), B2 = randomValues(K, 14, 0.1);
const WF = randomValues(C * K, 15, 1), BF = randomValues(C, 16, 0.1);

/** conv3x3(3->4, pad 1) - ReLU - MaxPool 2 - conv3x3(4->K, pad 1) - ReLU [feature 4x4] - GAP - Linear(K->C). */
function engineNet(withGap = true): Record<string, g.Tensor> {
  const x = g.input('image', [1, 3, S, S]);
  let h = g.relu(g.conv2d(x, g.constant(W1, [4, 3, 3, 3]), g.constant(B1, [4]), { padding: 1 }));
  h = g.maxPool2d(h, { kernel: 2 });
  const f = g.relu(g.conv2d(h, g.constant(W2, [K, 4, 3, 3]), g.constant(B2, [K]), { padding: 1 }));
  if (withGap) return { logits: g.linear(g.flatten(g.globalAvgPool(f)), g.constant(WF, [C, K]), g.constant(BF, [C])) };
  return { logits: g.linear(g.flatten(f), g.constant(randomValues(C * K * 16, 17), [C, K * 16]), null) };
}

// --- JS reference ---------------------------------------------------------------------------

function conv(x: Float32Array, cin: number, h: number, w: number, wt: Float32Array, b: Float32Array, cout: number): Float32Array {
  const out = new Float32Array(cout * h * w);
  for (let o = 0; o < cout; o++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let s = b[o];
        for (let c = 0; c < cin; c++) {
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const yy = y + dy, xq = xx + dx;
              if (yy < 0 || yy >= h || xq < 0 || xq >= w) continue;
              s += x[(c * h + yy) * w + xq] * wt[((o * cin + c) * 3 + dy + 1) * 3 + dx + 1];
            }
          }
        }
        out[(o * h + y) * w + xx] = Math.max(0, s);
      }
    }
  }
  return out;
}

function maxPool2(x: Float32Array, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(c * (h / 2) * (w / 2));
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < h / 2; y++) {
      for (let xx = 0; xx < w / 2; xx++) {
        let m = -Infinity;
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) m = Math.max(m, x[(k * h + 2 * y + dy) * w + 2 * xx + dx]);
        out[(k * (h / 2) + y) * (w / 2) + xx] = m;
      }
    }
  }
  return out;
}

function reference(img: Image): { feature: Float32Array; logits: number[]; cam: (c: number) => Float32Array } {
  const x = new Float32Array(3 * S * S);
  for (let i = 0; i < S * S; i++) for (let c = 0; c < 3; c++) x[c * S * S + i] = img.data[i * 3 + c] / 127.5 - 1;
  const h = maxPool2(conv(x, 3, S, S, W1, B1, 4), 4, S, S);
  const f = conv(h, 4, S / 2, S / 2, W2, B2, K);
  const plane = (S / 2) * (S / 2);
  const pooled = Array.from({ length: K }, (_, k) => f.slice(k * plane, (k + 1) * plane).reduce((a, b) => a + b, 0) / plane);
  const logits = Array.from({ length: C }, (_, c) => BF[c] + pooled.reduce((s, p, k) => s + WF[c * K + k] * p, 0));
  const cam = (c: number) => {
    const m = new Float32Array(plane);
    for (let k = 0; k < K; k++) for (let i = 0; i < plane; i++) m[i] += WF[c * K + k] * f[k * plane + i];
    return m;
  };
  return { feature: f, logits, cam };
}

function testImage(seed: number, w = S, h = S): Image {
  const v = randomValues(w * h * 3, seed, 1);
  return { width: w, height: h, channels: 3, data: Uint8Array.from(v, (t) => Math.round((t + 1) * 127.5)) };
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'img2img-cam-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function writeEngineModel(dir: string, withGap = true): Promise<string> {
  const path = join(dir, withGap ? 'gap.onnx' : 'nogap.onnx');
  await writeFile(path, g.writeOnnx(engineNet(withGap)).bytes);
  return path;
}

// --- tests ------------------------------------------------------------------------------------

test('CAM equals sum_k W[c,k] F_k computed by hand, for every class', () => withDir(async (dir) => {
  const clf = await loadClassifier(await writeEngineModel(dir));
  try {
    assert.equal(clf.numClasses, C);
    assert.deepEqual([...clf.inputShape], [1, 3, S, S]);
    for (const seed of [1, 2]) {
      const img = testImage(seed);
      const ref = reference(img);
      for (let c = 0; c < C; c++) {
        const e = await clf.explain(img, { classIndex: c });
        assert.equal(e.rawWidth, S / 2);
        assert.equal(e.rawHeight, S / 2);
        assertClose(e.raw, ref.cam(c), 1e-4, `CAM class ${c}`);
        assertClose(e.logits, ref.logits, 1e-4, 'logits');
        assertClose(e.heatmap, normalizeHeatmap(upsampleBilinear(reluMap(ref.cam(c)), S / 2, S / 2, S, S)), 1e-4, 'heatmap');
      }
      // Without --class: the top class.
      const top = await clf.explain(img);
      assert.equal(top.classIndex, ref.logits.indexOf(Math.max(...ref.logits)));
    }
  } finally {
    await clf.release();
  }
}));

test('CAM with --feature-node / --fc-node given explicitly gives the same map', () => withDir(async (dir) => {
  const path = await writeEngineModel(dir);
  const m = decodeOnnx(g.writeOnnx(engineNet()).bytes);
  const gemm = m.graph!.node!.find((n) => n.op_type === 'Gemm')!;
  const gap = m.graph!.node!.find((n) => n.op_type === 'GlobalAveragePool')!;
  const featureProducer = m.graph!.node!.find((n) => n.output![0] === gap.input![0])!;
  const clf = await loadClassifier(path);
  try {
    const img = testImage(3);
    const auto = await clf.explain(img, { classIndex: 1 });
    const named = await clf.explain(img, { classIndex: 1, featureNode: featureProducer.name, fcNode: gemm.name });
    assert.deepEqual(named.raw, auto.raw);
    await assert.rejects(clf.explain(img, { fcNode: 'nope' }), /--fc-node nope: classifier .*gap\.onnx has no node or value of that name/);
  } finally {
    await clf.release();
  }
}));

test('Grad-CAM equals CAM up to a positive scale on a GAP + linear head', () => withDir(async (dir) => {
  const clf = await loadClassifier(await writeEngineModel(dir));
  try {
    for (const seed of [4, 5]) {
      const img = testImage(seed, 20, 14); // not the input size: resized first
      for (let c = 0; c < C; c++) {
        const cam = await clf.explain(img, { classIndex: c, method: 'cam' });
        const gc = await clf.explain(img, { classIndex: c, method: 'gradcam' });
        assert.equal(gc.featureValue, cam.featureValue);
        const r = correlation(cam.raw, gc.raw);
        assert.ok(r > 0.99, `class ${c}: correlation ${r}`);
        // d logit_c / d F_k = W[c,k] / (h w), so Grad-CAM = CAM / (h w) exactly.
        assertClose(gc.raw, Array.from(cam.raw, (v) => v / ((S / 2) * (S / 2))), 1e-4, 'Grad-CAM = CAM / hw');
        assertClose(gc.heatmap, cam.heatmap, 1e-4, 'normalized heatmaps');
        assertClose(gc.logits, cam.logits, 1e-4, 'logits');
      }
      const top = await clf.explain(img, { method: 'gradcam' });
      const camTop = await clf.explain(img, { method: 'cam' });
      assert.equal(top.classIndex, camTop.classIndex);
    }
  } finally {
    await clf.release();
  }
}));

test('cam CLI library: overlay PNG per input, folder and single-file outputs', () => withDir(async (dir) => {
  const model = await writeEngineModel(dir);
  const inDir = join(dir, 'in');
  await writeImage(join(inDir, 'a.png'), testImage(6, 24, 16));
  await writeImage(join(inDir, 'sub', 'b.jpg'), testImage(7, 16, 16));
  const results = await camFiles([inDir], join(dir, 'out'), { classifier: model, classSpec: 2 });
  assert.deepEqual(results.map((r) => r.output).sort(), [join(dir, 'out', 'a.png'), join(dir, 'out', 'sub', 'b.png')]);
  const ov = await readImage(join(dir, 'out', 'a.png'));
  assert.deepEqual([ov.width, ov.height, ov.channels], [24, 16, 3]);
  assert.ok(results.every((r) => r.classIndex === 2));
  const one = await camFiles([join(inDir, 'a.png')], join(dir, 'one.png'), { classifier: model, method: 'gradcam' });
  assert.equal(one[0].output, join(dir, 'one.png'));
  assert.ok(existsSync(join(dir, 'one.png')));
  // Overlay = 0.5 image + 0.5 jet(heat), checked at the heatmap peak.
  const e = one[0].explanation;
  const p = heatmapPeak(e.heatmap, e.width);
  const src = await readImage(join(inDir, 'a.png'));
  const out = await readImage(join(dir, 'one.png'));
  const i = (p.y * e.width + p.x) * 3;
  const j = jet(1);
  for (let k = 0; k < 3; k++) assert.ok(Math.abs(out.data[i + k] - (0.5 * src.data[i + k] + 0.5 * j[k])) <= 1);
}));

test('bad inputs: clear errors naming the input, no partial outputs', () => withDir(async (dir) => {
  const model = await writeEngineModel(dir);
  const img = join(dir, 'img.png');
  await writeImage(img, testImage(8));
  const out = join(dir, 'out');

  // A non-image file.
  const bad = join(dir, 'notes.png');
  await writeFile(bad, 'this is not a PNG');
  await assert.rejects(camFiles([bad], out, { classifier: model }), (e: Error) => e.message.includes(bad) && /cannot read image/.test(e.message));
  // In a batch, the good image is written, the bad one reported.
  const errors: string[] = [];
  await assert.rejects(camFiles([img, bad], out, { classifier: model, onError: (_i, e) => errors.push(e.message) }), /1 of 2 images failed: .*notes\.png/);
  assert.equal(errors.length, 1);
  assert.deepEqual((await readdir(out)).sort(), ['img.png']);
  await rm(out, { recursive: true });

  // Class out of range: the error names the classifier and the range; nothing is written.
  await assert.rejects(camFiles([img], out, { classifier: model, classSpec: 3 }), (e: Error) => e.message.includes(model) && e.message.includes('0..2') && /out of range/.test(e.message));
  await assert.rejects(camFiles([img], out, { classifier: model, classSpec: 'cat' }), /class "cat" is not a class of classifier .*0\.\.2/);
  assert.equal(existsSync(out), false);

  // No GAP head: says what CAM looked for.
  const nogap = await writeEngineModel(dir, false);
  await assert.rejects(camFiles([img], out, { classifier: nogap }), (e: Error) => {
    assert.ok(e.message.includes(nogap), e.message);
    assert.match(e.message, /no CAM head found: CAM needs a GlobalAveragePool \(or ReduceMean over H,W\)/);
    assert.match(e.message, /--method gradcam/);
    return true;
  });
  assert.equal(existsSync(out), false);
  // ... but Grad-CAM handles it.
  const res = await camFiles([img], join(dir, 'gc.png'), { classifier: nogap, method: 'gradcam', classSpec: 0 });
  assert.equal(res[0].explanation.rawWidth, S / 2);

  // A model file that is not ONNX.
  const junk = join(dir, 'junk.onnx');
  await writeFile(junk, 'no protobuf here');
  await assert.rejects(camFiles([img], out, { classifier: junk }), (e: Error) => e.message.includes(junk) && /not an ONNX model/.test(e.message));
  await assert.rejects(camFiles([img], out, { classifier: join(dir, 'missing.onnx') }), /cannot read classifier .*missing\.onnx/);
  assert.equal(existsSync(out), false);
}));

test('Grad-CAM on a model with an op the engine lacks names the op and node; CAM still works', () => withDir(async (dir) => {
  // Conv -> Erf -> Relu -> GlobalAveragePool -> Flatten -> Gemm: CAM needs no import, Grad-CAM does.
  const path = join(dir, 'erf.onnx');
  await writeFile(path, buildModel({
    input: { name: 'x', dims: ['N', 3, 8, 8] },
    outputs: [{ name: 'y', dims: ['N', 2] }],
    opset: 14,
    initializers: [floatTensor('w', [4, 3, 3, 3], randomValues(108, 21, 0.5)), floatTensor('fc', [2, 4], randomValues(8, 22)), floatTensor('fb', [2], [0, 0])],
    nodes: [
      node('Conv', ['x', 'w'], ['c'], [], 'conv1'),
      node('Erf', ['c'], ['e'], [], 'my_erf'),
      node('HardSwish', ['e'], ['r'], [], 'my_hswish'),
      node('GlobalAveragePool', ['r'], ['p'], [], 'gap'),
      node('Flatten', ['p'], ['f'], [ai('axis', 1)], 'flat'),
      node('Gemm', ['f', 'fc', 'fb'], ['y'], [ai('transB', 1)], 'fc'),
    ],
  }));
  const img = join(dir, 'img.png');
  await writeImage(img, testImage(9));
  const out = join(dir, 'out');
  await assert.rejects(camFiles([img], out, { classifier: path, method: 'gradcam' }), (e: Error) => {
    assert.ok(e.message.includes(path), e.message);
    assert.match(e.message, /unsupported ONNX ops Erf, HardSwish/);
    assert.match(e.message, /'my_erf' \[Erf\]/);
    assert.match(e.message, /'my_hswish' \[HardSwish\]/);
    return true;
  });
  assert.equal(existsSync(out), false);
  const cam = await camFiles([img], join(dir, 'cam.png'), { classifier: path, classSpec: 1 });
  assert.equal(cam[0].explanation.rawWidth, 6); // 8x8 conv without padding
  assert.equal(cam[0].explanation.featureValue, 'r');
}));

test('CLI: `cam` and `classifier train` parse their options', () => withDir(async (dir) => {
  const model = await writeEngineModel(dir);
  const img = join(dir, 'img.png');
  await writeImage(img, testImage(10, 12, 12));
  const program = new Command('img2img').exitOverride();
  let stderr = '';
  program.configureOutput({ writeErr: (s) => { stderr += s; }, writeOut: () => undefined });
  registerCamCommand(program);
  registerClassifierCommands(program);
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    await program.parseAsync(['cam', '--classifier', model, img, '-o', join(dir, 'o.png'), '--method', 'gradcam', '--class', '1', '--alpha', '0.7'], { from: 'user' });
  } finally {
    console.log = log;
  }
  assert.deepEqual(lines.map((l) => l.replace(/p=[\d.]+/, 'p=')), [`${join(dir, 'o.png')}  class 1  p=`]);
  await assert.rejects(program.parseAsync(['cam', '--classifier', model, img, '-o', dir, '--method', 'lime'], { from: 'user' }));
  assert.match(stderr, /bad method "lime": use cam or gradcam/);
  await assert.rejects(program.parseAsync(['classifier', 'train', '--dataroot', join(dir, 'nope'), '--output', join(dir, 'm.onnx')], { from: 'user' }), /--dataroot .*nope: not a folder/);
  await assert.rejects(program.parseAsync(['classifier', 'train', '--dataroot', dir, '--output', 'm.onnx', '--widths', '8,x'], { from: 'user' }));
  assert.match(stderr, /bad widths "8,x"/);
}));

test('head variants: ReduceMean + MatMul + Add + Softmax, and Gemm with transB=0 and alpha; symbolic input size', () => withDir(async (dir) => {
  const KK = 3, CC = 4;
  const w = randomValues(KK * 3 * 9, 31, 0.5);
  const fc = randomValues(KK * CC, 32); // [K, C] for MatMul / Gemm transB=0
  const feat = (name: string) => [
    node('Conv', ['x', 'w'], ['c'], [aints('pads', [1, 1, 1, 1])], 'conv'),
    node('Relu', ['c'], [name], [], 'relu'),
  ];
  const common = { input: { name: 'x', dims: ['N', 3, 'H', 'W'] }, opset: 13 };
  const mm = join(dir, 'matmul.onnx');
  await writeFile(mm, buildModel({
    ...common,
    outputs: [{ name: 'prob' }],
    initializers: [floatTensor('w', [KK, 3, 3, 3], w), floatTensor('fc', [KK, CC], fc), floatTensor('b', [CC], [0.1, 0.2, 0.3, 0.4])],
    nodes: [...feat('f'), node('ReduceMean', ['f'], ['m'], [aints('axes', [-2, -1]), ai('keepdims', 0)], 'mean'), node('MatMul', ['m', 'fc'], ['mmout'], [], 'mm'), node('Add', ['mmout', 'b'], ['logits'], [], 'bias'), node('Softmax', ['logits'], ['prob'], [ai('axis', 1)], 'sm')],
  }));
  const gm = join(dir, 'gemm.onnx');
  await writeFile(gm, buildModel({
    ...common,
    outputs: [{ name: 'y' }],
    initializers: [floatTensor('w', [KK, 3, 3, 3], w), floatTensor('fc', [KK, CC], fc)],
    nodes: [...feat('f'), node('GlobalAveragePool', ['f'], ['p'], [], 'gap'), node('Flatten', ['p'], ['fl'], [], 'flat'), node('Gemm', ['fl', 'fc'], ['y'], [af('alpha', 2)], 'gemm')],
  }));
  await assert.rejects(loadClassifier(mm), /input 'x' has a symbolic height; give --input-size/);
  const img = testImage(33, 10, 10);
  const maps: Float32Array[] = [];
  for (const [path, scale] of [[mm, 1], [gm, 2]] as const) {
    const clf = await loadClassifier(path, { inputSize: 6 });
    try {
      assert.equal(clf.numClasses, CC);
      const cam = await clf.explain(img, { classIndex: 2 });
      const gc = await clf.explain(img, { classIndex: 2, method: 'gradcam' });
      assert.equal(cam.featureValue, 'f');
      assert.ok(correlation(cam.raw, gc.raw) > 0.99);
      assertClose(gc.raw, Array.from(cam.raw, (v) => v / 36), 1e-4, `${path}: Grad-CAM = CAM / hw`);
      maps.push(cam.raw.map((v) => v / scale));
    } finally {
      await clf.release();
    }
  }
  assertClose(maps[1], maps[0], 1e-5, 'W read as [C, K] from MatMul [K, C] and from Gemm transB=0 (alpha 2)');
}));

test('Grad-CAM: the gradient stops at the feature map, and passes through a grouped conv after it', () => withDir(async (dir) => {
  const path = join(dir, 'grouped.onnx');
  await writeFile(path, buildModel({
    input: { name: 'x', dims: [1, 3, 8, 8] },
    outputs: [{ name: 'y' }],
    initializers: [floatTensor('w0', [4, 3, 1, 1], randomValues(12, 41)), floatTensor('w', [4, 2, 3, 3], randomValues(72, 42)), floatTensor('fc', [2, 4], randomValues(8, 43))],
    nodes: [
      node('Conv', ['x', 'w0'], ['f'], [], 'pointwise'),
      node('Conv', ['f', 'w'], ['c'], [ai('group', 2), aints('pads', [1, 1, 1, 1])], 'grouped'),
      node('GlobalAveragePool', ['c'], ['p'], [], 'gap'),
      node('Flatten', ['p'], ['fl'], [], 'flat'),
      node('Gemm', ['fl', 'fc'], ['y'], [ai('transB', 1)], 'fc'),
    ],
  }));
  const clf = await loadClassifier(path);
  try {
    const img = testImage(44);
    const cam = await clf.explain(img, { classIndex: 0 });
    const gc = await clf.explain(img, { classIndex: 0, method: 'gradcam' });
    assert.equal(gc.featureValue, 'c');
    assertClose(gc.raw, Array.from(cam.raw, (v) => v / 64), 1e-4, 'Grad-CAM = CAM / hw');
    // Feature map before the grouped conv: the gradient flows back through it (input gradient).
    const early = await clf.explain(img, { classIndex: 0, method: 'gradcam', featureNode: 'pointwise' });
    assert.equal(early.featureValue, 'f');
    assert.ok(early.raw.some((v) => v !== 0));
  } finally {
    await clf.release();
  }
}));
