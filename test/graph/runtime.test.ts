// Runtime behaviour users see: bad feeds and unavailable providers give errors that name what
// was wrong; preallocated output buffers receive the results; graphs can be saved as ONNX.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Step } from '../../src/runtime/step.js';
import { Linear } from '../../src/nn/index.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as g from '../../src/graph/index.js';
import { CompiledGraph, GraphDump } from '../../src/runtime/session.js';
import { checkProvider } from '../../src/runtime/providers.js';
import { ModelProto } from '../../src/graph/onnx/schema.js';
import { tempDir } from '../helpers/tiny-datasets.js';

test('a run writes into preallocated output buffers and checks feeds by name and size', async () => {
  const x = g.input('x', [2, 3]);
  const y = g.mul(x, 2);
  const graph = await CompiledGraph.compile({ y }, { threads: 1 });
  const out = new Float32Array(6);
  const r = await graph.run({ x: Float32Array.from([1, 2, 3, 4, 5, 6]) }, { y: out });
  assert.deepEqual(Array.from(out), [2, 4, 6, 8, 10, 12]);
  assert.equal(r.y, out);
  await assert.rejects(graph.run({}), /graph inputs not fed: x/);
  await assert.rejects(graph.run({ x: new Float32Array(5) }), /input 'x': got 5 values, expected shape \[2, 3\]/);
  await assert.rejects(graph.run({ x: new Float32Array(6) }, { y: new Float32Array(2) }), /output buffer 'y'.*\[2, 3\]/);
});

test('the native ORT binding writes outputs in place and agrees with onnxruntime-node (int64 inputs too)', async (t) => {
  const { nativeOrtUnavailable } = await import('../../src/runtime/ort-native.js');
  const why = nativeOrtUnavailable();
  if (why) {
    t.skip(`native ORT binding unavailable: ${why}`);
    return;
  }
  const x = g.input('x', [2, 3]);
  const w = g.input('w', [3, 4]);
  const outputs = { y: g.relu(g.matmul(x, w)), s: g.sum(x), z: g.conv2d(g.input('img', [1, 2, 5, 5]), g.input('k', [3, 2, 3, 3]), null, { padding: 1 }) };
  const feeds = {
    x: Float32Array.from([1, -2, 3, 4, 5, -6]), w: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)),
    img: Float32Array.from({ length: 50 }, (_, i) => Math.cos(i)), k: Float32Array.from({ length: 54 }, (_, i) => Math.sin(i * 0.3)),
  };
  const native = await CompiledGraph.compile(outputs, { threads: 1, binding: 'native' });
  const node = await CompiledGraph.compile(outputs, { threads: 1, binding: 'onnxruntime-node' });
  assert.equal(native.binding, 'native');
  assert.equal(node.binding, 'onnxruntime-node');
  const into = { y: new Float32Array(8) };
  const a = await native.run(feeds, into);
  const b = await node.run(feeds);
  assert.equal(a.y, into.y);
  for (const k of ['y', 's', 'z']) assert.deepEqual(Array.from(a[k]), Array.from(b[k]), k);
  await assert.rejects(native.run({}), /graph inputs not fed/);
  // Integer and boolean inputs keep their types.
  const idx = g.input('i', [3], 'int64');
  const sel = new g.Tensor('Cast', [idx], { to: 'float32' }, [3], 'float32');
  const casted = await CompiledGraph.compile({ f: sel }, { binding: 'native' });
  assert.deepEqual(Array.from((await casted.run({ i: BigInt64Array.from([3n, -1n, 7n]) })).f), [3, -1, 7]);
  for (const c of [native, node, casted]) await c.release();
});

test('shape errors name the op, the input shapes and what was expected', () => {
  assert.throws(() => g.add(g.input('a', [2, 3]), g.input('b', [4, 3])), /Add: got input shapes \[2, 3\], \[4, 3\]; expected shapes that broadcast/);
  assert.throws(() => g.conv2d(g.input('x', [1, 3, 8, 8]), g.input('w', [4, 2, 3, 3])), /Conv: got input shapes \[1, 3, 8, 8\], \[4, 2, 3, 3\]/);
  assert.throws(() => g.matmul(g.input('a', [2, 3]), g.input('b', [2, 3])), /MatMul.*\[\.\.\., M, K\]/);
});

test('unknown or unavailable providers are refused with the choices', () => {
  assert.throws(() => checkProvider('tpu'), /--device tpu: unknown provider; choose one of cpu, cuda, webgpu/);
  assert.throws(() => checkProvider('cuda'), /--device cuda: not available in this onnxruntime-node build/);
  assert.equal(checkProvider('cpu'), 'cpu');
});

test('--dump-graph writes a standard ONNX model (opset 17) of the compiled graph', async () => {
  const file = join(tempDir('dump'), 'g.onnx');
  const x = g.input('x', [1, 2, 4, 4]);
  const w = g.input('w', [3, 2, 3, 3]);
  const loss = g.mean(g.relu(g.conv2d(x, w, null, { padding: 1 })));
  const [gw] = g.grad(loss, [w]);
  await CompiledGraph.compile({ loss, gw }, { dumpGraph: file });
  assert.ok(existsSync(file));
  const model = ModelProto.decode(readFileSync(file)) as unknown as { opset_import: { version: number }[]; graph: { node: { op_type: string }[] } };
  assert.equal(Number(model.opset_import[0].version), 17);
  const ops = new Set(model.graph.node.map((n) => n.op_type));
  for (const op of ['Conv', 'Relu', 'ReduceMean']) assert.ok(ops.has(op), `missing ${op}`);
});

