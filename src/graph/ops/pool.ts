import { Tensor, constant } from '../tensor.js';
import { ShapeError } from '../shape.js';
import { defineOp, onnxOp } from './registry.js';
import { div } from './elementwise.js';
import { expand } from './shape-ops.js';
import { convTranspose2d, type Pair } from './conv.js';

export interface PoolOptions { kernel: Pair; stride?: Pair; padding?: Pair }

const pair = (p: Pair | undefined, d: number): [number, number] => (p === undefined ? [d, d] : typeof p === 'number' ? [p, p] : [p[0], p[1]]);

function poolAttrs(op: string, x: Tensor, o: PoolOptions) {
  if (x.rank !== 4) throw new ShapeError(op, [x.shape], 'x [N,C,H,W]');
  const kernel_shape = pair(o.kernel, 1);
  const strides = pair(o.stride, kernel_shape[0]);
  const [ph, pw] = pair(o.padding, 0);
  const pads = [ph, pw, ph, pw];
  const out = [0, 1].map((i) => Math.floor((x.shape[2 + i] + 2 * pads[i] - kernel_shape[i]) / strides[i]) + 1);
  if (out.some((d) => d <= 0)) throw new ShapeError(op, [x.shape], `an input at least as large as the kernel [${kernel_shape}]`);
  return { attrs: { kernel_shape, strides, pads }, shape: [x.shape[0], x.shape[1], out[0], out[1]] };
}

/** Average pooling; padded zeros count in the average (PyTorch's default count_include_pad=True). */
export function avgPool2d(x: Tensor, o: PoolOptions): Tensor {
  const { attrs, shape } = poolAttrs('AveragePool', x, o);
  return new Tensor('AveragePool', [x], { ...attrs, count_include_pad: 1 }, shape);
}

export function maxPool2d(x: Tensor, o: PoolOptions): Tensor {
  const { attrs, shape } = poolAttrs('MaxPool', x, o);
  return new Tensor('MaxPool', [x], attrs, shape);
}

export function globalAvgPool(x: Tensor): Tensor {
  if (x.rank !== 4) throw new ShapeError('GlobalAveragePool', [x.shape], 'x [N,C,H,W]');
  return new Tensor('GlobalAveragePool', [x], {}, [x.shape[0], x.shape[1], 1, 1]);
}

defineOp('AveragePool', {
  emit: onnxOp('AveragePool'),
  // Each input pixel receives 1/(kh*kw) of the gradient of every window that covers it:
  // a depthwise transposed convolution with a constant kernel.
  vjp: (n, g) => {
    const x = n.inputs[0];
    const [kh, kw] = n.attrs.kernel_shape as number[];
    const strides = n.attrs.strides as number[];
    const pads = n.attrs.pads as [number, number, number, number];
    const c = x.shape[1];
    const w = constant(new Float32Array(c * kh * kw).fill(1 / (kh * kw)), [c, 1, kh, kw]);
    const full = [0, 1].map((i) => (g.shape[2 + i] - 1) * strides[i] - pads[i] - pads[i + 2] + [kh, kw][i]);
    const outputPadding: [number, number] = [x.shape[2] - full[0], x.shape[3] - full[1]];
    return [convTranspose2d(g, w, null, { stride: [strides[0], strides[1]], padding: pads, group: c, outputPadding })];
  },
});

defineOp('GlobalAveragePool', {
  emit: onnxOp('GlobalAveragePool'),
  vjp: (n, g) => {
    const [, , h, w] = n.inputs[0].shape;
    return [expand(div(g, h * w), n.inputs[0].shape)];
  },
});

defineOp('MaxPool', {
  emit: onnxOp('MaxPool'),
  vjp: (n, g) => [new Tensor('MaxPoolGrad', [n.inputs[0], g], n.attrs, n.inputs[0].shape)],
});

// Routes each window's gradient to its arg-max: MaxPool's indices (flat over the whole tensor)
// address a ScatterElements(add) into zeros.
defineOp('MaxPoolGrad', {
  emit: (n, ins, out, onnx) => {
    const [, indices] = onnx.node('MaxPool', [ins[0]], 2, { ...n.attrs });
    const total = n.shape.reduce((a, b) => a * b, 1);
    const [zeros] = onnx.node('ConstantOfShape', [onnx.int64([total])], 1);
    const flat = onnx.int64([-1]);
    const [idx] = onnx.node('Reshape', [indices, flat], 1);
    const [upd] = onnx.node('Reshape', [ins[1], flat], 1);
    const [scattered] = onnx.node('ScatterElements', [zeros, idx, upd], 1, { axis: 0, reduction: 'add' });
    onnx.node('Reshape', [scattered, onnx.int64(n.shape)], [out]);
  },
});
