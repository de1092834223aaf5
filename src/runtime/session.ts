import * as ort from 'onnxruntime-node';
import { writeFileSync } from 'node:fs';
import type { Tensor } from '../graph/tensor.js';
import { writeOnnx, type ValueSpec } from '../graph/onnx/writer.js';
import { numel, fmt } from '../graph/shape.js';
import { checkProvider, type Provider } from './providers.js';

/**
 * How compiled graphs run. Passed down explicitly (jobs take it as their `runtime` option);
 * there are no process-wide defaults.
 */
export interface RuntimeOptions {
  /** Let idle ORT threads spin (ORT's default, fastest on an otherwise idle machine); false for shared machines. */
  spinning?: boolean;
  /** Intra-op threads for ORT (default: ORT's choice, all cores). */
  threads?: number;
  provider?: Provider;
  /**
   * Also save compiled graphs as .onnx files (for Netron): a GraphDump numbers the graphs of a
   * run (PATH, PATH.2.onnx, ...); a plain path receives each graph compiled with it.
   */
  dumpGraph?: string | GraphDump;
  /** Write ORT's per-node profile (JSON) with this file prefix; see bench/lib/profile.ts. */
  profilePrefix?: string;
}

export type FeedValue = Float32Array | BigInt64Array | Uint8Array;

const ORT_TYPE = { float32: 'float32', int64: 'int64', bool: 'bool' } as const;

/** --dump-graph g.onnx: the first graph compiled goes to g.onnx, later ones to g.2.onnx, g.3.onnx, ... */
export class GraphDump {
  private count = 0;
  constructor(readonly path: string) {}

  /** The file for the next graph. */
  next(): string {
    this.count++;
    return this.count === 1 ? this.path : this.path.replace(/(\.onnx)?$/, `.${this.count}$1`);
  }
}

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
    // IMG2IMG_ORT_SPINNING=0 turns spinning off for every session that does not choose (the test runner sets it).
    const o = { ...opts, spinning: opts.spinning ?? (process.env.IMG2IMG_ORT_SPINNING === '0' ? false : undefined) };
    const model = writeOnnx(outputs);
    if (o.dumpGraph) writeFileSync(typeof o.dumpGraph === 'string' ? o.dumpGraph : o.dumpGraph.next(), model.bytes);
    const provider = checkProvider(o.provider ?? 'cpu');
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model.bytes, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        ...(o.threads ? { intraOpNumThreads: o.threads, interOpNumThreads: 1 } : {}),
        // Idle ORT threads spin by default: fastest alone, but on a machine shared with other
        // processes the spinning threads take the cores the others need.
        ...(o.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } } : {}),
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
