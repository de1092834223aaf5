// The two ways a stride-1 convolution's input gradient is built (ConvTranspose, or Conv with the
// flipped kernel; see flippedInputGrad) give the same values, and each is chosen where it is faster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as g from '../../src/graph/index.js';
import { convTuning, flippedInputGrad } from '../../src/graph/ops/conv.js';
import { CompiledGraph } from '../../src/runtime/session.js';
import { assertClose } from '../helpers/numeric.js';

async function inputGrad(xShape: number[], wShape: number[], padding: [number, number, number, number], flippedColumns: number) {
  const saved = convTuning.flippedColumns;
  convTuning.flippedColumns = flippedColumns;
  try {
    const x = g.input('x', xShape);
    const w = g.input('w', wShape);
    const y = g.conv2d(x, w, null, { padding });
    const gy = g.input('gy', y.shape);
    const [gx] = g.grad(g.sum(g.mul(y, gy)), [x]);
    const graph = await CompiledGraph.compile({ gx }, { threads: 1 });
    const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const r = await graph.run({ w: rand(size(wShape), 1), gy: rand(size(y.shape), 2) });
    await graph.release();
    return { gx: r.gx, usedConvTranspose: g.topoSort([gx]).some((t) => t.op === 'ConvTranspose'), flipped: flippedInputGrad(y) };
  } finally {
    convTuning.flippedColumns = saved;
  }
}

test('equal channel counts: flipped-kernel Conv and ConvTranspose give the same input gradient (asymmetric padding)', async () => {
  const pads: [number, number, number, number] = [1, 0, 2, 1];
  const viaTranspose = await inputGrad([2, 4, 7, 6], [4, 4, 3, 3], pads, Infinity);
  const viaFlipped = await inputGrad([2, 4, 7, 6], [4, 4, 3, 3], pads, 0);
  assert.equal(viaTranspose.usedConvTranspose, true);
  assert.equal(viaFlipped.usedConvTranspose, false);
  assertClose(viaFlipped.gx, viaTranspose.gx, 1e-5, 'input gradient');
});

test('the input-gradient path follows the channel counts and the column-buffer size', async () => {
  assert.equal((await inputGrad([1, 8, 5, 5], [2, 8, 3, 3], [1, 1, 1, 1], Infinity)).flipped, true, 'fewer outputs than inputs');
  assert.equal((await inputGrad([1, 2, 5, 5], [8, 2, 3, 3], [1, 1, 1, 1], 0)).flipped, false, 'more outputs than inputs');
  assert.equal((await inputGrad([1, 8, 5, 5], [2, 8, 3, 3], [3, 3, 3, 3], Infinity)).flipped, false, 'padding as large as the kernel');
});

async function weightGrad(xShape: number[], wShape: number[], opts: g.ConvOptions, correlationBelowChannels: number) {
  const saved = convTuning.correlationBelowChannels;
  convTuning.correlationBelowChannels = correlationBelowChannels;
  try {
    const x = g.input('x', xShape);
    const w = g.input('w', wShape);
    const y = g.conv2d(x, w, null, opts);
    const gy = g.input('gy', y.shape);
    const [gw] = g.grad(g.sum(g.mul(y, gy)), [w]);
    const graph = await CompiledGraph.compile({ gw }, { threads: 1 });
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
    const r = await graph.run({ x: rand(size(xShape), 3), gy: rand(size(y.shape), 4) });
    await graph.release();
    return r.gw;
  } finally {
    convTuning.correlationBelowChannels = saved;
  }
}

// The PyTorch fixtures' convolutions have few output channels and so take the correlation path;
// here the column path is checked against it on the same strides, dilations, paddings and batches.
for (const [name, xShape, wShape, opts] of [
  ['3x3 stride 1, asymmetric padding', [1, 3, 7, 6], [4, 3, 3, 3], { padding: [1, 0, 2, 1] }],
  ['4x4 stride 2, odd input, batch 2', [2, 3, 9, 9], [5, 3, 4, 4], { stride: 2, padding: 1 }],
  ['3x3 dilation 2, rectangular stride', [1, 2, 9, 8], [3, 2, 3, 3], { stride: [2, 1], dilation: 2, padding: 2 }],
  ['7x7 without padding', [1, 2, 10, 10], [3, 2, 7, 7], {}],
  // Batch 1 with equal strides: the column path reads its taps from SpaceToDepth phases.
  ['4x4 stride 2, odd input, batch 1', [1, 3, 9, 9], [5, 3, 4, 4], { stride: 2, padding: 1 }],
  ['3x3 stride 2, dilation 2, batch 1', [1, 2, 11, 10], [3, 2, 3, 3], { stride: 2, dilation: 2, padding: 1 }],
  ['3x3 stride 3, asymmetric padding, batch 1', [1, 2, 10, 11], [3, 2, 3, 3], { stride: 3, padding: [1, 0, 0, 2] }],
] as const) {
  test(`weight gradient: column GEMM and one-Conv correlation agree (${name})`, async () => {
    const columns = await weightGrad([...xShape], [...wShape], opts as g.ConvOptions, 0);
    const correlation = await weightGrad([...xShape], [...wShape], opts as g.ConvOptions, Infinity);
    assertClose(columns, correlation, 1e-5, 'weight gradient');
  });
}
