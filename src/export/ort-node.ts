// An exported model on onnxruntime-node, as an OnnxRun (run-onnx.ts): what `export` checks its
// output with, and what tests use to compare the exported graphs with the engine.
import * as ort from 'onnxruntime-node';
import type { RuntimeOptions } from '../runtime/session.js';
import type { OnnxRun } from './run-onnx.js';

export interface OnnxSession { run: OnnxRun; release(): Promise<void> }

/** Opens ONNX bytes in onnxruntime-node (CPU unless the runtime options say otherwise). */
export async function openOnnx(bytes: Uint8Array, runtime: RuntimeOptions = {}): Promise<OnnxSession> {
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: [runtime.provider ?? 'cpu'],
    graphOptimizationLevel: 'all',
    ...(runtime.threads ? { intraOpNumThreads: runtime.threads, interOpNumThreads: 1 } : {}),
  });
  return {
    run: async (feeds) => {
      const inputs: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', f.data, [...f.dims]);
      const out = await session.run(inputs);
      return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
    },
    release: () => session.release(),
  };
}
