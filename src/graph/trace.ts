import { Tensor, input } from './tensor.js';
import { type Shape } from './shape.js';

/** A buffer (e.g. BatchNorm running mean) that a run overwrites with a new value. */
/** `count`: how many updates the value chains (a layer applied twice in one graph counts 2). */
export interface StateUpdate { target: Tensor; value: Tensor; count: number }

/** A graph input the runtime fills with fresh random numbers on every run (dropout masks). */
export interface RandomInput { input: Tensor; keepProb: number }

interface TraceRecord { updates: StateUpdate[]; randoms: RandomInput[] }

/** What a graph build has recorded so far, plus the values standing in for some leaves. */
interface TraceScope extends TraceRecord { substitutes: ReadonlyMap<object, Tensor> | null }

/**
 * The graph build in progress: the one piece of module state of the graph layer, a dynamic
 * scope like PyTorch's autograd mode. It is set only for the duration of `traced(fn)` (and
 * restored on the way out, also on errors), so layers can declare side outputs without every
 * forward() taking a context argument.
 */
let active: TraceScope | null = null;

/**
 * Builds a graph with `fn` while recording the side outputs that layers declare:
 * running-statistics updates and random masks. The runtime wires both up.
 */
export function traced<T>(fn: () => T): { result: T } & TraceRecord {
  const outer = active;
  const record: TraceScope = { updates: [], randoms: [], substitutes: null };
  active = record;
  try {
    return { result: fn(), updates: record.updates, randoms: record.randoms };
  } finally {
    active = outer;
  }
}

/**
 * Builds part of a graph (inside traced()) with some values replaced: `substitute(key)` returns
 * the tensor standing in for `key` while `build` runs (e.g. a discriminator evaluated at its
 * in-graph updated weights: nn's parameters look themselves up here).
 */
export function withSubstitutes<T>(values: ReadonlyMap<object, Tensor>, build: () => T): T {
  if (!active) throw new Error('withSubstitutes: build the graph inside traced() (Step.compile does)');
  const scope = active;
  const outer = scope.substitutes;
  scope.substitutes = values;
  try {
    return build();
  } finally {
    scope.substitutes = outer;
  }
}

/** The tensor standing in for `key` in the current build (see withSubstitutes), if any. */
export function substitute(key: object): Tensor | undefined {
  return active?.substitutes?.get(key);
}

/**
 * Records that a run overwrites buffer `target` with `value`. A layer applied twice in one graph
 * (a discriminator on fake, then real pairs) updates twice: the later update replaces the earlier
 * one and builds on it through {@link currentState}, as sequential PyTorch calls would.
 */
export function recordStateUpdate(target: Tensor, value: Tensor): void {
  if (target.op !== 'Input') throw new Error(`state update target ${target} must be a graph input (a buffer)`);
  if (!active) throw new Error(`${target.name}: a training-mode layer updates running statistics; build the graph inside traced()`);
  const i = active.updates.findIndex((u) => u.target === target);
  const count = i >= 0 ? active.updates[i].count + 1 : 1;
  if (i >= 0) active.updates.splice(i, 1);
  active.updates.push({ target, value, count });
}

/** The buffer's value as of this point of the graph: its latest recorded update, or the input. */
export function currentState(target: Tensor): Tensor {
  return active?.updates.find((u) => u.target === target)?.value ?? target;
}

/** A fresh Bernoulli(keepProb) 0/1 mask input, numbered in build order so names are stable. */
export function randomMask(shape: Shape, keepProb: number): Tensor {
  if (!active) throw new Error('dropout in training mode needs a random mask: build the graph inside traced()');
  const mask = input(`random_mask_${active.randoms.length}`, shape);
  active.randoms.push({ input: mask, keepProb });
  return mask;
}

/**
 * Replaces how normalization layers that use statistics of their input (InstanceNorm, BatchNorm
 * in training mode) normalize: `normalize(x, eps)` returns (x - mean) / sqrt(var + eps) from
 * statistics of its own choosing (e.g. image-wide statistics fed to a tile of the image; see
 * src/inference/tiled.ts). The layer's affine part is applied after it as usual; BatchNorm
 * records no running-statistics update under an override.
 */
export interface NormOverride { normalize(x: Tensor, eps: number): Tensor }

let normOverride: NormOverride | null = null;

/** Builds with `override` standing in for the statistics of normalization layers. */
export function withNormOverride<T>(override: NormOverride, build: () => T): T {
  const outer = normOverride;
  normOverride = override;
  try {
    return build();
  } finally {
    normOverride = outer;
  }
}

/** The normalization override of the build in progress, if any. */
export function currentNormOverride(): NormOverride | null {
  return normOverride;
}
