import type { Tensor } from '../graph/tensor.js';
import { Parameter, Buffer } from './parameter.js';
import type { HostTensor } from '../io/host-tensor.js';
import { fmt } from '../graph/shape.js';

/** Extra state_dict entries a module keeps outside its float buffers (e.g. num_batches_tracked). */
export interface ExtraState { get(): HostTensor; set(t: HostTensor): void }

/**
 * A layer or network. Children, parameters and buffers are named like PyTorch attributes, so
 * `stateDict()` keys match `torch.nn.Module.state_dict()` (e.g. `model.1.model.3.weight`).
 */
export abstract class Module {
  training = true;
  private readonly paramMap = new Map<string, Parameter>();
  private readonly bufferMap = new Map<string, Buffer>();
  private readonly childMap = new Map<string, Module>();
  private readonly extraMap = new Map<string, ExtraState>();

  abstract forward(...xs: Tensor[]): Tensor;

  protected addParameter(name: string, shape: readonly number[]): Parameter {
    const p = new Parameter(shape, name);
    this.paramMap.set(name, p);
    return p;
  }

  protected addBuffer(name: string, shape: readonly number[], fill = 0): Buffer {
    const b = new Buffer(shape, name);
    b.data.fill(fill);
    this.bufferMap.set(name, b);
    return b;
  }

  protected addExtraState(name: string, state: ExtraState): void {
    this.extraMap.set(name, state);
  }

  /** Registers a child module under `name` (its state_dict prefix) and returns it. */
  addModule<M extends Module>(name: string, m: M): M {
    this.childMap.set(name, m);
    return m;
  }

  children(): [string, Module][] {
    return [...this.childMap];
  }

  *modules(): Generator<Module> {
    yield this;
    for (const c of this.childMap.values()) yield* c.modules();
  }

  namedParameters(prefix = ''): [string, Parameter][] {
    return [
      ...[...this.paramMap].map(([k, p]) => [prefix + k, p] as [string, Parameter]),
      ...[...this.childMap].flatMap(([k, c]) => c.namedParameters(`${prefix}${k}.`)),
    ];
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): [string, Buffer][] {
    return [
      ...[...this.bufferMap].map(([k, b]) => [prefix + k, b] as [string, Buffer]),
      ...[...this.childMap].flatMap(([k, c]) => c.namedBuffers(`${prefix}${k}.`)),
    ];
  }

  private namedExtras(prefix = ''): [string, ExtraState][] {
    return [
      ...[...this.extraMap].map(([k, e]) => [prefix + k, e] as [string, ExtraState]),
      ...[...this.childMap].flatMap(([k, c]) => c.namedExtras(`${prefix}${k}.`)),
    ];
  }

  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.numel, 0);
  }

  /** Sets training mode here and in every child (dropout on, BatchNorm on batch statistics). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Parameters and buffers by state_dict name (views of the live arrays, not copies). */
  stateDict(): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>();
    for (const [k, t] of [...this.namedParameters(), ...this.namedBuffers()]) out.set(k, { dtype: 'float32', shape: [...t.shape], data: t.data });
    for (const [k, e] of this.namedExtras()) out.set(k, e.get());
    return out;
  }

  /**
   * Copies tensors into the parameters and buffers. With `strict` (default) any missing or
   * unexpected name, or any shape mismatch, fails with one error that lists them all.
   */
  loadStateDict(state: ReadonlyMap<string, HostTensor>, opts: { strict?: boolean; source?: string } = {}): void {
    const strict = opts.strict ?? true;
    const targets = new Map<string, Parameter | Buffer>([...this.namedParameters(), ...this.namedBuffers()]);
    const extras = new Map(this.namedExtras());
    // Extra states (num_batches_tracked) may be absent, as in older PyTorch checkpoints.
    const missing = [...targets.keys()].filter((k) => !state.has(k));
    const unexpected = [...state.keys()].filter((k) => !targets.has(k) && !extras.has(k));
    const mismatched: string[] = [];
    for (const [k, t] of targets) {
      const s = state.get(k);
      if (s && (s.shape.length !== t.shape.length || s.shape.some((d, i) => d !== t.shape[i]))) {
        mismatched.push(`${k}: expected ${fmt(t.shape)}, got ${fmt(s.shape)}`);
      }
    }
    const problems = [
      ...(missing.length && strict ? [`missing keys: ${missing.join(', ')}`] : []),
      ...(unexpected.length && strict ? [`unexpected keys: ${unexpected.join(', ')}`] : []),
      ...(mismatched.length ? [`shape mismatches: ${mismatched.join('; ')}`] : []),
    ];
    if (problems.length) {
      throw new Error(`cannot load state dict${opts.source ? ` from ${opts.source}` : ''} into ${this.constructor.name}:\n  ${problems.join('\n  ')}`);
    }
    for (const [k, t] of targets) {
      const s = state.get(k);
      if (s) t.data.set(toFloat32(s));
    }
    for (const [k, e] of extras) {
      const s = state.get(k);
      if (s) e.set(s);
    }
  }
}

function toFloat32(t: HostTensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof BigInt64Array) return Float32Array.from(t.data, Number);
  if (t.dtype === 'float16') throw new Error('float16 tensors must be converted to float32 before loading');
  return Float32Array.from(t.data as ArrayLike<number>);
}
