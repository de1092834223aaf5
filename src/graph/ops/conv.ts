import { Tensor, constant } from '../tensor.js';
import { ShapeError } from '../shape.js';
import { defineOp } from './registry.js';
import { concat, pad, reduceSum, reshape, slice, transpose } from './shape-ops.js';
import { matmul, mT } from './matmul.js';
import { spaceToDepth } from './space-depth.js';

export type Pair = number | readonly [number, number];
/** Symmetric [ph, pw] or ONNX-ordered [top, left, bottom, right]. */
export type Padding = number | readonly [number, number] | readonly [number, number, number, number];

export interface ConvOptions { stride?: Pair; padding?: Padding; dilation?: Pair; group?: number }
export interface ConvTransposeOptions extends ConvOptions { outputPadding?: Pair }

const pair = (p: Pair | undefined, dflt: number): [number, number] => (p === undefined ? [dflt, dflt] : typeof p === 'number' ? [p, p] : [p[0], p[1]]);
function pads4(p: Padding | undefined): [number, number, number, number] {
  if (p === undefined) return [0, 0, 0, 0];
  if (typeof p === 'number') return [p, p, p, p];
  return p.length === 2 ? [p[0], p[1], p[0], p[1]] : [p[0], p[1], p[2], p[3]];
}

/** 2-D convolution (PyTorch Conv2d): x [N,C,H,W], w [K,C/group,kh,kw], optional bias [K]. */
export function conv2d(x: Tensor, w: Tensor, b: Tensor | null = null, opts: ConvOptions = {}): Tensor {
  const strides = pair(opts.stride, 1);
  const dilations = pair(opts.dilation, 1);
  const pads = pads4(opts.padding);
  const group = opts.group ?? 1;
  const shapes = b ? [x.shape, w.shape, b.shape] : [x.shape, w.shape];
  if (x.rank !== 4 || w.rank !== 4 || x.shape[1] !== w.shape[1] * group || w.shape[0] % group !== 0) {
    throw new ShapeError('Conv', shapes, `x [N,C,H,W] and weight [K,C/${group},kh,kw] with matching C`);
  }
  if (b && (b.rank !== 1 || b.shape[0] !== w.shape[0])) throw new ShapeError('Conv', shapes, `bias [${w.shape[0]}]`);
  const out = [0, 1].map((i) => Math.floor((x.shape[2 + i] + pads[i] + pads[i + 2] - dilations[i] * (w.shape[2 + i] - 1) - 1) / strides[i]) + 1);
  if (out.some((d) => d <= 0)) throw new ShapeError('Conv', shapes, `an input at least as large as the (dilated) kernel after padding [${pads}]`);
  return new Tensor('Conv', b ? [x, w, b] : [x, w], { strides, pads, dilations, group }, [x.shape[0], w.shape[0], out[0], out[1]]);
}

/** 2-D transposed convolution (PyTorch ConvTranspose2d): x [N,Cin,H,W], w [Cin,Cout/group,kh,kw]. */
export function convTranspose2d(x: Tensor, w: Tensor, b: Tensor | null = null, opts: ConvTransposeOptions = {}): Tensor {
  const strides = pair(opts.stride, 1);
  const dilations = pair(opts.dilation, 1);
  const outputPadding = pair(opts.outputPadding, 0);
  const pads = pads4(opts.padding);
  const group = opts.group ?? 1;
  const shapes = b ? [x.shape, w.shape, b.shape] : [x.shape, w.shape];
  if (x.rank !== 4 || w.rank !== 4 || x.shape[1] !== w.shape[0]) {
    throw new ShapeError('ConvTranspose', shapes, 'x [N,Cin,H,W] and weight [Cin,Cout,kh,kw] with matching Cin');
  }
  const cout = w.shape[1] * group;
  if (b && (b.rank !== 1 || b.shape[0] !== cout)) throw new ShapeError('ConvTranspose', shapes, `bias [${cout}]`);
  if (outputPadding.some((p, i) => p >= Math.max(strides[i], dilations[i]))) {
    throw new ShapeError('ConvTranspose', shapes, `output padding smaller than stride or dilation, got [${outputPadding}]`);
  }
  const out = [0, 1].map((i) => (x.shape[2 + i] - 1) * strides[i] - pads[i] - pads[i + 2] + dilations[i] * (w.shape[2 + i] - 1) + outputPadding[i] + 1);
  const attrs = { strides, pads, dilations, group, output_padding: outputPadding };
  return new Tensor('ConvTranspose', b ? [x, w, b] : [x, w], attrs, [x.shape[0], cout, out[0], out[1]]);
}

