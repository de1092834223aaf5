// Reads the GAN step fixtures of tools/fixtures/train_{pix2pix,cyclegan}_step.py.
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

/**
 * Compares every tensor of `net` with the fixture's state dict after one Adam step, to `tol`.
 *
 * Adam's first step moves each weight by lr * sign(gradient) whatever the gradient's size, so an
 * element whose gradient is within float32 rounding of zero can step either way in either
 * framework. Two kinds are exempt and allowed a 2*lr difference: the parameters the fixture lists
 * as noise-only (a conv bias right before a normalization that cancels it: true gradient 0), and
 * elements whose reference gradient is below `signFloor` of the tensor's largest (reported).
 */
export function assertStateClose(net: Module, expected: Record<string, B64>, tol: number, what: string, o: { noiseOnly?: readonly string[]; grads?: Record<string, B64>; lr?: number; signFloor?: number } = {}): number {
  const state = net.stateDict();
  const lr = o.lr ?? 2e-4;
  let exempt = 0;
  for (const [k, v] of Object.entries(expected)) {
    const ours = state.get(k);
    if (!ours) throw new Error(`${what}: no tensor ${k}`);
    const ref = decode(v);
    if (o.noiseOnly?.includes(k)) {
      assertClose(ours.data as Float32Array, ref, 2.5 * lr, `${what} ${k} (noise-only gradient)`);
      continue;
    }
    const g = o.grads?.[k] ? decode(o.grads[k]) : null;
    const gmax = g ? g.reduce((m, x) => Math.max(m, Math.abs(x)), 0) : 0;
    const data = ours.data as Float32Array;
    const kept: number[] = [];
    const keptRef: number[] = [];
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(data[i] - ref[i]);
      if (g && d > tol && Math.abs(g[i]) < (o.signFloor ?? 0) * gmax && d <= 2.5 * lr) {
        exempt++;
        continue;
      }
      kept.push(data[i]);
      keptRef.push(ref[i]);
    }
    assertClose(kept, keptRef, tol, `${what} ${k}`);
  }
  return exempt;
}
