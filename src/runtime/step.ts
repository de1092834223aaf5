import type { Tensor } from '../graph/tensor.js';
import { traced, type RandomInput } from '../graph/trace.js';
import { grad } from '../graph/autodiff.js';
import { Buffer, type Parameter, type StateTensor } from '../nn/parameter.js';
import type { Module } from '../nn/module.js';
import type { Rng } from '../util/rng.js';
import { CompiledGraph, type FeedValue, type RuntimeOptions } from './session.js';

export interface StepSpec {
  /** Builds the graph: named outputs (losses, images). Runs inside traced(), so layers can add state updates. */
  build: () => Record<string, Tensor>;
  /** Name of the scalar output to differentiate; its gradients land in each parameter's `grad`. */
  loss?: string;
  /** Parameters to differentiate `loss` with respect to. */
  wrt?: readonly Parameter[];
  /** Stream for dropout masks (required when the graph has any). */
  rng?: Rng;
  /**
   * Buffers whose updates this step ignores: a generator's running statistics in a second graph
   * that recomputes its forward pass, which PyTorch runs (and counts) only once.
   */
  skipStateUpdates?: readonly Buffer[];
  /** Preallocated buffers for named outputs of `build` (no per-run allocation of large outputs). */
  into?: Record<string, Float32Array>;
  /**
   * Modules whose parameters and buffers the graph reads. Each one is bound at compile time: its
   * graph input is fed from its array on every run, and a running-statistics update is written
   * back into it. (`wrt` parameters are bound too.)
   */
  modules?: readonly Module[];
  /** Further parameters or buffers the graph reads, outside `modules`. */
  state?: readonly StateTensor[];
}

/** Graph input names of parameters and buffers (StateTensor.inputName). */
const STATE_INPUT = /^(param|buffer)\d+\./;

/** The parameters and buffers a step reads, by graph input name. */
function bindState(spec: StepSpec): Map<string, StateTensor> {
  const bound = new Map<string, StateTensor>();
  const add = (t: StateTensor) => bound.set(t.inputName, t);
  for (const m of spec.modules ?? []) {
    for (const [, p] of m.namedParameters()) add(p);
    for (const [, b] of m.namedBuffers()) add(b);
  }
  for (const t of spec.state ?? []) add(t);
  for (const p of spec.wrt ?? []) add(p);
  return bound;
}

/**
 * One compiled training or inference step: a single ORT run that reads parameters and buffers
 * straight from their arrays, writes gradients into the parameters' preallocated `grad` arrays,
 * and updates BatchNorm running statistics. Which arrays feed which inputs is fixed at compile
 * time from the step's modules (no global registry).
 */
export class Step {
  private constructor(
    private readonly graph: CompiledGraph,
    private readonly outputNames: readonly string[],
    private readonly gradTargets: Record<string, Float32Array>,
    private readonly stateTargets: [string, Buffer, Float32Array, number][],
    private readonly stateInputs: readonly [string, StateTensor][],
    private readonly randoms: readonly RandomInput[],
    private readonly rng: Rng | undefined,
  ) {}

  static async compile(spec: StepSpec, opts: RuntimeOptions = {}): Promise<Step> {
    const { result, updates, randoms } = traced(spec.build);
    const outputs: Record<string, Tensor> = { ...result };
    const gradTargets: Record<string, Float32Array> = {};
    if (spec.loss) {
      const loss = result[spec.loss];
      if (!loss) throw new Error(`Step: loss '${spec.loss}' is not among the outputs (${Object.keys(result).join(', ')})`);
      const params = (spec.wrt ?? []).filter((p) => p.requiresGrad);
      grad(loss, params.map((p) => p.tensor)).forEach((gr, i) => {
        // Gradients land in flat arrays, so a final Reshape is dropped: its input then writes
        // straight into the parameter's grad buffer instead of being copied there.
        while (gr.op === 'Reshape') gr = gr.inputs[0];
        outputs[`grad:${params[i].tensor.name}`] = gr;
        gradTargets[`grad:${params[i].tensor.name}`] = params[i].grad;
      });
    }
    const bound = bindState(spec);
    const stateTargets: [string, Buffer, Float32Array, number][] = [];
    const skip = new Set(spec.skipStateUpdates ?? []);
    for (const u of updates) {
      const owner = bound.get(u.target.name!);
      if (!(owner instanceof Buffer)) throw new Error(`Step: state update of ${u.target} has no Buffer behind it (pass its module in StepSpec.modules)`);
      if (skip.has(owner)) continue;
      outputs[`state:${u.target.name}`] = u.value;
      stateTargets.push([`state:${u.target.name}`, owner, new Float32Array(owner.data.length), u.count]);
    }
    if (randoms.length && !spec.rng) throw new Error('Step: the graph uses dropout; pass an rng (or feed every mask)');
    // Training graphs (a loss to differentiate) share one arena: a training step's graphs run one
    // after another. Inference graphs keep their own (see RuntimeOptions.sharedArena).
    const graph = await CompiledGraph.compile(outputs, { sharedArena: spec.loss !== undefined, ...opts });
    const stateInputs: [string, StateTensor][] = [];
    for (const { name } of graph.inputs) {
      const t = bound.get(name);
      if (t) stateInputs.push([name, t]);
      else if (STATE_INPUT.test(name)) {
        await graph.release();
        throw new Error(`Step: the graph reads ${name}, a parameter or buffer of a module not passed in StepSpec.modules (or state)`);
      }
    }
    return new Step(graph, Object.keys(result), { ...gradTargets, ...spec.into }, stateTargets, stateInputs, randoms, spec.rng);
  }

  get inputs() {
    return this.graph.inputs;
  }

  /** The random masks of the last run, by input name (feed them to a second graph that must see the same). */
  lastMasks: Record<string, Float32Array> = {};

  /**
   * Runs once; `feeds` holds the data inputs. Parameters and buffers are fed from their arrays;
   * random masks are drawn from the step's rng unless `feeds` already has them.
   */
  async run(feeds: Record<string, FeedValue> = {}): Promise<Record<string, Float32Array>> {
    const all: Record<string, FeedValue> = { ...feeds };
    for (const [name, t] of this.stateInputs) all[name] = t.data;
    this.lastMasks = {};
    for (const r of this.randoms) {
      const name = r.input.name!;
      const mask = (feeds[name] as Float32Array | undefined) ?? bernoulli(r.input.shape.reduce((a, b) => a * b, 1), r.keepProb, this.rng!);
      all[name] = this.lastMasks[name] = mask;
    }
    const into: Record<string, Float32Array> = { ...this.gradTargets };
    for (const [name, , scratch] of this.stateTargets) into[name] = scratch;
    const out = await this.graph.run(all, into);
    // Copied after the run: the old statistics were inputs of the same run.
    for (const [, buffer, scratch, count] of this.stateTargets) {
      buffer.data.set(scratch);
      for (let i = 0; i < count; i++) buffer.onUpdate?.();
    }
    return Object.fromEntries(this.outputNames.map((n) => [n, out[n]]));
  }

  /** The compiled graph (node count, inputs, outputs, profiling). */
  get compiled(): CompiledGraph {
    return this.graph;
  }

  async release(): Promise<void> {
    await this.graph.release();
  }
}

function bernoulli(n: number, keepProb: number, rng: Rng): Float32Array {
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = rng.random() < keepProb ? 1 : 0;
  return m;
}
