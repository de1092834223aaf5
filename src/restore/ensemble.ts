// Geometric self-ensemble (Lim et al., EDSR+, 2017): run the model on the mirrored and rotated
// copies of a window, undo each transform on its output and average. A mosaic is as valid mirrored
// or rotated as it is, and the model was trained with flips, so each copy is an equally good
// estimate whose errors are partly independent: the mean has a lower squared error than any one
// (measured in bench/restore/evaluate.ts), at 8 (square) or 4 (flips only) times the cost.

/** A model on CHW float tensors: (data, [1, C, H, W]) -> output of the same H and W. */
export type TensorModel = (x: Float32Array, shape: readonly number[]) => Promise<Float32Array>;

/**
 * Where output pixel (x, y) of symmetry k (0..7) of a w x h plane comes from: bit 2 transposes
 * (square planes only), then bit 0 mirrors x and bit 1 mirrors y.
 */
function sourceIndex(k: number, w: number, h: number): (x: number, y: number) => number {
  const fx = k & 1, fy = k & 2, t = k & 4;
  return (x, y) => {
    const xx = fx ? w - 1 - x : x, yy = fy ? h - 1 - y : y;
    return t ? xx * w + yy : yy * w + xx;
  };
}

/** Symmetry k of every plane of a C x H x W tensor (`inverse`: undoes it). */
export function transformPlanes(data: Float32Array, c: number, h: number, w: number, k: number, inverse = false): Float32Array {
  if (k & 4 && w !== h) throw new Error(`transformPlanes: a transpose needs a square plane, got ${w}x${h}`);
  const src = sourceIndex(k, w, h);
  const out = new Float32Array(data.length);
  const plane = w * h;
  for (let ch = 0; ch < c; ch++) {
    const o = ch * plane;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        // forward: gather from the source pixel; inverse: scatter back to it.
        if (inverse) out[o + src(x, y)] = data[o + y * w + x];
        else out[o + y * w + x] = data[o + src(x, y)];
      }
    }
  }
  return out;
}

/** `model` averaged over the 8 symmetries of square inputs (the 4 mirrorings of others). */
export function selfEnsemble(model: TensorModel): TensorModel {
  return async (x, shape) => {
    const [, c, h, w] = shape;
    const count = w === h ? 8 : 4;
    let sum: Float32Array | null = null;
    for (let k = 0; k < count; k++) {
      const y = await model(transformPlanes(x, c, h, w, k), shape);
      const back = transformPlanes(y, y.length / (h * w), h, w, k, true);
      if (!sum) sum = back;
      else for (let i = 0; i < sum.length; i++) sum[i] += back[i];
    }
    for (let i = 0; i < sum!.length; i++) sum![i] /= count;
    return sum!;
  };
}
