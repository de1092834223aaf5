import type { Tensor } from '../graph/tensor.js';
import type { Parameter, StateTensor } from '../nn/parameter.js';
import type { HostTensor } from '../io/host-tensor.js';

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

/**
 * An optimizer's update written as graph ops, for parameters updated inside a compiled step
 * (pix2pix's discriminator, whose new weights the generator loss of the same step reads). The
 * optimizer owns its moments; a model only wires these four calls into its step:
 *   build (inside the step's graph), into (the step's output buffers), begin (feeds before each
 *   run), commit (after the run).
 */
export interface InGraphUpdate {
  /**
   * Differentiates `loss` with respect to the optimizer's parameters and adds the update. Returns
   * each parameter's new value (graph tensors, to evaluate later parts of the graph at the updated
   * weights) and the outputs the step must compute (name -> tensor).
   */
  build(loss: Tensor): { next: Map<StateTensor, Tensor>; outputs: Record<string, Tensor> };
  /** Preallocated buffers that receive the new weights and moments (the step's `into`). */
  readonly into: Record<string, Float32Array>;
  /** Starts an update: advances the step count and returns the feeds (moments, step scalars). */
  begin(): Record<string, Float32Array>;
  /** After the run: the new weights and moments replace the old ones. */
  commit(): void;
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