/**
 * Largest im2col column matrix of a weight gradient, in floats (64 MB; read at graph-build time). A larger one is built and
 * multiplied in groups of input channels, each group's columns freed before the next is built:
 * a 7x7 convolution from 64 channels at 256x256 (CycleGAN's last layer) would otherwise hold
 * 64*49 x 65536 floats (822 MB) plus the 49 slices they are concatenated from.
 * `flippedColumns`: the ConvTranspose column buffer (floats) above which a stride-1 convolution
 * between equal channel counts takes its input gradient as a flipped-kernel Conv (see flippedInputGrad).
 * `correlationBelowChannels`: weight gradients of convolutions with fewer output channels are one
 * Conv (weightGradByCorrelation). `phaseSlices`: strided weight-gradient taps read from SpaceToDepth phases.
 */
export const convTuning = { weightGradColumns: 16 << 20, flippedColumns: 4 << 20, correlationBelowChannels: 16, phaseSlices: true };

/**
 * Gradient of a convolution's weight: the correlation of its (padded) input with the output
 * gradient, as one GEMM over im2col columns:
 *   gw[k, (c,a,b)] = sum over (n,i,j) of gy[n,k,i,j] * xpad[n, c, s*i + d*a, s*j + d*b].
 * The columns are kh*kw strided slices of the input, so the result comes out directly in
 * [K, C, kh, kw] layout: no transpose of a weight-sized tensor (ORT's Transpose is slow there).
 * Columns above convTuning.weightGradColumns floats are done per group of input channels (results
 * concatenated on the channel axis).
 */
function convWeightGrad(x: Tensor, gy: Tensor, kernel: readonly number[], n: Tensor): Tensor {
  const { strides, pads, dilations } = n.attrs as { strides: number[]; pads: number[]; dilations: number[] };
  const [batch, c] = x.shape;
  const [, k, ho, wo] = gy.shape;
  const [kh, kw] = kernel;
  if (k < convTuning.correlationBelowChannels) return weightGradByCorrelation(x, gy, kernel, n);
  // Channels first, so each slice below is already [C, N*Ho*Wo] in memory order.
  const xc = batch === 1 ? reshape(x, [c, 1, x.shape[2], x.shape[3]]) : transpose(x, [1, 0, 2, 3]);
  // Strided taps come from the input split into its stride phases (SpaceToDepth), where they are
  // plain windows: ORT copies a stride-2 slice element by element, about ten times slower.
  const s = strides[0];
  const phased = convTuning.phaseSlices && batch === 1 && s > 1 && strides[1] === s;
  const extra = (len: number) => (phased ? (s - (len % s)) % s : 0);
  const [hp, wp] = [x.shape[2] + pads[0] + pads[2], x.shape[3] + pads[1] + pads[3]];
  const endPads = [pads[2] + extra(hp), pads[3] + extra(wp)];
  const xpad = pads.some((p) => p !== 0) || phased ? pad(xc, [0, 0, pads[0], pads[1], 0, 0, endPads[0], endPads[1]]) : xc;
  const phases = phased ? spaceToDepth(reshape(xpad, [1, c, xpad.shape[2], xpad.shape[3]]), s) : null;
  const gyk = reshape(batch === 1 ? gy : transpose(gy, [1, 0, 2, 3]), [k, batch * ho * wo]);
  const perChannel = kh * kw * batch * ho * wo;
  const group = Math.max(1, Math.min(c, Math.floor(convTuning.weightGradColumns / perChannel)));
  const parts: Tensor[] = [];
  for (let c0 = 0; c0 < c; c0 += group) {
    const cg = Math.min(group, c - c0);
    const columns: Tensor[] = [];
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const y0 = a * dilations[0];
        const x0 = b * dilations[1];
        const ends = [y0 + strides[0] * (ho - 1) + 1, x0 + strides[1] * (wo - 1) + 1];
        const phase = ((y0 % s) * s + (x0 % s)) * c + c0;
        const [py, px] = [Math.floor(y0 / s), Math.floor(x0 / s)];
        const tap = phases
          ? slice(phases, [phase, py, px], [phase + cg, py + ho, px + wo], [1, 2, 3])
          : cg === c
            ? slice(xpad, [y0, x0], ends, [2, 3], [strides[0], strides[1]])
            : slice(xpad, [c0, y0, x0], [c0 + cg, ...ends], [0, 2, 3], [1, strides[0], strides[1]]);
        columns.push(reshape(tap, [cg, 1, batch * ho * wo]));
      }
    }
    const cols = reshape(columns.length === 1 ? columns[0] : concat(columns, 1), [cg * kh * kw, batch * ho * wo]);
    parts.push(reshape(matmul(gyk, mT(cols)), [k, cg, kh, kw]));
  }
  return parts.length === 1 ? parts[0] : concat(parts, 1);
}

