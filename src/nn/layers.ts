import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import { Module } from './module.js';
import type { Parameter, Buffer } from './parameter.js';
import { fans, uniform } from './init.js';

type Pair = number | [number, number];

let shapesOnly = false;

/**
 * Builds modules for their shapes only: no default init (so nothing is allocated, the parameter
 * arrays being lazy, and the init stream is not drawn from). For sizing a network a file
 * describes before building it for real.
 */
export function buildShapesOnly<T>(build: () => T): T {
  const was = shapesOnly;
  shapesOnly = true;
  try {
    return build();
  } finally {
    shapesOnly = was;
  }
}

/** PyTorch's default init for conv and linear layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
function defaultInit(weight: Parameter, bias: Parameter | null): void {
  if (shapesOnly) return;
  const bound = 1 / Math.sqrt(fans(weight.shape).fanIn);
  uniform(weight, -bound, bound);
  if (bias) uniform(bias, -bound, bound);
}

const pair = (p: Pair): [number, number] => (typeof p === 'number' ? [p, p] : p);

export class Conv2d extends Module {
  static initKind = 'conv';
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  constructor(
    readonly inChannels: number, readonly outChannels: number, readonly kernel: Pair,
    readonly opts: { stride?: Pair; padding?: Pair; dilation?: Pair; bias?: boolean } = {},
  ) {
    super();
    const [kh, kw] = pair(kernel);
    this.weight = this.addParameter('weight', [outChannels, inChannels, kh, kw]);
    this.bias = opts.bias === false ? null : this.addParameter('bias', [outChannels]);
    defaultInit(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    const o = this.opts;
    const padding = o.padding === undefined ? 0 : pair(o.padding);
    return g.conv2d(x, this.weight.tensor, this.bias?.tensor ?? null, { stride: o.stride, padding, dilation: o.dilation });
  }
}

export class ConvTranspose2d extends Module {
  static initKind = 'conv';
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  constructor(
    readonly inChannels: number, readonly outChannels: number, readonly kernel: Pair,
    readonly opts: { stride?: Pair; padding?: Pair; outputPadding?: Pair; bias?: boolean } = {},
  ) {
    super();
    const [kh, kw] = pair(kernel);
    this.weight = this.addParameter('weight', [inChannels, outChannels, kh, kw]);
    this.bias = opts.bias === false ? null : this.addParameter('bias', [outChannels]);
    defaultInit(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    const o = this.opts;
    const padding = o.padding === undefined ? 0 : pair(o.padding);
    return g.convTranspose2d(x, this.weight.tensor, this.bias?.tensor ?? null, { stride: o.stride, padding, outputPadding: o.outputPadding });
  }
}

export class Linear extends Module {
  static initKind = 'linear';
  readonly weight: Parameter;
  readonly bias: Parameter | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, bias = true) {
    super();
    this.weight = this.addParameter('weight', [outFeatures, inFeatures]);
    this.bias = bias ? this.addParameter('bias', [outFeatures]) : null;
    defaultInit(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    return g.linear(x.rank === 2 ? x : g.flatten(x), this.weight.tensor, this.bias?.tensor ?? null);
  }
}

/** BatchNorm1d/2d: batch statistics in training mode, running statistics in eval mode. */
export class BatchNorm extends Module {
  static initKind = 'batchnorm';
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Buffer;
  readonly runningVar: Buffer;
  numBatchesTracked = 0;
  constructor(readonly numFeatures: number, readonly opts: { eps?: number; momentum?: number; affine?: boolean } = {}) {
    super();
    const affine = opts.affine ?? true;
    this.weight = affine ? this.addParameter('weight', [numFeatures]) : null;
    this.bias = affine ? this.addParameter('bias', [numFeatures]) : null;
    this.weight?.data.fill(1);
    this.runningMean = this.addBuffer('running_mean', [numFeatures], 0);
    this.runningVar = this.addBuffer('running_var', [numFeatures], 1);
    this.runningMean.onUpdate = () => this.numBatchesTracked++;
    // Kept for state_dict compatibility with PyTorch; training steps advance it.
    this.addExtraState('num_batches_tracked', {
      get: () => ({ dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(this.numBatchesTracked)) }),
      set: (t) => (this.numBatchesTracked = Number(t.data[0])),
    });
  }
  forward(x: Tensor): Tensor {
    return g.batchNorm(x, this.weight?.tensor ?? null, this.bias?.tensor ?? null, this.runningMean.tensor, this.runningVar.tensor, {
      training: this.training,
      momentum: this.opts.momentum,
      eps: this.opts.eps,
    });
  }
}

/** InstanceNorm2d without running statistics (track_running_stats=False, as the reference uses it). */
export class InstanceNorm2d extends Module {
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  constructor(readonly numFeatures: number, readonly opts: { eps?: number; affine?: boolean } = {}) {
    super();
    this.weight = opts.affine ? this.addParameter('weight', [numFeatures]) : null;
    this.bias = opts.affine ? this.addParameter('bias', [numFeatures]) : null;
    this.weight?.data.fill(1);
  }
  forward(x: Tensor): Tensor {
    return g.instanceNorm(x, this.weight?.tensor ?? null, this.bias?.tensor ?? null, this.opts.eps);
  }
}

/** A parameter-free function as a layer (keeps Sequential indices aligned with PyTorch's). */
export class Lambda extends Module {
  constructor(readonly name: string, private readonly fn: (x: Tensor, training: boolean) => Tensor) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.fn(x, this.training);
  }
}

export const ReLU = () => new Lambda('ReLU', (x) => g.relu(x));
export const LeakyReLU = (slope = 0.01) => new Lambda('LeakyReLU', (x) => g.leakyRelu(x, slope));
export const Tanh = () => new Lambda('Tanh', (x) => g.tanh(x));
export const Sigmoid = () => new Lambda('Sigmoid', (x) => g.sigmoid(x));
export const Identity = () => new Lambda('Identity', (x) => x);
export const Dropout = (p = 0.5) => new Lambda('Dropout', (x, training) => g.dropout(x, p, training));
export const ReflectionPad2d = (p: number) => new Lambda('ReflectionPad2d', (x) => g.pad(x, [0, 0, p, p, 0, 0, p, p], 'reflect'));
export const ReplicationPad2d = (p: number) => new Lambda('ReplicationPad2d', (x) => g.pad(x, [0, 0, p, p, 0, 0, p, p], 'edge'));
export const Flatten = () => new Lambda('Flatten', (x) => g.flatten(x));

/** Children named 0, 1, 2, ... applied in order (torch.nn.Sequential). */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.addModule(String(i), m));
  }
  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, m) => m.forward(h), x);
  }
}
