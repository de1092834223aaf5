/**
 * Running an image-to-image generator on any image size: pad H and W up to what the network
 * accepts, run it, crop the output back to H x W.
 */
import * as g from '../graph/index.js';
import type { Tensor } from '../graph/tensor.js';
import type { Module } from '../nn/module.js';

/** The smallest size >= max(n, minSize) that is a multiple of `multiple`. */
export function paddedSize(n: number, multiple: number, minSize = multiple): number {
  if (!Number.isInteger(multiple) || multiple < 1) throw new Error(`paddedSize: multiple must be a positive integer, got ${multiple}`);
  return Math.ceil(Math.max(n, minSize, 1) / multiple) * multiple;
}

/**
 * Pads one spatial axis to `target`, splitting the padding evenly between both sides (so both
 * borders get the same treatment and each side needs as little as possible).
 *
 * Reflection is the padding of choice: it continues the image's own content across the border,
 * so the network sees plausible pixels instead of a hard dark frame (zero padding) that it would
 * render as a visible seam; it is also what the ResNet generator pads with internally. Reflection
 * is only defined for pads smaller than the side (a pixel cannot be mirrored from beyond the far
 * edge, and ONNX/PyTorch reject such pads), so tiny images whose pad reaches their own size are
 * padded by repeating the edge pixels instead.
 */
function padAxis(x: Tensor, axis: 2 | 3, target: number): { y: Tensor; before: number } {
  const n = x.shape[axis];
  const total = target - n;
  if (total === 0) return { y: x, before: 0 };
  const before = Math.floor(total / 2);
  const after = total - before;
  const pads = new Array<number>(8).fill(0);
  pads[axis] = before;
  pads[axis + 4] = after;
  return { y: g.pad(x, pads, Math.max(before, after) < n ? 'reflect' : 'edge'), before };
}

/**
 * `net.forward(x)` for an [N, C, H, W] input of any H and W: pads H and W up to multiples of
 * `multiple` (and at least `minSize`; see generatorMultiple / generatorMinSize), runs the network,
 * and crops its output to the input's H x W. The network's output must have its input's spatial
 * size, as image-to-image generators do. Differentiable: pad and crop have gradients.
 */
export function forwardAnySize(net: Module, x: Tensor, multiple: number, minSize = multiple): Tensor {
  if (x.rank !== 4) throw new Error(`forwardAnySize: expected an [N, C, H, W] input, got [${x.shape.join(', ')}]`);
  const [, , h, w] = x.shape;
  const ph = padAxis(x, 2, paddedSize(h, multiple, minSize));
  const pw = padAxis(ph.y, 3, paddedSize(w, multiple, minSize));
  const padded = pw.y;
  const y = net.forward(padded);
  if (y.rank !== 4 || y.shape[2] !== padded.shape[2] || y.shape[3] !== padded.shape[3]) {
    throw new Error(`forwardAnySize: the network turned a ${padded.shape[2]}x${padded.shape[3]} input into [${y.shape.join(', ')}]; `
      + "it works only for networks whose output keeps the input's size");
  }
  if (padded === x) return y;
  return g.slice(y, [ph.before, pw.before], [ph.before + h, pw.before + w], [2, 3]);
}