/**
 * Whether a stride-1 convolution's input gradient runs faster as a Conv of the output gradient with
 * the flipped, transposed kernel than as a ConvTranspose. ORT's ConvTranspose multiplies into a
 * column buffer of (input channels x kh*kw x output pixels) floats and folds it back single-threaded
 * (col2im), so it loses when the input has more channels than the output (CycleGAN's 64 -> 3 last
 * layer at 128 px: 27 ms as ConvTranspose, 2.2 ms as Conv; D's 512 -> 1: 0.71 vs 0.13 ms) or when
 * that buffer outgrows the cache (256 -> 256 at 64x64: 29.0 vs 25.2 ms; 64 -> 64 at 128x128: 10.1 vs
 * 6.9 ms), and wins otherwise (256 -> 256 at 32x32: 7.4 vs 7.8 ms; 256 -> 512 at 15x15: 5.6 vs 7.3 ms).
 * Measured on the 2-core machine, each path alone.
 */
export function flippedInputGrad(n: Tensor): boolean {
  const { strides, pads, dilations, group } = n.attrs as { strides: number[]; pads: number[]; dilations: number[]; group: number };
  const w = n.inputs[1];
  const [kh, kw] = w.shape.slice(2);
  if (group !== 1 || strides.some((s) => s !== 1) || dilations.some((d) => d !== 1)) return false;
  if (pads[0] >= kh || pads[2] >= kh || pads[1] >= kw || pads[3] >= kw) return false;
  const [cout, cin] = [w.shape[0], w.shape[1]];
  const columns = cin * kh * kw * n.shape[2] * n.shape[3];
  return cout < cin || (cout === cin && columns >= convTuning.flippedColumns);
}

/**
 * The kernel of a convolution's adjoint: [K, C, kh, kw] -> [C, K, kh, kw], rotated by 180 degrees.
 * The rotation reverses each kh*kw block, done as a product with the exchange matrix (exact: one
 * term per output) because ORT's Slice with negative steps copies element by element (256x256x3x3:
 * 2.5 ms against 0.13 ms).
 */
function flipKernel(w: Tensor): Tensor {
  const [k, c, kh, kw] = w.shape;
  const taps = kh * kw;
  const exchange = new Float32Array(taps * taps);
  for (let i = 0; i < taps; i++) exchange[i * taps + (taps - 1 - i)] = 1;
  const rotated = reshape(matmul(reshape(w, [k * c, taps]), constant(exchange, [taps, taps])), [k, c, kh, kw]);
  return transpose(rotated, [1, 0, 2, 3]);
}

/**
 * A weight gradient with few output channels (CycleGAN's 64 -> 3 last layer, PatchGAN's 512 -> 1) as
 * one Conv: the input's channels become the batch and the output gradient the kernel,
 *   gw[k, c, a, b] = conv(x as [C, N, H, W], gy as [K, N, Ho, Wo]; stride = dilation, dilation = stride),
 * so ORT builds its small im2col per channel inside the Conv instead of the graph building all
 * kh*kw slices (7x7 from 64 channels at 128 px: 17 ms instead of 46; 65 instead of 204 at 256 px).
 * With many output channels the single GEMM over columns is faster (256 -> 256 3x3: 9.3 vs 18.4 ms).
 */
