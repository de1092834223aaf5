// A self-contained inference graph: every parameter/buffer input of the given modules replaced by
// a constant holding its current value (ONNX initializers when written). Used by every export.
import { Tensor, constant } from '../graph/tensor.js';
import { topoSort } from '../graph/autodiff.js';
import type { Module } from './module.js';

/** The same graph with the parameters and buffers of `modules` baked in as constants (copies of their current values). */
export function bakeParameters(outputs: Record<string, Tensor>, modules: readonly Module[]): Record<string, Tensor> {
  const state = new Map(modules.flatMap((m) => [...m.namedParameters(), ...m.namedBuffers()]).map(([, t]) => [t.inputName, t]));
  const map = new Map<number, Tensor>();
  for (const t of topoSort(Object.values(outputs))) {
    if (t.op === 'Input') {
      const owner = state.get(t.name!);
      map.set(t.id, owner ? constant(owner.data.slice(), t.shape) : t);
    } else if (t.inputs.length === 0) map.set(t.id, t);
    else {
      const ins = t.inputs.map((x) => map.get(x.id)!);
      map.set(t.id, ins.every((x, i) => x === t.inputs[i]) ? t : new Tensor(t.op, ins, t.attrs, t.shape, t.dtype, t.name));
    }
  }
  return Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, map.get(t.id)!]));
}
