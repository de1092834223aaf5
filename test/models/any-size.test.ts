// forwardAnySize: generators run on any H x W (padded up to what they take, cropped back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as g from '../../src/graph/index.js';
import { Step } from '../../src/runtime/step.js';
import { Identity, manualSeed, type Module } from '../../src/nn/index.js';
import { defineG, forwardAnySize, generatorMinSize, generatorMultiple, paddedSize, type GeneratorConfigInput } from '../../src/models/index.js';
import { hashUniform } from './fixture-input.js';

async function run(net: Module, shape: number[], multiple: number, minSize?: number): Promise<{ y: Float32Array; shape: readonly number[] }> {
  net.eval();
  let outShape: readonly number[] = [];
  const step = await Step.compile({
    build: () => {
      const y = forwardAnySize(net, g.input('x', shape), multiple, minSize);
      outShape = y.shape;
      return { y };
    },
    modules: [net],
  }, { threads: 1 });
  try {
    const n = shape.reduce((a, b) => a * b, 1);
    return { y: (await step.run({ x: hashUniform(n, 9) })).y, shape: outShape };
  } finally {
    await step.release();
  }
}

test('generatorMultiple / generatorMinSize / paddedSize', () => {
  assert.equal(generatorMultiple({ netG: 'unet_256' }), 256);
  assert.equal(generatorMultiple({ netG: 'unet_128' }), 128);
  assert.equal(generatorMultiple({ netG: 'unet_256', numDowns: 3 }), 8);
  assert.equal(generatorMultiple({ netG: 'resnet_9blocks' }), 4);
  assert.equal(generatorMinSize({ netG: 'resnet_6blocks' }), 8);
  assert.equal(generatorMinSize({ netG: 'unet_128' }), 128);
  assert.deepEqual([1, 8, 9, 37, 50].map((n) => paddedSize(n, 8)), [8, 8, 16, 40, 56]);
  assert.equal(paddedSize(5, 4, 8), 8);
  assert.equal(paddedSize(37, 4, 8), 40);
});

test('the crop lines up with the input: an identity network gives the input back', async () => {
  const shape = [1, 2, 13, 6];
  const { y, shape: s } = await run(Identity(), shape, 8);
  assert.deepEqual(s, shape);
  assert.deepEqual(y, hashUniform(2 * 13 * 6, 9));
});

test('reflect padding where the image is big enough, edge padding where it is not', () => {
  const modes = (y: g.Tensor) => g.topoSort([y]).filter((n) => n.op === 'Pad').map((n) => n.attrs.mode);
  const id = Identity();
  assert.deepEqual(modes(forwardAnySize(id, g.input('x', [1, 3, 37, 50]), 8)), ['reflect', 'reflect']);
  // H 5 -> 8 pads 1 + 2 (reflect); W 3 -> 8 pads 2 + 3, and 3 pixels cannot mirror 3 (edge).
  assert.deepEqual(modes(forwardAnySize(id, g.input('x', [1, 3, 5, 3]), 4, 8)), ['reflect', 'edge']);
  // Already a multiple: no padding, no crop.
  const x = g.input('x', [1, 3, 16, 24]);
  assert.equal(forwardAnySize(id, x, 8), x);
});

const cases: [string, GeneratorConfigInput, number[][]][] = [
  ['U-Net, numDowns 3', { netG: 'unet_256', numDowns: 3, ngf: 2 }, [[1, 3, 37, 50], [2, 3, 1, 1], [1, 3, 9, 7]]],
  ['U-Net, numDowns 7 (unet_128)', { netG: 'unet_128', ngf: 1 }, [[1, 3, 3, 5]]],
  ['ResNet', { netG: 'resnet_6blocks', ngf: 2, norm: 'instance', useDropout: false }, [[1, 3, 37, 50], [1, 3, 5, 3], [1, 3, 1, 1]]],
];

for (const [name, cfg, shapes] of cases) {
  test(`${name}: odd input sizes give outputs of the input's H x W`, async () => {
    manualSeed(3);
    const net = defineG(cfg);
    for (const shape of shapes) {
      const { y, shape: s } = await run(net, shape, generatorMultiple(cfg), generatorMinSize(cfg));
      assert.deepEqual(s, [shape[0], 3, shape[2], shape[3]], `${name} ${shape}`);
      assert.ok(y.every(Number.isFinite), `${name} ${shape}: finite`);
    }
  });
}

test('forwardAnySize is differentiable (reflect and edge pads, crop) and rejects size-changing networks', async () => {
  manualSeed(4);
  const cfg: GeneratorConfigInput = { netG: 'resnet_6blocks', ngf: 2, norm: 'instance', useDropout: false };
  const net = defineG(cfg).train();
  const step = await Step.compile({
    build: () => ({ loss: g.mean(forwardAnySize(net, g.input('x', [1, 3, 11, 3]), generatorMultiple(cfg), generatorMinSize(cfg))) }),
    loss: 'loss',
    wrt: net.parameters(),
    modules: [net],
  }, { threads: 1 });
  try {
    await step.run({ x: hashUniform(99, 2) });
    assert.ok(net.parameters().some((p) => p.grad.some((v) => v !== 0)), 'some gradient reaches the parameters');
  } finally {
    await step.release();
  }
  const d = defineG({ netG: 'unet_256', numDowns: 3, ngf: 2 }).eval();
  const halve = { forward: (x: g.Tensor) => g.slice(d.forward(x), [0, 0], [4, 4], [2, 3]) } as unknown as Module;
  assert.throws(() => forwardAnySize(halve, g.input('x', [1, 3, 5, 5]), 8), /output keeps the input's size/);
});
