// Maps the PyTorch fixture cases (tools/fixtures/ops.py) onto the engine's symbolic API.
import * as g from '../../src/graph/index.js';
import type { Tensor } from '../../src/graph/index.js';

type Attrs = Record<string, any>;
type Builder = (x: Tensor[], a: Attrs) => Tensor[];

const pads2 = (p: number[]) => [p[0], p[1], p[0], p[1]] as [number, number, number, number];

export const OP_BUILDERS: Record<string, Builder> = {
  conv2d: ([x, w, b], a) => [g.conv2d(x, w, b ?? null, { stride: a.stride, padding: pads2(a.padding), dilation: a.dilation })],
  conv_transpose2d: ([x, w, b], a) => [g.convTranspose2d(x, w, b ?? null, { stride: a.stride, padding: pads2(a.padding), dilation: a.dilation, outputPadding: a.output_padding })],
  linear: ([x, w, b]) => [g.linear(x, w, b ?? null)],
  matmul: ([x, y]) => [g.matmul(x, y)],
  add: ([x, y]) => [g.add(x, y)],
  sub: ([x, y]) => [g.sub(x, y)],
  mul: ([x, y]) => [g.mul(x, y)],
  div: ([x, y]) => [g.div(x, y)],
  neg: ([x]) => [g.neg(x)],
  exp: ([x]) => [g.exp(x)],
  log: ([x]) => [g.log(x)],
  sqrt: ([x]) => [g.sqrt(x)],
  abs: ([x]) => [g.abs(x)],
  sign: ([x]) => [g.sign(x)],
  relu: ([x]) => [g.relu(x)],
  leaky_relu: ([x], a) => [g.leakyRelu(x, a.negative_slope)],
  tanh: ([x]) => [g.tanh(x)],
  sigmoid: ([x]) => [g.sigmoid(x)],
  softplus: ([x]) => [g.softplus(x)],
  clip: ([x], a) => [g.clip(x, a.min, a.max)],
  pow: ([x, p], a) => [g.pow(x, p ?? a.exponent)],
  reduce_mean: ([x], a) => [g.reduceMean(x, a.axes, a.keepdims)],
  reduce_sum: ([x], a) => [g.reduceSum(x, a.axes, a.keepdims)],
  reduce_max: ([x], a) => [g.reduceMax(x, a.axes, a.keepdims)],
  concat: (xs, a) => [g.concat(xs, a.axis)],
  slice: ([x], a) => [g.slice(x, a.starts, a.ends, a.axes, a.steps)],
  reshape: ([x], a) => [g.reshape(x, a.shape)],
  transpose: ([x], a) => [g.transpose(x, a.perm)],
  pad: ([x], a) => [g.pad(x, a.pads, a.mode, a.value ?? 0)],
  resize: ([x], a) => [g.resize(x, a.size, a.mode, a.align_corners ?? false)],
  avg_pool2d: ([x], a) => [g.avgPool2d(x, { kernel: a.kernel, stride: a.stride, padding: a.padding })],
  global_avg_pool: ([x]) => [g.globalAvgPool(x)],
  space_to_depth: ([x], a) => [g.spaceToDepth(x, a.blocksize)],
  depth_to_space: ([x], a) => [g.depthToSpace(x, a.blocksize)],
  max_pool2d: ([x], a) => [g.maxPool2d(x, { kernel: a.kernel, stride: a.stride, padding: a.padding })],
  // The mask is the fixture's own; in training it comes from the seeded RNG.
  dropout: ([x, mask], a) => [g.mul(x, g.mul(mask, 1 / (1 - a.p)))],
  batch_norm_train: ([x, w, b, rm, rv], a) => {
    const { result, updates } = g.traced(() => g.batchNorm(x, w, b, rm, rv, { training: true, momentum: a.momentum, eps: a.eps }));
    return [result, ...updates.map((u) => u.value)];
  },
  batch_norm_eval: ([x, w, b, rm, rv], a) => [g.batchNorm(x, w, b, rm, rv, { training: false, eps: a.eps })],
  instance_norm: ([x, w, b], a) => [g.instanceNorm(x, w ?? null, b ?? null, a.eps)],
  bce_with_logits: ([x, t]) => [g.bceWithLogits(x, t)],
  mse_loss: ([x, t]) => [g.mseLoss(x, t)],
  l1_loss: ([x, t]) => [g.l1Loss(x, t)],
  cross_entropy: ([x, t]) => [g.crossEntropy(x, t)],
  log_softmax: ([x], a) => [g.logSoftmax(x, a.axis)],
  softmax: ([x], a) => [g.softmax(x, a.axis)],
};
