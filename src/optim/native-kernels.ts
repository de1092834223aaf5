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

function load(): { kernels: NativeKernels | null; reason: string | null } {
  if (process.env.IMG2IMG_NO_NATIVE) return { kernels: null, reason: 'IMG2IMG_NO_NATIVE is set' };
  try {
    return { kernels: createRequire(import.meta.url)('../../build/Release/img2img_kernels.node') as NativeKernels, reason: null };
  } catch (e) {
    return { kernels: null, reason: `build/Release/img2img_kernels.node did not load (${(e as Error).message.split('\n')[0]})` };
  }
}

const loaded = load();

/** The addon, or null (then the optimizers run their JavaScript loops). */
export const nativeKernels = loaded.kernels;

/** Why the addon is not in use (null when it is): the environment switch, or the load error. */
export const nativeKernelsUnavailable = loaded.reason;

/**
 * Which update loop an optimizer runs: 'auto' (the addon when it is built, else JavaScript),
 * 'native' (the addon; an error when it is not built) or 'js' (the JavaScript loop). Both loops
 * compute the same float32 update; the choice exists so each can be tested against PyTorch.
 */
export type KernelChoice = 'auto' | 'native' | 'js';

/** The addon to use for `choice`, or null for the JavaScript loop. */
export function selectKernels(choice: KernelChoice = 'auto'): NativeKernels | null {
  if (choice === 'js') return null;
  if (choice === 'native' && !nativeKernels) throw new Error(`native optimizer kernels requested but unavailable: ${nativeKernelsUnavailable}`);
  return nativeKernels;
}

/** Threads the kernels use: all cores (the updates are memory-bound and run between graph runs). */
export const kernelThreads = availableParallelism();
