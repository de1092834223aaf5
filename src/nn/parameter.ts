import { Tensor, input } from '../graph/tensor.js';
import { numel, type Shape } from '../graph/shape.js';

let nextUid = 0;

/** Which Parameter or Buffer a graph input stands for, so the runtime can feed it by itself. */
const owners = new Map<string, StateTensor>();

/** Values that stand in for parameters while a graph is built (see withParameterValues). */
let overrides: ReadonlyMap<StateTensor, Tensor> | null = null;

/**
 * Builds part of a graph with some parameters replaced by other tensors, e.g. a discriminator
 * evaluated at its in-graph updated weights. Modules read `param.tensor`, so they need no change.
 */
export function withParameterValues<T>(values: ReadonlyMap<StateTensor, Tensor>, build: () => T): T {
  const outer = overrides;
  overrides = values;
  try {
    return build();
  } finally {
    overrides = outer;
  }
}

/** A named float32 array that a graph reads as an input: trainable parameters and buffers. */
export abstract class StateTensor {
  readonly uid = nextUid++;
  readonly shape: readonly number[];
  data: Float32Array;
  private symbolic?: Tensor;

  constructor(shape: Shape, readonly label: string) {
    this.shape = [...shape];
    this.data = new Float32Array(numel(shape));
  }

  /** The graph input that reads this array (one per object, reused by every graph). */
  get tensor(): Tensor {
    const override = overrides?.get(this);
    if (override) return override;
    if (!this.symbolic) {
      this.symbolic = input(`${this.kind}${this.uid}.${this.label}`, this.shape);
      owners.set(this.symbolic.name!, this);
    }
    return this.symbolic;
  }

  abstract readonly kind: 'param' | 'buffer';
}

/** A trainable tensor; `grad` is preallocated once and overwritten by each training step. */
export class Parameter extends StateTensor {
  readonly kind = 'param';
  private gradBuffer?: Float32Array;
  /** Frozen parameters get no gradient (e.g. a discriminator during the generator step). */
  requiresGrad = true;

  get grad(): Float32Array {
    this.gradBuffer ??= new Float32Array(this.data.length);
    return this.gradBuffer;
  }
}

/** A non-trainable state tensor (BatchNorm running statistics). */
export class Buffer extends StateTensor {
  readonly kind = 'buffer';
  /** Called after a training step overwrote the buffer (BatchNorm counts batches with it). */
  onUpdate?: () => void;
}

/** The Parameter or Buffer behind a graph input name, if any. */
export function stateTensorFor(inputName: string): StateTensor | undefined {
  return owners.get(inputName);
}
