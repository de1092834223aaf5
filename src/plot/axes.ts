/** Data ranges of a chart and the data-to-pixel mapping of its axes. */
import { linearTicks, logTicks, niceStep } from './ticks.js';
import type { ChartSpec, Layer } from './types.js';

/** One axis: its data range, pixel range, ticks and mapping. */
export interface Axis {
  domain: [number, number];
  log: boolean;
  ticks: number[];
  /** Step of linear ticks (for label decimals); undefined on log axes. */
  step?: number;
  /** Data value -> pixel coordinate. */
  toPx(v: number): number;
}

function extent(values: Iterable<number>, keep: (v: number) => boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!keep(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

function* xsOf(layer: Layer): Iterable<number> {
  const xs = layer.kind === 'bars' ? layer.edges : layer.x;
  for (let i = 0; i < xs.length; i++) yield xs[i];
}

function* ysOf(layer: Layer): Iterable<number> {
  const ys = layer.kind === 'bars' ? layer.heights : layer.y;
  for (let i = 0; i < ys.length; i++) yield ys[i];
}

function* all(layers: Layer[], pick: (l: Layer) => Iterable<number>): Iterable<number> {
  for (const l of layers) yield* pick(l);
}

/** Widens an empty or zero-width range so the axis still has a span. */
function ensureSpan([lo, hi]: [number, number], log: boolean): [number, number] {
  if (hi > lo) return [lo, hi];
  if (log) return [lo / 10, hi * 10];
  const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - pad, hi + pad];
}

/** The x range of a chart: `xRange`, else the data's extent (padded 3% when there are scatter dots). */
export function xDomain(spec: ChartSpec): [number, number] {
  if (spec.xRange) return ensureSpan(spec.xRange, false);
  const [lo, hi] = ensureSpan(extent(all(spec.layers, xsOf), Number.isFinite) ?? [0, 1], false);
  // Dots at the exact extent would be cut in half by the frame; lines and bars fill it exactly.
  const pad = spec.layers.some((l) => l.kind === 'scatter') ? 0.03 * (hi - lo) : 0;
  return [lo - pad, hi + pad];
}

/** The y range: `yRange`, else the data's extent padded by 5% (bars keep their 0 baseline unpadded). */
export function yDomain(spec: ChartSpec): [number, number] {
  const log = spec.logY === true;
  if (spec.yRange) return ensureSpan(spec.yRange, log);
  const keep = log ? (v: number) => Number.isFinite(v) && v > 0 : Number.isFinite;
  let ext = extent(all(spec.layers, ysOf), keep) ?? (log ? [1, 10] : [0, 1]);
  const hasBars = spec.layers.some((l) => l.kind === 'bars');
  if (!log && hasBars) ext = [Math.min(0, ext[0]), Math.max(0, ext[1])];
  ext = ensureSpan(ext, log);
  if (log) {
    // Pad by 5% of the span in log space so curves don't touch the frame.
    const pad = 0.05 * Math.log10(ext[1] / ext[0]);
    return [ext[0] / 10 ** pad, ext[1] * 10 ** pad];
  }
  const pad = 0.05 * (ext[1] - ext[0]);
  return [hasBars && ext[0] === 0 ? 0 : ext[0] - pad, hasBars && ext[1] === 0 ? 0 : ext[1] + pad];
}

/** Builds an axis mapping `domain` onto pixels [p0, p1] (p1 < p0 for y, which grows upward). */
export function makeAxis(domain: [number, number], p0: number, p1: number, log: boolean, target: number): Axis {
  const [d0, d1] = domain;
  if (log) {
    const l0 = Math.log10(d0);
    const l1 = Math.log10(d1);
    return { domain, log, ticks: logTicks(d0, d1, target), toPx: (v) => p0 + ((Math.log10(v) - l0) / (l1 - l0)) * (p1 - p0) };
  }
  const { ticks, step } = linearTicks(d0, d1, target);
  return { domain, log, ticks, step: step || niceStep(d1 - d0, target), toPx: (v) => p0 + ((v - d0) / (d1 - d0)) * (p1 - p0) };
}
