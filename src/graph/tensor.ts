import { type Shape, fmt } from './shape.js';

export type DType = 'float32' | 'int64' | 'bool';
export type AttrValue = number | string | boolean | readonly number[] | Float32Array | BigInt64Array | null | undefined;
export type Attrs = Readonly<Record<string, AttrValue>>;

let nextId = 0;

/**
 * A symbolic tensor: a node of the computation graph with a static shape and dtype.
 * Nothing is computed when it is built; the graph is serialized to ONNX and run by ONNX Runtime.
 */
export class Tensor {
  readonly id = nextId++;
  constructor(
    /** Op name in the engine's registry ('Input', 'Constant', 'Add', ...). */
    readonly op: string,
    readonly inputs: readonly Tensor[],
    readonly attrs: Attrs,
    readonly shape: Shape,
    readonly dtype: DType = 'float32',
    /** Name of a graph input (for Input leaves) or a debugging label. */
    public name?: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `Tensor(${this.op}${this.name ? ` '${this.name}'` : ''}, ${fmt(this.shape)}, ${this.dtype})`;
  }
}

/** A graph input fed on every run (images, labels, parameters, masks). */
export function input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`input '${name}': shape ${fmt(shape)} must hold non-negative integers`);
  return new Tensor('Input', [], {}, [...shape], dtype, name);
}

/** A constant baked into the graph as an initializer. */
export function constant(data: Float32Array | number[] | number, shape?: Shape): Tensor {
  const values = typeof data === 'number' ? Float32Array.of(data) : data instanceof Float32Array ? data : Float32Array.from(data);
  const s = shape ?? (typeof data === 'number' ? [] : [values.length]);
  let n = 1;
  for (const d of s) n *= d;
  if (n !== values.length) throw new Error(`constant: ${values.length} values do not fill shape ${fmt(s)}`);
  return new Tensor('Constant', [], { value: values }, [...s], 'float32');
}

/** An int64 constant (shapes, indices). */
export function constantInt64(values: readonly number[], shape: Shape = [values.length]): Tensor {
  return new Tensor('Constant', [], { value: BigInt64Array.from(values.map((v) => BigInt(v))) }, [...shape], 'int64');
}

export function scalar(v: number): Tensor {
  return constant(v);
}

export function isLeaf(t: Tensor): boolean {
  return t.inputs.length === 0;
}
