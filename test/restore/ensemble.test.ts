// Self-ensemble: the 8 symmetries are distinct and undone exactly; an equivariant model is unchanged by it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selfEnsemble, transformPlanes } from '../../src/restore/ensemble.js';

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

test('transformPlanes: 8 distinct symmetries of a square, each undone by its inverse', () => {
  const x = ramp(2 * 3 * 3);
  const seen = new Set<string>();
  for (let k = 0; k < 8; k++) {
    const t = transformPlanes(x, 2, 3, 3, k);
    seen.add(Array.from(t).join());
    assert.deepEqual(Array.from(transformPlanes(t, 2, 3, 3, k, true)), Array.from(x), `k=${k}`);
    // Planes stay separate: the second plane holds values 9..17 only.
    assert.ok(Array.from(t.subarray(9)).every((v) => v >= 9));
  }
  assert.equal(seen.size, 8);
  // k = 1 mirrors x: row [0,1,2] becomes [2,1,0]; k = 4 transposes.
  assert.deepEqual(Array.from(transformPlanes(x, 1, 3, 3, 1).subarray(0, 3)), [2, 1, 0]);
  assert.deepEqual(Array.from(transformPlanes(x, 1, 3, 3, 4).subarray(0, 3)), [0, 3, 6]);
  assert.throws(() => transformPlanes(ramp(6), 1, 2, 3, 4), /square plane, got 3x2/);
});

test('selfEnsemble: averages the back-transformed outputs; 8 runs on squares, 4 otherwise', async () => {
  let calls = 0;
  // A pointwise model commutes with every symmetry, so the ensemble equals it.
  const double = async (x: Float32Array) => {
    calls++;
    return x.map((v) => 2 * v);
  };
  const x = ramp(3 * 4 * 4);
  assert.deepEqual(Array.from(await selfEnsemble(double)(x, [1, 3, 4, 4])), Array.from(x.map((v) => 2 * v)));
  assert.equal(calls, 8);
  calls = 0;
  await selfEnsemble(double)(ramp(2 * 3), [1, 1, 2, 3]);
  assert.equal(calls, 4);
  // A model that reads one fixed pixel is not equivariant: the ensemble averages the 8 corners it saw.
  const corner = async (v: Float32Array) => new Float32Array(v.length).fill(v[0]);
  const y = await selfEnsemble(corner)(ramp(9), [1, 1, 3, 3]);
  // Corners 0, 2, 6, 8 each seen twice over the 8 symmetries: mean 4.
  assert.ok(y.every((v) => Math.abs(v - 4) < 1e-6));
});
