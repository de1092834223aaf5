/** Static shapes: every dimension is known when a graph is built. */
export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Thrown when an op is applied to tensors whose shapes or dtypes it cannot take. */
export class ShapeError extends Error {
  constructor(op: string, inputs: readonly Shape[], expected: string) {
    super(`${op}: got input shapes ${inputs.map(fmt).join(', ')}; expected ${expected}`);
    this.name = 'ShapeError';
  }
}

/** NumPy/ONNX multidirectional broadcasting of two shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new ShapeError(op, [a, b], 'shapes that broadcast (equal dims or 1)');
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Normalizes a possibly negative axis against a rank, with an error naming the op. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  return a;
}

/** Axes along which `from` was broadcast to reach `to` (for summing gradients back). */
export function broadcastAxes(from: Shape, to: Shape): number[] {
  const axes: number[] = [];
  const offset = to.length - from.length;
  for (let i = 0; i < to.length; i++) {
    const d = i < offset ? 1 : from[i - offset];
    if (d === 1 && to[i] !== 1) axes.push(i);
    else if (i < offset) axes.push(i);
  }
  return axes;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}
