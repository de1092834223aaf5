// Reads the GAN step fixtures of tools/fixtures/train_{pix2pix,cyclegan}_step.py.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { HostTensor } from '../../src/io/host-tensor.js';
import type { Module } from '../../src/nn/module.js';
import { assertClose } from './numeric.js';

export interface B64 { shape: number[]; dtype: 'float32'; b64: string }

export const loadGanFixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/gan/${name}`, import.meta.url), 'utf8'));

export function decode(t: B64): Float32Array {
  const bytes = Buffer.from(t.b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export const toState = (d: Record<string, B64>) => new Map<string, HostTensor>(Object.entries(d).map(([k, v]) => [k, { dtype: 'float32', shape: v.shape, data: decode(v) }]));

/** The distance from x to the next float32 away from zero. */
const f32Spacing = (x: number) => (x === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(Math.abs(x))) - 23));

export interface AdamStepReport {
  /** Largest (|our update - PyTorch's update| - float32 spacing) / lr over the compared elements. */
  worst: number;
  /** Where `worst` is. */
  where: string;
  /** Elements compared. */
  compared: number;
  /** Elements exempt (near-zero reference gradient, or a noise-only parameter). */
  exempt: number;
  /** Largest |update| / lr over the compared elements of the reference (about 1 on Adam's first step). */
  refStep: number;
}

/**
 * Compares one Adam step of `net` with PyTorch's, as updates: for every parameter element,
 * |(ours - initial) - (reference - initial)| <= relTol * lr + one float32 spacing of the weight. Adam's first update is about
 * lr * sign(g) for every element, so an absolute weight tolerance near lr would accept a step of
 * the wrong size; this one rejects any step more than relTol off (a wrong bias correction or
 * learning rate). Exempt (allowed any update within [-lr, lr], counted): the parameters the
 * fixture lists as noise-only (true gradient 0) and elements whose reference gradient is non-zero
 * but below `signFloor` of the tensor's largest (a sign within float32 rounding of zero; exact
 * zeros are compared: no update). Buffers (BatchNorm
 * running statistics) are compared as values to `bufferTol` of the tensor's scale.
 */
export function assertAdamStep(
  net: Module, initial: Record<string, B64>, expected: Record<string, B64>, what: string,
  o: { lr: number; grads: Record<string, B64>; relTol: number; signFloor: number; noiseOnly?: readonly string[]; bufferTol?: number },
): AdamStepReport {
  const params = new Map(net.namedParameters());
  const buffers = new Map(net.namedBuffers());
  const r: AdamStepReport = { worst: 0, where: '', compared: 0, exempt: 0, refStep: 0 };
  for (const [k, v] of Object.entries(expected)) {
    const ref = decode(v);
    const buffer = buffers.get(k);
    if (buffer) {
      assertClose(buffer.data, ref, o.bufferTol ?? 1e-5, `${what} ${k}`);
      continue;
    }
    const p = params.get(k);
    if (!p) throw new Error(`${what}: no parameter or buffer ${k}`);
    const init = decode(initial[k]);
    const ours = p.data;
    if (ours.length !== ref.length) throw new Error(`${what} ${k}: ${ours.length} elements, reference ${ref.length}`);
    const bound = o.lr * (1 + 1e-3);
    if (o.noiseOnly?.includes(k)) {
      for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ours[i] - init[i]) <= bound, `${what} ${k}[${i}] (noise-only gradient) moved ${ours[i] - init[i]}, more than lr`);
      r.exempt += ref.length;
      continue;
    }
    if (!o.grads[k]) throw new Error(`${what}: the fixture has no gradient of ${k}`);
    const g = decode(o.grads[k]);
    const gmax = g.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    for (let i = 0; i < ref.length; i++) {
      const dOurs = ours[i] - init[i];
      const dRef = ref[i] - init[i];
      if (g[i] !== 0 && Math.abs(g[i]) < o.signFloor * gmax) {
        assert.ok(Math.abs(dOurs) <= bound, `${what} ${k}[${i}] (gradient near 0) moved ${dOurs}, more than lr`);
        r.exempt++;
        continue;
      }
      // One float32 spacing of the weight is allowed on top: two correct updates can round apart.
      const e = Math.max(0, Math.abs(dOurs - dRef) - f32Spacing(ref[i])) / o.lr;
      r.compared++;
      r.refStep = Math.max(r.refStep, Math.abs(dRef) / o.lr);
      if (e > r.worst) Object.assign(r, { worst: e, where: `${k}[${i}]: ours ${dOurs.toExponential(4)}, PyTorch ${dRef.toExponential(4)}` });
    }
  }
  assert.ok(r.worst <= o.relTol, `${what}: an Adam update differs from PyTorch's by ${(r.worst * 100).toFixed(2)} % of lr (> ${o.relTol * 100} %) at ${r.where}`);
  return r;
}
