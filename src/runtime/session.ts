import * as ort from 'onnxruntime-node';
import { writeFileSync } from 'node:fs';
import type { Tensor } from '../graph/tensor.js';
import { writeOnnx, type ValueSpec } from '../graph/onnx/writer.js';
import { numel, fmt } from '../graph/shape.js';
import { checkProvider, type Provider } from './providers.js';

export interface RuntimeOptions {
  /** Intra-op threads for ORT (default: ORT's choice, all cores). */
  threads?: number;
  provider?: Provider;
  /** Also save the compiled graph as this .onnx file (for Netron). */
  dumpGraph?: string;
  /** Write ORT's per-node profile (JSON) with this file prefix; see bench/lib/profile.ts. */
  profilePrefix?: string;
}

export type FeedValue = Float32Array | BigInt64Array | Uint8Array;

const ORT_TYPE = { float32: 'float32', int64: 'int64', bool: 'bool' } as const;

const dumped = new Map<string, number>();

/** --dump-graph g.onnx: the first graph compiled goes to g.onnx, later ones to g.2.onnx, g.3.onnx, ... */
function dumpPath(path: string): string {
  const n = (dumped.get(path) ?? 0) + 1;
  dumped.set(path, n);
  return n === 1 ? path : path.replace(/(\.onnx)?$/, `.${n}$1`);
}

/** Process-wide defaults, set once from the CLI's --threads/--device. */
export const runtimeDefaults: RuntimeOptions = {};

/**
 * A graph compiled once into an ONNX Runtime session. Each `run` feeds inputs by name and can
 * write outputs into caller-owned buffers (no per-step allocation of model-sized arrays).
 */
export class CompiledGraph {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputs: readonly ValueSpec[],
    readonly outputs: readonly ValueSpec[],
    readonly nodeCount: number,
  ) {}

  static async compile(outputs: Record<string, Tensor>, opts: RuntimeOptions = {}): Promise<CompiledGraph> {
    const o = { ...runtimeDefaults, ...opts };
    const model = writeOnnx(outputs);
    if (o.dumpGraph) writeFileSync(dumpPath(o.dumpGraph), model.bytes);
    const provider = checkProvider(o.provider ?? 'cpu');
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model.bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        ...(o.threads ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {}),
        ...(o.profilePrefix ? { enableProfiling: true, profileFilePrefix: o.profilePrefix } : {}),
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (provider !== 'cpu') throw new Error(`--device ${provider}: ONNX Runtime could not start this provider here (${why}); use --device cpu`);
      throw new Error(`ONNX Runtime rejected a compiled graph (${model.nodeCount} nodes; save it with --dump-graph to inspect): ${why}`);
    }
    return new CompiledGraph(session, model.inputs, model.outputs, model.nodeCount);
  }

  /**
   * Runs the graph. `feeds` maps every input name to its data; `into` optionally maps output
   * names to preallocated buffers that receive the results. Returns every output.
   */
  async run(feeds: Record<string, FeedValue>, into: Record<string, Float32Array> = {}): Promise<Record<string, Float32Array>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    const missing: string[] = [];
    for (const spec of this.inputs) {
      const data = feeds[spec.name];
      if (!data) {
        missing.push(spec.name);
        continue;
      }
      if (data.length !== numel(spec.shape)) {
        throw new Error(`input '${spec.name}': got ${data.length} values, expected shape ${fmt(spec.shape)} (${numel(spec.shape)} values)`);
      }
      ortFeeds[spec.name] = new ort.Tensor(ORT_TYPE[spec.dtype], data as Float32Array, spec.shape);
    }
    if (missing.length) throw new Error(`graph inputs not fed: ${missing.join(', ')}`);
    const fetches: Record<string, ort.Tensor | null> = {};
    for (const spec of this.outputs) {
      const buf = into[spec.name];
      if (buf && buf.length !== numel(spec.shape)) throw new Error(`output buffer '${spec.name}': has ${buf.length} values, expected shape ${fmt(spec.shape)}`);
      fetches[spec.name] = buf ? new ort.Tensor('float32', buf, spec.shape) : null;
    }
    const results = await this.session.run(ortFeeds, fetches as ort.InferenceSession.FetchesType);
    const out: Record<string, Float32Array> = {};
    for (const spec of this.outputs) out[spec.name] = (into[spec.name] ?? results[spec.name].data) as Float32Array;
    return out;
  }

  /** Ends ORT profiling (when enabled), flushing the profile file. */
  endProfiling(): void {
    this.session.endProfiling();
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
