import type { Parameter } from '../../nn/parameter.js';
import { type Optimizer, type OptimizerState, slotTensors, loadSlots } from './optimizer.js';
import { nativeKernels, kernelThreads } from './native-kernels.js';

export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }

/**
 * Adam as torch.optim.Adam (1.13): bias-corrected moments, eps added after dividing by
 * sqrt(1 - beta2^t). One fused sweep per parameter: on CPU this beats the same update as
 * ONNX ops by ~3x, since ORT would sweep each tensor once per elementwise op. The sweep runs in
 * the native addon on all cores when it is built, else as the JavaScript loop below.
 */
export class Adam implements Optimizer {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  t = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  constructor(readonly params: readonly Parameter[], o: AdamOptions = {}) {
    this.lr = o.lr ?? 1e-3;
    this.betas = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.m = params.map((p) => new Float32Array(p.data.length));
    this.v = params.map((p) => new Float32Array(p.data.length));
  }

  /** Advances the step count; returns this step's lr / (1 - beta1^t) and sqrt(1 - beta2^t). */
  beginStep(): { stepSize: number; bc2Sqrt: number } {
    this.t++;
    const [b1, b2] = this.betas;
    return { stepSize: this.lr / (1 - b1 ** this.t), bc2Sqrt: Math.sqrt(1 - b2 ** this.t) };
  }

  /** The first and second moment arrays of parameter k (for an update computed inside a graph). */
  moments(k: number): { m: Float32Array; v: Float32Array } {
    return { m: this.m[k], v: this.v[k] };
  }

  step(): void {
    const { stepSize, bc2Sqrt } = this.beginStep();
    const [b1, b2] = this.betas;
    const { eps, weightDecay } = this;
    this.params.forEach((p, k) => {
      if (nativeKernels) nativeKernels.adam(p.data, p.grad, this.m[k], this.v[k], b1, b2, stepSize, bc2Sqrt, eps, weightDecay, kernelThreads);
      else adamKernel(p.data, p.grad, this.m[k], this.v[k], b1, b2, stepSize, bc2Sqrt, eps, weightDecay);
    });
  }

  stateDict(): OptimizerState {
    return { scalars: { t: this.t, lr: this.lr }, tensors: new Map([...slotTensors('exp_avg', this.m, this.params), ...slotTensors('exp_avg_sq', this.v, this.params)]) };
  }

  loadStateDict(state: OptimizerState): void {
    loadSlots('exp_avg', this.m, state);
    loadSlots('exp_avg_sq', this.v, state);
    this.t = state.scalars.t;
    this.lr = state.scalars.lr ?? this.lr;
  }
}

/** The fused update of one tensor in JavaScript: moments, bias correction and the step in one sweep. */
export function adamKernel(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, b1: number, b2: number, stepSize: number, bc2Sqrt: number, eps: number, weightDecay: number): void {
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const n = w.length;
  if (weightDecay === 0) {
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + c1 * gi;
      const vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i] + weightDecay * w[i];
    const mi = b1 * m[i] + c1 * gi;
    const vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}
