import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';

/** The optional native optimizer kernels (native/adam.cc, built at install by scripts/build-kernels.mjs). */
export interface NativeKernels {
  adam(
    w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
    b1: number, b2: number, stepSize: number, bc2Sqrt: number, eps: number, weightDecay: number, threads: number,
  ): void;
  sgd(w: Float32Array, g: Float32Array, buf: Float32Array, lr: number, momentum: number, weightDecay: number, first: boolean, threads: number): void;
}

function load(): NativeKernels | null {
  if (process.env.IMG2IMG_NO_NATIVE) return null;
  try {
    return createRequire(import.meta.url)('../../build/Release/img2img_kernels.node') as NativeKernels;
  } catch {
    return null;
  }
}

/** The addon, or null (then the optimizers run their JavaScript loops). */
export const nativeKernels = load();

/** Threads the kernels use: all cores (the updates are memory-bound and run between graph runs). */
export const kernelThreads = availableParallelism();
