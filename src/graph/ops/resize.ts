import { Tensor, constant } from '../tensor.js';
import { ShapeError } from '../shape.js';
import { defineOp } from './registry.js';
import { matmul } from './matmul.js';

export type ResizeMode = 'nearest' | 'bilinear';

/** Resizes x [N,C,H,W] to `size` like torch.nn.functional.interpolate (no antialiasing). */
export function resize(x: Tensor, size: readonly [number, number], mode: ResizeMode = 'bilinear', alignCorners = false): Tensor {
  if (x.rank !== 4) throw new ShapeError('Resize', [x.shape], 'x [N,C,H,W]');
  if (mode === 'nearest' && alignCorners) throw new Error('Resize: align_corners applies to bilinear only');
  return new Tensor('Resize', [x], { mode, alignCorners: alignCorners ? 1 : 0 }, [x.shape[0], x.shape[1], size[0], size[1]]);
}

/**
 * The interpolation matrix R [out, in] of one axis, so that resizing is y = R x along it.
 * Same source-coordinate rules as PyTorch: nearest = floor(dst * in/out); bilinear = half-pixel
 * centres clamped at 0 (or corner-aligned).
 */
export function interpolationMatrix(inLen: number, outLen: number, mode: ResizeMode, alignCorners: boolean): Float32Array {
  const r = new Float32Array(outLen * inLen);
  for (let o = 0; o < outLen; o++) {
    if (mode === 'nearest') {
      r[o * inLen + Math.min(Math.floor((o * inLen) / outLen), inLen - 1)] = 1;
      continue;
    }
    let src = alignCorners ? (outLen > 1 ? (o * (inLen - 1)) / (outLen - 1) : 0) : Math.max(((o + 0.5) * inLen) / outLen - 0.5, 0);
    src = Math.min(src, inLen - 1);
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, inLen - 1);
    const t = src - i0;
    r[o * inLen + i0] += 1 - t;
    r[o * inLen + i1] += t;
  }
  return r;
}

defineOp('Resize', {
  emit: (n, ins, out, onnx) => {
    const nearest = n.attrs.mode === 'nearest';
    const attrs = nearest
      ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
      : { mode: 'linear', coordinate_transformation_mode: n.attrs.alignCorners ? 'align_corners' : 'pytorch_half_pixel' };
    onnx.node('Resize', [ins[0], '', '', onnx.int64(n.shape)], [out], attrs);
  },
  // Resizing is separable and linear: y = Rh x Rw^T, so the gradient is Rh^T g Rw.
  vjp: (n, g) => {
    const [, , h, w] = n.inputs[0].shape;
    const [, , ho, wo] = n.shape;
    const mode = n.attrs.mode as ResizeMode;
    const ac = n.attrs.alignCorners === 1;
    const rh = interpolationMatrix(h, ho, mode, ac);
    const rhT = new Float32Array(h * ho);
    for (let o = 0; o < ho; o++) for (let i = 0; i < h; i++) rhT[i * ho + o] = rh[o * h + i];
    const rw = constant(interpolationMatrix(w, wo, mode, ac), [wo, w]);
    return [matmul(constant(rhT, [h, ho]), matmul(g, rw))];
  },
});