test('input gradients of grouped (depthwise) convolutions match finite differences', async () => {
  const x = g.input('x', [1, 4, 5, 5]);
  const w = g.constant(Float32Array.from({ length: 4 * 9 }, (_, i) => Math.sin(i)), [4, 1, 3, 3]);
  const loss = g.sum(g.mul(g.conv2d(x, w, null, { padding: 1, group: 4 }), g.constant(Float32Array.from({ length: 100 }, (_, i) => Math.cos(i)), [1, 4, 5, 5])));
  const [gx] = g.grad(loss, [x]);
  const graph = await CompiledGraph.compile({ loss, gx }, { threads: 1 });
  const x0 = Float32Array.from({ length: 100 }, (_, i) => Math.sin(3 * i));
  const r = await graph.run({ x: x0 });
  for (const i of [0, 37, 99]) {
    const at = async (d: number) => (await graph.run({ x: Float32Array.from(x0, (v, j) => (j === i ? v + d : v)) })).loss[0];
    const fd = ((await at(1e-2)) - (await at(-1e-2))) / 2e-2;
    assert.ok(Math.abs(fd - r.gx[i]) < 1e-2, `element ${i}: ${fd} vs ${r.gx[i]}`);
  }
});

test('--dump-graph numbers later graphs of the same run instead of overwriting the first', async () => {
  const file = join(tempDir('dump2'), 'step.onnx');
  const x = g.input('x', [2]);
  const dumpGraph = new GraphDump(file);
  await CompiledGraph.compile({ y: g.mul(x, 2) }, { dumpGraph });
  await CompiledGraph.compile({ y: g.add(x, 2) }, { dumpGraph });
  const ops = (f: string) => (ModelProto.decode(readFileSync(f)) as unknown as { graph: { node: { op_type: string }[] } }).graph.node.map((n) => n.op_type);
  assert.deepEqual(ops(file), ['Mul']);
  assert.deepEqual(ops(file.replace('.onnx', '.2.onnx')), ['Add']);
});

test('Step binds parameters and buffers from the modules it is given, and names one it was not given', async () => {
  const net = new Linear(3, 2);
  net.weight.data.fill(1);
  net.bias!.data.fill(0.5);
  const x = g.input('x', [1, 3]);
  await assert.rejects(Step.compile({ build: () => ({ y: net.forward(x) }) }, { threads: 1 }), /reads param\d+\.weight, a parameter or buffer of a module not passed in StepSpec\.modules/);
  const step = await Step.compile({ build: () => ({ y: net.forward(x) }), modules: [net] }, { threads: 1 });
  assert.deepEqual([...(await step.run({ x: Float32Array.of(1, 2, 3) })).y], [6.5, 6.5]);
  net.weight.data.fill(0);
  assert.deepEqual([...(await step.run({ x: Float32Array.of(1, 2, 3) })).y], [0.5, 0.5], 'fed from the live arrays');
  await step.release();
});

test('weight gradients whose im2col columns exceed the budget are computed per channel group, equal to the one-GEMM form', async () => {
  const { convTuning } = await import('../../src/graph/ops/conv.js');
  const cases = [
    { x: [1, 5, 9, 11], w: [3, 5, 3, 3], opts: { padding: 1 } },
    { x: [2, 6, 10, 10], w: [4, 6, 4, 4], opts: { stride: 2, padding: 1 } },
  ];
  for (const { x: xs, w: ws, opts } of cases) {
    const gradOf = async (budget: number) => {
      const saved = { ...convTuning };
      convTuning.weightGradColumns = budget;
      convTuning.correlationBelowChannels = 0; // these few-output convolutions would otherwise take the one-Conv path
      try {
        const x = g.input('x', xs), w = g.input('w', ws);
        const y = g.conv2d(x, w, null, opts);
        const [gw] = g.grad(g.sum(g.mul(y, g.input('gy', y.shape))), [w]);
        const graph = await CompiledGraph.compile({ gw }, { threads: 1 });
        const n = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
        const r = await graph.run({ x: Float32Array.from({ length: n(xs) }, (_, i) => Math.sin(i)), w: new Float32Array(n(ws)), gy: Float32Array.from({ length: n(y.shape) }, (_, i) => Math.cos(i * 0.7)) });
        await graph.release();
        return { gw: r.gw, concat: g.topoSort([gw]).some((t) => t.op === 'Concat' && t.inputs.length < 9 && t.inputs[0].shape.length === 4 && t.inputs[0].shape[0] === ws[0]) };
      } finally {
        Object.assign(convTuning, saved);
      }
    };
    const whole = await gradOf(1 << 30);
    const grouped = await gradOf(2 * ws[2] * ws[3] * xs[0] * 25);
    assert.equal(whole.concat, false);
    assert.equal(grouped.concat, true, 'split into channel groups');
    for (let i = 0; i < whole.gw.length; i++) assert.ok(Math.abs(whole.gw[i] - grouped.gw[i]) < 1e-4, `${xs}: gw[${i}]`);
  }
});
