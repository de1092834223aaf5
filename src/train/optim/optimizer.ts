import type { Parameter } from '../../nn/parameter.js';
import type { HostTensor } from '../../io/host-tensor.js';

/** Optimizer state as named tensors plus JSON scalars, for checkpoints. */
export interface OptimizerState { scalars: Record<string, number>; tensors: Map<string, HostTensor> }

/**
 * Updates parameters in place from their `grad` arrays. The learning rate is an argument of
 * `step`, so schedules never touch a compiled graph.
 */
export interface Optimizer {
  readonly params: readonly Parameter[];
  lr: number;
  step(): void;
  stateDict(): OptimizerState;
  loadStateDict(state: OptimizerState): void;
}

export function slotTensors(prefix: string, slots: readonly Float32Array[], params: readonly Parameter[]): [string, HostTensor][] {
  return slots.map((s, i) => [`${prefix}.${i}`, { dtype: 'float32', shape: [...params[i].shape], data: s }]);
}

export function loadSlots(prefix: string, slots: Float32Array[], state: OptimizerState): void {
  slots.forEach((s, i) => {
    const t = state.tensors.get(`${prefix}.${i}`);
    if (!t || t.data.length !== s.length) throw new Error(`optimizer state: '${prefix}.${i}' is missing or has the wrong size`);
    s.set(t.data as Float32Array);
  });
}
