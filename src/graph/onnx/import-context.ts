// What the per-op importers share: the values converted so far (engine tensors for float values,
// host values for folded shape arithmetic) and the helpers that read them.
import { Tensor, constant } from '../tensor.js';
import { fmt } from '../shape.js';
import { attrInts, attrString, type HostValue, type OnnxNode } from './import-proto.js';

export type Static = HostValue;

export interface Ctx {
  what: string;
  opset: number;
  values: Map<string, Tensor>;
  statics: Map<string, Static>;
  intercept?: (valueName: string, t: Tensor) => Tensor;
}

/** The engine tensor of a float value (initializers become constants on first use). */
export function floatOf(ctx: Ctx, name: string): Tensor {
  const t = ctx.values.get(name);
  if (t) return t;
  const s = ctx.statics.get(name);
  if (s) {
    if (s.dtype !== 'float32') throw new Error(`'${name}' is an int64 tensor where a float tensor is needed`);
    const c = constant(s.data, s.dims);
    ctx.values.set(name, c);
    return c;
  }
  throw new Error(`input '${name}' is not computed by any earlier node`);
}

export const optional = (n: OnnxNode, i: number): string | undefined => (n.input?.[i] ? n.input[i] : undefined);

export function staticInts(ctx: Ctx, name: string, what: string): number[] {
  const s = ctx.statics.get(name);
  if (!s) throw new Error(`${what} '${name}' must be a constant (computed shapes are not supported)`);
  return Array.from(s.data, Number);
}

export function staticScalar(ctx: Ctx, name: string | undefined, what: string): number | undefined {
  if (!name) return undefined;
  const s = ctx.statics.get(name);
  if (!s || s.data.length !== 1) throw new Error(`${what} '${name}' must be a constant scalar`);
  return Number(s.data[0]);
}

/** True when every input of the node is a folded (host) value: shape arithmetic. */
export const allStatic = (ctx: Ctx, n: OnnxNode) => (n.input ?? []).filter(Boolean).every((i) => ctx.statics.has(i) && !ctx.values.has(i));

export function setOut(ctx: Ctx, n: OnnxNode, t: Tensor): void {
  const name = n.output![0];
  ctx.values.set(name, ctx.intercept ? ctx.intercept(name, t) : t);
}

export function setStatic(ctx: Ctx, n: OnnxNode, v: Static): void {
  ctx.statics.set(n.output![0], v);
}

export function requireOnlyFirstOutput(n: OnnxNode): void {
  const more = (n.output ?? []).slice(1).filter(Boolean);
  if (more.length) throw new Error(`only the first output is supported (the node also outputs ${more.join(', ')})`);
}

/** pads [t, l, b, r] for auto_pad SAME_UPPER/SAME_LOWER/VALID, or the explicit attribute. */
export function spatialPads(
  n: OnnxNode, inHW: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[],
): [number, number, number, number] {
  const autoPad = attrString(n, 'auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const p = [0, 1].map((i) => {
      const out = Math.ceil(inHW[i] / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inHW[i]);
      const small = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    });
    return [p[0][0], p[1][0], p[0][1], p[1][1]];
  }
  const pads = attrInts(n, 'pads') ?? [0, 0, 0, 0];
  if (pads.length !== 4) throw new Error(`only 2-D ops are supported (pads [${pads}])`);
  return [pads[0], pads[1], pads[2], pads[3]];
}

export function require4d(x: Tensor, op: string): void {
  if (x.rank !== 4) throw new Error(`${op} on a ${x.rank}-D tensor ${fmt(x.shape)}: only 2-D images [N,C,H,W] are supported`);
}


/** True when `name` is a folded host value (not an engine tensor). */
export const isStatic = (ctx: Ctx, name: string): boolean => ctx.statics.has(name) && !ctx.values.has(name);
