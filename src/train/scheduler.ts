export const LR_POLICIES = ['linear', 'step', 'plateau', 'cosine'] as const;
export type LrPolicy = (typeof LR_POLICIES)[number];

export interface ScheduleOptions {
  policy: LrPolicy;
  lr: number;
  /** Epochs at the initial rate, then epochs of linear decay to 0 (reference --n_epochs, --n_epochs_decay). */
  nEpochs: number;
  nEpochsDecay: number;
  /** First epoch's number (reference --epoch_count). */
  epochCount: number;
  /** 'step': multiply by 0.1 every this many epochs (reference --lr_decay_iters). */
  lrDecayIters: number;
}

/** JSON state of the plateau policy (the others are a function of the epoch alone). */
export interface SchedulerState { best: number; badEpochs: number; factor: number }

/**
 * The reference's learning-rate schedules (networks.get_scheduler), stepped at the start of every
 * epoch as its train.py does. The rate is passed to the optimizer, so no graph is recompiled.
 */
export class LrScheduler {
  state: SchedulerState = { best: Infinity, badEpochs: 0, factor: 1 };

  constructor(readonly o: ScheduleOptions) {
    if (!LR_POLICIES.includes(o.policy)) throw new Error(`--lr-policy ${o.policy}: unknown; choose ${LR_POLICIES.join(', ')}`);
  }

  /** Learning rate during epoch `epoch` (numbered from epochCount). */
  rateAt(epoch: number): number {
    const { lr, nEpochs, nEpochsDecay, epochCount, lrDecayIters } = this.o;
    const stepsTaken = epoch - epochCount + 1;
    switch (this.o.policy) {
      case 'linear':
        return lr * (1 - Math.max(0, stepsTaken + epochCount - nEpochs) / (nEpochsDecay + 1));
      case 'step':
        return lr * 0.1 ** Math.floor(stepsTaken / lrDecayIters);
      case 'cosine':
        return (lr * (1 + Math.cos((Math.PI * stepsTaken) / nEpochs))) / 2;
      case 'plateau':
        return lr * this.state.factor;
    }
  }

  /** Plateau policy: call at the end of an epoch with its metric (factor 0.2, threshold 0.01 rel, patience 5). */
  observe(metric: number): void {
    if (this.o.policy !== 'plateau') return;
    if (metric < this.state.best * (1 - 0.01)) {
      this.state.best = metric;
      this.state.badEpochs = 0;
    } else if (++this.state.badEpochs > 5) {
      this.state.factor *= 0.2;
      this.state.badEpochs = 0;
    }
  }
}
