// onnxruntime-web sessions as the shared OnnxRun (src/export/run-onnx.ts): one session per model,
// any window or image size (the exported graphs have symbolic height and width).
import * as ort from 'onnxruntime-web';
import type { OnnxRun } from '../../src/export/run-onnx.js';
import type { Backend } from './protocol.js';

/** Sets the WASM thread count (before the first session) and says what the browser offers. */
export function configureOrt(threads: number): { threads: number; crossOriginIsolated: boolean } {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  // Threads need SharedArrayBuffer, which needs cross-origin isolation (the server's COOP/COEP headers).
  ort.env.wasm.numThreads = isolated ? threads : 1;
  return { threads: ort.env.wasm.numThreads, crossOriginIsolated: isolated };
}

/** Whether the browser offers a WebGPU adapter (navigator.gpu can exist without one, e.g. with the GPU disabled). */
export async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

export interface WebSession { run: OnnxRun; release(): Promise<void> }

export async function openSession(bytes: Uint8Array, backend: Backend): Promise<WebSession> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: [backend], graphOptimizationLevel: 'all' });
  return {
    run: async (feeds) => {
      const inputs: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', f.data, [...f.dims]);
      const out = await session.run(inputs);
      const res: Record<string, Float32Array> = {};
      for (const [k, t] of Object.entries(out)) {
        // WebGPU outputs may live on the GPU; getData() downloads them.
        res[k] = (t.location === 'cpu' ? t.data : await t.getData(true)) as Float32Array;
      }
      return res;
    },
    release: () => session.release(),
  };
}
