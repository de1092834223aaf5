import type { Parameter } from '../nn/parameter.js';
import { type Optimizer, type OptimizerState, slotTensors, loadSlots } from './optimizer.js';
import { type KernelChoice, type NativeKernels, selectKernels, kernelThreads } from './native-kernels.js';

export interface SgdOptions {
  lr?: number; momentum?: number; weightDecay?: number;
  /** Update loop of `step()`: the native addon or JavaScript (default 'auto': the addon when built). */
  kernels?: KernelChoice;
}

/** SGD with momentum as torch.optim.SGD (dampening 0): buf = momentum * buf + g, w -= lr * buf. */
export class Sgd implements Optimizer {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  t = 0;
  private readonly buf: Float32Array[];
  private readonly native: NativeKernels | null;

  constructor(readonly params: readonly Parameter[], o: SgdOptions = {}) {
    this.native = selectKernels(o.kernels);
    this.lr = o.lr ?? 1e-2;
    this.momentum = o.momentum ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.buf = params.map((p) => new Float32Array(p.data.length));
  }

  step(): void {
    const first = this.t === 0;
    this.t++;
    const { lr, momentum, weightDecay, native } = this;
    this.params.forEach((p, k) => {
      if (native) return native.sgd(p.data, p.grad, this.buf[k], lr, momentum, weightDecay, first, kernelThreads);
      const w = p.data;
      const gr = p.grad;
      const b = this.buf[k];
      for (let i = 0; i < w.length; i++) {
        const gi = weightDecay ? gr[i] + weightDecay * w[i] : gr[i];
        const d = momentum ? (b[i] = first ? gi : momentum * b[i] + gi) : gi;
        w[i] -= lr * d;
      }
    });
  }

  stateDict(): OptimizerState {
    return { scalars: { t: this.t, lr: this.lr }, tensors: new Map(slotTensors('momentum_buffer', this.buf, this.params)) };
  }

  loadStateDict(state: OptimizerState): void {
    loadSlots('momentum_buffer', this.buf, state);
    this.t = state.scalars.t;
    this.lr = state.scalars.lr ?? this.lr;
  }
}
