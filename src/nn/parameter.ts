import { Tensor, input } from '../graph/tensor.js';
import { substitute, withSubstitutes } from '../graph/trace.js';
import { numel, type Shape } from '../graph/shape.js';

let nextUid = 0;

/**
 * Builds part of a graph with some parameters replaced by other tensors, e.g. a discriminator
 * evaluated at its in-graph updated weights. Modules read `param.tensor`, so they need no change.
 * Only inside a graph build (Step.compile's build function).
 */
export function withParameterValues<T>(values: ReadonlyMap<StateTensor, Tensor>, build: () => T): T {
  return withSubstitutes(values, build);
}

/** A named float32 array that a graph reads as an input: trainable parameters and buffers. */
export abstract class StateTensor {
  readonly uid = nextUid++;
  readonly shape: readonly number[];
  /** Elements of `data` (known before it is allocated). */
  readonly numel: number;
  private values?: Float32Array;
  private symbolic?: Tensor;

  constructor(shape: Shape, readonly label: string) {
    this.shape = [...shape];
    this.numel = numel(shape);
  }

  /**
   * The values, allocated (zeros) on first use: building a network from a config costs no memory
   * until it is initialized or loaded, so a checkpoint whose config asks for an absurd network
   * fails the shape check in loadStateDict before anything that size is allocated.
   */
  get data(): Float32Array {
    this.values ??= new Float32Array(this.numel);
    return this.values;
  }

  set data(v: Float32Array) {
    this.values = v;
  }

  /** Name of the graph input that reads this array (unique in the process). */
  get inputName(): string {
    return `${this.kind}${this.uid}.${this.label}`;
  }

  /**
   * The graph input that reads this array (one per object, reused by every graph). A compiled
   * Step feeds it from `data` when the step is told about this tensor (StepSpec.modules/state).
   */
  get tensor(): Tensor {
    const stand = substitute(this);
    if (stand) return stand;
    this.symbolic ??= input(this.inputName, this.shape);
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
    this.gradBuffer ??= new Float32Array(this.numel);
    return this.gradBuffer;
  }
}

/** A non-trainable state tensor (BatchNorm running statistics). */
export class Buffer extends StateTensor {
  readonly kind = 'buffer';
  /** Called after a training step overwrote the buffer (BatchNorm counts batches with it). */
  onUpdate?: () => void;
}
