// ONNX -> engine import: the imported graph computes what ONNX Runtime computes on the original file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { importOnnx, UnsupportedOnnxOpError } from '../../src/graph/onnx/import.js';
import { CompiledGraph } from '../../src/runtime/session.js';
import { assertClose } from '../helpers/numeric.js';
import { ai, af, aints, astr, buildModel, floatTensor, int64Tensor, node, randomValues, type ModelSpec } from './onnx-build.js';

async function compareWithOrt(spec: ModelSpec, inputShape: number[], seed = 1): Promise<void> {
  const bytes = buildModel(spec);
  const x = randomValues(inputShape.reduce((a, b) => a * b, 1), seed, 1);
  const session = await ort.InferenceSession.create(bytes);
  const expected = await session.run({ [spec.input.name]: new ort.Tensor('float32', x, inputShape) });
  const imp = importOnnx(bytes, { what: 'test model' });
  assert.deepEqual(imp.inputShape, inputShape);
  const graph = await CompiledGraph.compile(Object.fromEntries(Object.entries(imp.outputs).map(([k, t]) => [`out_${k}`, t])));
  const got = await graph.run({ [spec.input.name]: x });
  for (const o of spec.outputs) {
    assert.deepEqual([...imp.outputs[o.name].shape], expected[o.name].dims.map(Number), `shape of ${o.name}`);
    assertClose(got[`out_${o.name}`], expected[o.name].data as Float32Array, 1e-4, `output ${o.name}`);
  }
  await session.release();
  await graph.release();
}

test('import (opset 13): conv/BN/pool/concat/convtranspose/pad/clip/elementwise/reduce/reshape/gemm/matmul/softmax match ORT', async () => {
  const w = (name: string, dims: number[], seed: number, scale = 0.5) => floatTensor(name, dims, randomValues(dims.reduce((a, b) => a * b, 1), seed, scale));
  await compareWithOrt({
    input: { name: 'x', dims: ['batch', 3, 8, 8] },
    outputs: [{ name: 'y' }, { name: 'logp' }],
    initializers: [
      w('w1', [4, 3, 3, 3], 2), w('b1', [4], 3, 0.1),
      w('scale', [4], 4), w('bias', [4], 5), w('mean', [4], 6, 0.2), floatTensor('var', [4], [0.5, 1, 1.5, 2]),
      w('wt', [8, 2, 3, 3], 7), w('bt', [2], 8, 0.1), w('wg', [8, 4, 1, 1], 9),
      int64Tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1]), floatTensor('lo', [], [-0.5]), floatTensor('hi', [], [0.5]),
      w('s1', [8, 1, 1], 10), floatTensor('tenth', [], [0.1]), floatTensor('two', [], [2]),
      int64Tensor('idx0', [], [0]), int64Tensor('minus1', [1], [-1]), int64Tensor('ax0', [1], [0]),
      w('wgemm', [138, 5], 11, 0.2), w('cgemm', [5], 12), w('wm', [5, 4], 13),
    ],
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], [aints('strides', [2, 2]), aints('pads', [1, 0, 0, 1])]),
      node('BatchNormalization', ['c1', 'scale', 'bias', 'mean', 'var'], ['bn'], [af('epsilon', 1e-3)]),
      node('LeakyRelu', ['bn'], ['lr'], [af('alpha', 0.2)]),
      node('MaxPool', ['lr'], ['mp'], [aints('kernel_shape', [3, 3]), aints('strides', [1, 1]), aints('pads', [1, 1, 1, 1])]),
      node('AveragePool', ['lr'], ['ap'], [aints('kernel_shape', [3, 3]), aints('strides', [1, 1]), aints('pads', [1, 1, 1, 1])]),
      node('Concat', ['mp', 'ap'], ['cat'], [ai('axis', 1)]),
      node('MaxPool', ['cat'], ['mpa'], [aints('kernel_shape', [2, 2]), aints('strides', [1, 1]), aints('pads', [1, 1, 0, 0])]),
      node('ConvTranspose', ['cat', 'wt', 'bt'], ['ct'], [aints('strides', [2, 2]), aints('pads', [1, 1, 1, 1]), aints('output_padding', [1, 1])]),
      node('Conv', ['cat', 'wg'], ['g2'], [ai('group', 2)]),
      node('Add', ['g2', 'mpa'], ['g2b'], []),
      node('Pad', ['g2b', 'pads'], ['pd'], [astr('mode', 'reflect')]),
      node('Clip', ['pd', 'lo', 'hi'], ['cl']),
      node('Sigmoid', ['cl'], ['sg']),
      node('Tanh', ['pd'], ['th']),
      node('Mul', ['sg', 'th'], ['m']),
      node('Add', ['m', 's1'], ['a']),
      node('Sub', ['a', 'tenth'], ['s']),
      node('Div', ['s', 'two'], ['d']),
      node('Relu', ['d'], ['rl']),
      node('ReduceMean', ['rl'], ['rm'], [aints('axes', [2, 3]), ai('keepdims', 0)]),
      node('Transpose', ['ct'], ['tr'], [aints('perm', [0, 2, 3, 1])]),
      node('Shape', ['tr'], ['shp']),
      node('Gather', ['shp', 'idx0'], ['n0'], [ai('axis', 0)]),
      node('Unsqueeze', ['n0', 'ax0'], ['u']),
      node('Concat', ['u', 'minus1'], ['newshape'], [ai('axis', 0)]),
      node('Reshape', ['tr', 'newshape'], ['r']),
      node('GlobalAveragePool', ['ct'], ['gap']),
      node('Flatten', ['gap'], ['gapf'], [ai('axis', 1)]),
      node('Concat', ['rm', 'gapf', 'r'], ['cat2'], [ai('axis', 1)]),
      node('Gemm', ['cat2', 'wgemm', 'cgemm'], ['gm'], [af('alpha', 0.5), af('beta', 2)]),
      node('MatMul', ['gm', 'wm'], ['mm']),
      node('Dropout', ['mm'], ['dr']),
      node('Identity', ['dr'], ['id']),
      node('Softmax', ['id'], ['y'], [ai('axis', -1)]),
      node('LogSoftmax', ['id'], ['logp'], [ai('axis', 1)]),
    ],
  }, [1, 3, 8, 8]);
});

