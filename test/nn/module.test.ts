// Modules: PyTorch state_dict names, strict loading errors, init schemes' statistics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sequential, Conv2d, BatchNorm, Linear, LeakyReLU, manualSeed, normal, xavierNormal, kaimingNormal, orthogonal, Parameter } from '../../src/nn/index.js';

test('state_dict names follow PyTorch, including BatchNorm buffers', () => {
  const net = new Sequential(new Conv2d(3, 4, 3, { bias: false }), new BatchNorm(4), LeakyReLU(0.2), new Linear(4, 2));
  assert.deepEqual([...net.stateDict().keys()], ['0.weight', '1.weight', '1.bias', '3.weight', '3.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
});

test('strict loading lists missing, unexpected and mis-shaped tensors in one error', () => {
  const net = new Sequential(new Linear(3, 2), new Linear(2, 1));
  const f = (shape: number[]) => ({ dtype: 'float32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const state = new Map([['0.weight', f([2, 4])], ['0.bias', f([2])], ['1.weight', f([1, 2])], ['2.weight', f([1])]]);
  assert.throws(() => net.loadStateDict(state, { source: 'ckpt.safetensors' }), (err: Error) => {
    assert.match(err.message, /from ckpt\.safetensors/);
    assert.match(err.message, /missing keys: 1\.bias/);
    assert.match(err.message, /unexpected keys: 2\.weight/);
    assert.match(err.message, /0\.weight: expected \[2, 3\], got \[2, 4\]/);
    return true;
  });
});

function stats(p: Parameter) {
  const n = p.data.length;
  const mean = p.data.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(p.data.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { mean, std };
}

test('init schemes have the statistics PyTorch gives them', () => {
  manualSeed(7);
  const p = new Parameter([64, 32, 3, 3], 'w');
  normal(p, 0, 0.02);
  assert.ok(Math.abs(stats(p).std - 0.02) < 0.001);
  xavierNormal(p, 1);
  assert.ok(Math.abs(stats(p).std - Math.sqrt(2 / (32 * 9 + 64 * 9))) < 0.002);
  kaimingNormal(p);
  assert.ok(Math.abs(stats(p).std - Math.sqrt(2 / (32 * 9))) < 0.003);
  const q = new Parameter([16, 40], 'q');
  orthogonal(q);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let dot = 0;
      for (let k = 0; k < 40; k++) dot += q.data[i * 40 + k] * q.data[j * 40 + k];
      assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-5, `rows ${i},${j}: ${dot}`);
    }
  }
});