function weightGradByCorrelation(x: Tensor, gy: Tensor, kernel: readonly number[], n: Tensor): Tensor {
  const { strides, pads, dilations } = n.attrs as { strides: number[]; pads: number[]; dilations: number[] };
  const [batch, c, h, w] = x.shape;
  const [, k, ho, wo] = gy.shape;
  const xc = batch === 1 ? reshape(x, [c, 1, h, w]) : transpose(x, [1, 0, 2, 3]);
  const gyk = batch === 1 ? reshape(gy, [k, 1, ho, wo]) : transpose(gy, [1, 0, 2, 3]);
  const window = { stride: [dilations[0], dilations[1]] as [number, number], dilation: [strides[0], strides[1]] as [number, number] };
  let gw = conv2d(xc, gyk, null, { ...window, padding: pads as [number, number, number, number] });
  // Rows and columns the forward window never reached (a stride that does not divide the input) are dropped.
  if (gw.shape[2] !== kernel[0] || gw.shape[3] !== kernel[1]) gw = slice(gw, [0, 0], [kernel[0], kernel[1]], [2, 3]);
  return transpose(gw, [1, 0, 2, 3]);
}

/** The gradient of a convolution's input: a ConvTranspose of the output gradient, or for some stride-1 ones a Conv with the rotated kernel. */
function convInputGrad(n: Tensor, gy: Tensor): Tensor {
  const [x, w] = n.inputs;
  const { strides, pads, dilations, group } = n.attrs as { strides: number[]; pads: number[]; dilations: number[]; group: number };
  if (flippedInputGrad(n)) {
    // Full correlation: each side padded by kernel - 1 - its forward padding.
    const padding = [0, 1, 2, 3].map((i) => w.shape[2 + (i % 2)] - 1 - pads[i]) as [number, number, number, number];
    return conv2d(gy, flipKernel(w), null, { padding });
  }
  const full = [0, 1].map((i) => (n.shape[2 + i] - 1) * strides[i] - pads[i] - pads[i + 2] + dilations[i] * (w.shape[2 + i] - 1) + 1);
  const outputPadding: [number, number] = [x.shape[2] - full[0], x.shape[3] - full[1]];
  const window = { stride: [strides[0], strides[1]] as [number, number], dilation: [dilations[0], dilations[1]] as [number, number] };
  return convTranspose2d(gy, w, null, { ...window, padding: pads as [number, number, number, number], outputPadding, group });
}

/** Weight gradients are implemented for ungrouped convolutions; input gradients for any group. */
function requireGroup1(n: Tensor): void {
  if (n.attrs.group !== 1) throw new Error(`${n.op}: weight gradients of grouped convolutions (group ${n.attrs.group}) are not supported`);
}

const emitConv = (opType: string) => (n: Tensor, ins: readonly string[], out: string, onnx: import('./registry.js').OnnxEmitter) => {
  const { strides, pads, dilations, group, output_padding } = n.attrs;
  const kernel_shape = n.inputs[1].shape.slice(2);
  const attrs = { strides, pads, dilations, group, kernel_shape, ...(opType === 'ConvTranspose' ? { output_padding } : {}) };
  onnx.node(opType, ins, [out], attrs);
};

defineOp('Conv', {
  emit: emitConv('Conv'),
  vjp: (n, g, need) => {
    if (need[1]) requireGroup1(n);
    const [x, w] = n.inputs;
    const gx = need[0] ? convInputGrad(n, g) : null;
    const gw = need[1] ? convWeightGrad(x, g, w.shape.slice(2), n) : null;
    const gb = need[2] ? reduceSum(g, [0, 2, 3]) : null;
    return [gx, gw, gb];
  },
});

defineOp('ConvTranspose', {
  emit: emitConv('ConvTranspose'),
  vjp: (n, g, need) => {
    if (need[1]) requireGroup1(n);
    const [x, w] = n.inputs;
    const { strides, pads, dilations } = n.attrs as { strides: number[]; pads: number[]; dilations: number[] };
    const window = { stride: [strides[0], strides[1]] as [number, number], dilation: [dilations[0], dilations[1]] as [number, number] };
    const gx = need[0] ? conv2d(g, w, null, { ...window, padding: pads as [number, number, number, number], group: n.attrs.group as number }) : null;
    const gw = need[1] ? convWeightGrad(g, x, w.shape.slice(2), n) : null;
    const gb = need[2] ? reduceSum(g, [0, 2, 3]) : null;
    return [gx, gw, gb];
  },
});

