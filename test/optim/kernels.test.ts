// The optimizer kernels: the JavaScript loop equals the textbook Adam formula, and the native
// addon (when the install built it) equals the JavaScript loop, threaded over large tensors.
// Without the addon the native tests are reported as skipped, with the reason. (Both loops are
// also checked against PyTorch in test/train/steps-vs-pytorch.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adamKernel } from '../../src/optim/adam.js';
import { nativeKernels, nativeKernelsUnavailable, selectKernels } from '../../src/optim/native-kernels.js';
import { Rng } from '../../src/util/rng.js';

const rng = new Rng(5);
const rand = (n: number, s = 1) => Float32Array.from({ length: n }, () => rng.normal(0, s));

test('JavaScript Adam kernel equals the formula of torch.optim.Adam', () => {
  const n = 1000;
  const w = rand(n), g = rand(n), m = rand(n, 0.1), v = Float32Array.from(rand(n, 0.1), Math.abs);
  const [w0, m0, v0] = [w.slice(), m.slice(), v.slice()];
  const [b1, b2, lr, eps, t] = [0.5, 0.999, 2e-4, 1e-8, 3];
  adamKernel(w, g, m, v, b1, b2, lr / (1 - b1 ** t), Math.sqrt(1 - b2 ** t), eps, 0);
  for (let i = 0; i < n; i++) {
    const mi = b1 * m0[i] + (1 - b1) * g[i];
    const vi = b2 * v0[i] + (1 - b2) * g[i] * g[i];
    const wi = w0[i] - ((lr / (1 - b1 ** t)) * mi) / (Math.sqrt(vi) / Math.sqrt(1 - b2 ** t) + eps);
    assert.ok(Math.abs(w[i] - wi) <= 1e-6 * Math.max(1, Math.abs(wi)), `w[${i}]`);
    assert.ok(Math.abs(m[i] - mi) <= 1e-6 && Math.abs(v[i] - vi) <= 1e-6, `moments ${i}`);
  }
});

const skipNative = nativeKernelsUnavailable ? `native optimizer kernels not built: ${nativeKernelsUnavailable}` : false;

test('kernel choice: js is always the JavaScript loop; native is the addon or an error naming why not', () => {
  assert.equal(selectKernels('js'), null);
  assert.equal(selectKernels('auto'), nativeKernels);
  if (nativeKernels) assert.equal(selectKernels('native'), nativeKernels);
  else assert.throws(() => selectKernels('native'), /native optimizer kernels requested but unavailable: /);
});

test('native Adam and SGD kernels equal the JavaScript loops (threaded on large tensors)', { skip: skipNative }, () => {
  assert.ok(nativeKernels);
  const n = 300_001; // above the threading threshold, odd so chunks are uneven
  const w = rand(n), g = rand(n), m = rand(n, 0.1), v = Float32Array.from(rand(n, 0.1), Math.abs);
  const js = { w: w.slice(), m: m.slice(), v: v.slice() };
  adamKernel(js.w, g, js.m, js.v, 0.9, 0.999, 1e-3, 0.1, 1e-8, 0.01);
  nativeKernels.adam(w, g, m, v, 0.9, 0.999, 1e-3, 0.1, 1e-8, 0.01, 2);
  for (let i = 0; i < n; i++) {
    assert.ok(Math.abs(w[i] - js.w[i]) <= 1e-6 * Math.max(1, Math.abs(js.w[i])), `w[${i}] ${w[i]} vs ${js.w[i]}`);
    assert.ok(Math.abs(m[i] - js.m[i]) <= 1e-6 && Math.abs(v[i] - js.v[i]) <= 1e-6, `moments ${i}`);
  }
  const w2 = rand(n), buf = new Float32Array(n);
  const expected = Float32Array.from(w2, (x, i) => x - 0.1 * (g[i] + 0.5 * x));
  nativeKernels.sgd(w2, g, buf, 0.1, 0.9, 0.5, true, 2);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(w2[i] - expected[i]) <= 1e-6 * Math.max(1, Math.abs(expected[i])), `sgd w[${i}]`);
  assert.throws(() => nativeKernels!.adam(w, g.subarray(1), m, v, 0.9, 0.999, 1e-3, 0.1, 1e-8, 0, 2), /arrays differ in length/);
});