test('import (opset 11): SAME padding, pre-13 softmax, Clip with only a min, constant Pad, Squeeze attribute', async () => {
  await compareWithOrt({
    opset: 11,
    input: { name: 'img', dims: [1, 3, 4, 4] },
    outputs: [{ name: 'sq' }, { name: 'same' }],
    initializers: [int64Tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1]), floatTensor('half', [], [0.5]), floatTensor('zero', [], [0]), floatTensor('ws', [2, 3, 3, 3], randomValues(54, 3, 0.5))],
    nodes: [
      node('Pad', ['img', 'pads', 'half'], ['p'], [astr('mode', 'constant')]),
      node('Clip', ['p', 'zero'], ['c']),
      node('Softmax', ['c'], ['sm'], [ai('axis', 1)]),
      node('ReduceMean', ['sm'], ['rm'], [aints('axes', [2, 3]), ai('keepdims', 1)]),
      node('Squeeze', ['rm'], ['sq'], [aints('axes', [2, 3])]),
      node('Conv', ['img', 'ws'], ['same'], [astr('auto_pad', 'SAME_UPPER'), aints('strides', [2, 2]), aints('kernel_shape', [3, 3])]),
    ],
  }, [1, 3, 4, 4]);
});

test('import: unsupported ops are all named with their nodes; unused branches are ignored; old opsets refused', () => {
  const spec: ModelSpec = {
    input: { name: 'x', dims: [1, 1, 4, 4] },
    outputs: [{ name: 'y' }],
    initializers: [floatTensor('scales', [4], [1, 1, 2, 2])],
    nodes: [
      node('Resize', ['x', '', 'scales'], ['up'], [astr('mode', 'linear')], 'upsample'),
      node('Erf', ['up'], ['e'], [], 'gelu_erf'),
      node('Relu', ['e'], ['y'], [], 'relu'),
      node('Cos', ['x'], ['unused'], [], 'not_needed'),
    ],
  };
  assert.throws(() => importOnnx(buildModel(spec), { what: 'm.onnx' }), (e: unknown) => {
    assert.ok(e instanceof UnsupportedOnnxOpError);
    assert.deepEqual(e.ops, [{ opType: 'Resize', node: 'upsample' }, { opType: 'Erf', node: 'gelu_erf' }]);
    assert.match(e.message, /^m\.onnx: unsupported ONNX ops Resize, Erf \(nodes 'upsample' \[Resize\], 'gelu_erf' \[Erf\]\)/);
    return true;
  });
  assert.throws(() => importOnnx(buildModel({ ...spec, opset: 9 }), { what: 'old.onnx' }), /old\.onnx: opset 9 is too old: the importer needs opset >= 11/);
  assert.throws(() => importOnnx(buildModel({ ...spec, input: { name: 'x', dims: [1, 1, 'h', 'w'] } })), /symbolic dims \[1,1,\?,\?\]/);
});
