import * as ort from 'onnxruntime-node';
import { writeFileSync } from 'node:fs';
import type { Tensor } from '../graph/tensor.js';
import { writeOnnx, type ValueSpec } from '../graph/onnx/writer.js';
import { numel, fmt } from '../graph/shape.js';
import { checkProvider, type Provider } from './providers.js';
import { nativeOrt, nativeOrtUnavailable, type NativeSession, type NativeValue } from './ort-native.js';

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
  /**
   * ORT's CPU memory arena (default on; env IMG2IMG_ORT_ARENA=0 turns it off where not chosen):
   * freed blocks are kept for the next allocation instead of going back to the system.
   */
  memArena?: boolean;
  /**
   * Whether this session allocates from the one CPU arena that all such sessions of the process
   * share (native binding only), grown by what each allocation asks rather than in powers of two.
   * Training steps ask for it (Step with a loss): a step's graphs (CycleGAN: generators, then discriminators) run
   * one after another, so each reuses what the other freed. Measured, CycleGAN peak RSS: 128 px
   * 1341 -> 1292 MB, 256 px 4075 -> 3264 MB (an arena per session, growing in powers of two, kept
   * each graph's own peak and fragmented between runs). Other sessions keep their own arenas: tiled
   * inference peaked 50-90 MB higher on the shared one (resnet_9blocks on a 2048x2048 image: 1088 MB
   * own arena, 1135 shared growing in powers of two, 1174 shared as asked). The shared arena keeps
   * its peak for the life of the process (a session's own arena goes with the session). Env
   * IMG2IMG_ORT_SHARED_ARENA=1 or 0 decides for every session.
   */
  sharedArena?: boolean;
  /**
   * ORT's memory pattern (default off; env IMG2IMG_ORT_MEMPATTERN=1 turns it on where not chosen):
   * after the first run, one block for the whole run's planned tensors. Measured: it raised peak
   * memory by a quarter in training (pix2pix 256: 1833 vs 1585 MB) and nearly doubled it from the
   * second inference run on (ResNet generator at 512 px: 1013 vs 593 MB), with no speed gain.
   */
  memPattern?: boolean;
  /**
   * Which ORT binding runs the graphs (CPU only): 'native' (native/ort.cc: outputs written in
   * place, no copies; an error when the addon is not built), 'onnxruntime-node', or 'auto' (the
   * default: native when built, unless env IMG2IMG_ORT_BINDING=node).
   */
  binding?: 'auto' | 'native' | 'onnxruntime-node';
}

export type FeedValue = Float32Array | BigInt64Array | Uint8Array;

const ORT_TYPE = { float32: 'float32', int64: 'int64', bool: 'bool' } as const;
const ONNX_TYPE = { float32: 1, int64: 7, bool: 9 } as const;
const NEW_ARRAY = { float32: (n: number) => new Float32Array(n), int64: (n: number) => new BigInt64Array(n), bool: (n: number) => new Uint8Array(n) };

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
    /** onnxruntime-node's session, or the engine's own binding's (CPU, every output written in place). */
    private readonly session: ort.InferenceSession | { native: NativeSession },
    readonly inputs: readonly ValueSpec[],
    readonly outputs: readonly ValueSpec[],
    readonly nodeCount: number,
  ) {}

  /** Which binding runs this graph: 'native' (native/ort.cc) or 'onnxruntime-node'. */
  get binding(): 'native' | 'onnxruntime-node' {
    return 'native' in this.session ? 'native' : 'onnxruntime-node';
  }

  static async compile(outputs: Record<string, Tensor>, opts: RuntimeOptions = {}): Promise<CompiledGraph> {
    // IMG2IMG_ORT_SPINNING=0 turns spinning off for every session that does not choose (the test runner sets it).
    const o = { ...opts, spinning: opts.spinning ?? (process.env.IMG2IMG_ORT_SPINNING === '0' ? false : undefined) };
    // Pruned: nodes nothing reads (statistics kept for a VJP that this graph does not take) are left out.
    const model = writeOnnx(outputs, { prune: true });
    if (o.dumpGraph) writeFileSync(typeof o.dumpGraph === 'string' ? o.dumpGraph : o.dumpGraph.next(), model.bytes);
    const provider = checkProvider(o.provider ?? 'cpu');
    const memArena = o.memArena ?? process.env.IMG2IMG_ORT_ARENA !== '0';
    const memPattern = o.memPattern ?? process.env.IMG2IMG_ORT_MEMPATTERN === '1';
    const native = provider === 'cpu' && o.binding !== 'onnxruntime-node' ? nativeOrt() : null;
    if (o.binding === 'native' && !native) throw new Error(`the native ONNX Runtime binding was requested but is unavailable: ${provider !== 'cpu' ? `provider ${provider}` : nativeOrtUnavailable()}`);
    if (native) {
      try {
        const handle = native.createSession(model.bytes, {
          threads: o.threads, spinning: o.spinning, arena: memArena, memPattern, profilePrefix: o.profilePrefix,
          sharedArena: process.env.IMG2IMG_ORT_SHARED_ARENA ? process.env.IMG2IMG_ORT_SHARED_ARENA === '1' : o.sharedArena ?? false, arenaExtend: 1,
        });
        return new CompiledGraph({ native: handle }, model.inputs, model.outputs, model.nodeCount);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        throw new Error(`ONNX Runtime rejected a compiled graph (${model.nodeCount} nodes; save it with --dump-graph to inspect): ${why}`);
      }
    }
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
        enableCpuMemArena: memArena,
        enableMemPattern: memPattern,
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
    }
    if (missing.length) throw new Error(`graph inputs not fed: ${missing.join(', ')}`);
    for (const spec of this.outputs) {
      const buf = into[spec.name];
      if (buf && buf.length !== numel(spec.shape)) throw new Error(`output buffer '${spec.name}': has ${buf.length} values, expected shape ${fmt(spec.shape)}`);
    }
    if ('native' in this.session) {
      // Every output is written in place: into's buffers, or fresh arrays returned to the caller.
      const out: Record<string, Float32Array> = {};
      const outputs: NativeValue[] = this.outputs.map((spec) => {
        const buf = into[spec.name] ?? NEW_ARRAY[spec.dtype](numel(spec.shape));
        out[spec.name] = buf as Float32Array;
        return [spec.name, buf, spec.shape, ONNX_TYPE[spec.dtype]];
      });
      const inputs: NativeValue[] = this.inputs.map((spec) => [spec.name, feeds[spec.name], spec.shape, ONNX_TYPE[spec.dtype]]);
      await nativeOrt()!.run(this.session.native, inputs, outputs);
      return out;
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const spec of this.inputs) ortFeeds[spec.name] = new ort.Tensor(ORT_TYPE[spec.dtype], feeds[spec.name] as Float32Array, spec.shape);
    const fetches: Record<string, ort.Tensor | null> = {};
    for (const spec of this.outputs) fetches[spec.name] = into[spec.name] ? new ort.Tensor('float32', into[spec.name], spec.shape) : null;
    const results = await this.session.run(ortFeeds, fetches as ort.InferenceSession.FetchesType);
    const out: Record<string, Float32Array> = {};
    for (const spec of this.outputs) out[spec.name] = (into[spec.name] ?? results[spec.name].data) as Float32Array;
    return out;
  }

  /** Ends ORT profiling (when enabled), flushing the profile file. */
  endProfiling(): void {
    if ('native' in this.session) nativeOrt()!.endProfiling(this.session.native);
    else this.session.endProfiling();
  }

  async release(): Promise<void> {
    if ('native' in this.session) nativeOrt()!.release(this.session.native);
    else await this.session.release();
  }
}
