// The engine's own ONNX Runtime binding (native/ort.cc, built at install beside the optimizer
// kernels): sessions on the ORT library that onnxruntime-node ships, with every input and output
// in caller-owned arrays. onnxruntime-node copies each output once more into a fresh JavaScript
// buffer (a training step's gradients are hundreds of MB: that copy cost about 0.3 s and as
// much memory per pix2pix iteration); this binding does not. Without the addon, or with
// IMG2IMG_ORT_BINDING=node, CompiledGraph runs on onnxruntime-node as before.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

export interface NativeSessionOptions {
  threads?: number;
  spinning?: boolean;
  arena?: boolean;
  /** One CPU arena for every session that asks for it (registered with ORT's environment once). */
  sharedArena?: boolean;
  /** How the shared arena grows (fixed at its first use): 0 in powers of two, 1 by what is asked. */
  arenaExtend?: 0 | 1;
  memPattern?: boolean;
  profilePrefix?: string;
}

/** [name, data, shape, ONNX element type (1 float32, 7 int64, 9 bool)] */
export type NativeValue = [string, Float32Array | BigInt64Array | Uint8Array, readonly number[], number];

export interface NativeOrt {
  createSession(model: Uint8Array, options: NativeSessionOptions): NativeSession;
  run(session: NativeSession, inputs: NativeValue[], outputs: NativeValue[]): Promise<void>;
  endProfiling(session: NativeSession): string;
  release(session: NativeSession): void;
}

/** An opaque session handle. */
export type NativeSession = { readonly __nativeSession: unique symbol };

function load(): { ort: NativeOrt | null; reason: string | null } {
  if (process.env.IMG2IMG_ORT_BINDING === 'node') return { ort: null, reason: 'IMG2IMG_ORT_BINDING=node' };
  if (process.platform !== 'linux') return { ort: null, reason: `not built for ${process.platform}` };
  const require = createRequire(import.meta.url);
  let addon: NativeOrt & { init(lib: string): string };
  try {
    addon = require('../../build/Release/img2img_ort.node');
  } catch (e) {
    return { ort: null, reason: `build/Release/img2img_ort.node did not load (${(e as Error).message.split('\n')[0]})` };
  }
  try {
    // The ORT library inside onnxruntime-node (its binding loads the same file).
    const pkg = dirname(require.resolve('onnxruntime-node/package.json'));
    const lib = join(pkg, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime.so.1');
    if (!existsSync(lib)) return { ort: null, reason: `${lib} is missing` };
    addon.init(lib);
    return { ort: addon, reason: null };
  } catch (e) {
    return { ort: null, reason: (e as Error).message };
  }
}

let loaded: ReturnType<typeof load> | null = null;

/** The binding, or null (then onnxruntime-node runs the graphs); loaded on first use. */
export function nativeOrt(): NativeOrt | null {
  loaded ??= load();
  return loaded.ort;
}

/** Why the binding is not in use (null when it is). */
export function nativeOrtUnavailable(): string | null {
  loaded ??= load();
  return loaded.reason;
}
