// Exporting an engine network as a self-contained inference ONNX model: the graph is built in
// eval mode and every parameter/buffer input is replaced by a constant holding its current value.
import { Tensor, constant } from '../graph/tensor.js';
import { input } from '../graph/tensor.js';
import { topoSort } from '../graph/autodiff.js';
import { writeOnnx } from '../graph/onnx/writer.js';
import type { Module } from '../nn/module.js';

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

/**
 * ONNX bytes of `net` in eval mode for one image: input 'image' [1, C, S, S], output 'logits'.
 * The module's training flag is restored afterwards.
 */
export function exportClassifierOnnx(net: Module, size: number, channels = 3): Uint8Array {
  const wasTraining = net.training;
  net.eval();
  try {
    const logits = net.forward(input('image', [1, channels, size, size]));
    return writeOnnx(bakeParameters({ logits }, [net]), 'img2img-classifier').bytes;
  } finally {
    net.train(wasTraining);
  }
}
