/** Axis tick positions and labels: "nice" 1/2/5 x 10^k steps, and decades for log axes. */

/** The smallest step of the form {1, 2, 5} x 10^k that splits `span` into at most about `target` parts. */
export function niceStep(span: number, target = 6): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return m * mag;
}

/** Tick values at multiples of a nice step inside [lo, hi] (inclusive, tolerant to rounding). */
export function linearTicks(lo: number, hi: number, target = 6): { ticks: number[]; step: number } {
  const step = niceStep(hi - lo, target);
  const eps = step * 1e-9;
  const first = Math.ceil((lo - eps) / step);
  const last = Math.floor((hi + eps) / step);
  const ticks: number[] = [];
  // Multiply instead of accumulating, then round to the step's decimals: 3 * 0.1 gives 0.3, not 0.30000000000000004.
  const decimals = step < 1 ? digitsFor(step) : 0;
  for (let i = first; i <= last && ticks.length < 1000; i++) ticks.push(cleanZero(decimals ? Number((i * step).toFixed(decimals)) : i * step));
  return { ticks, step };
}

/**
 * Ticks for a log10 axis over [lo, hi] (both > 0): decades (every k-th when there are many);
 * 2 and 5 multiples when fewer than two decades fall inside; linear ticks for very narrow ranges.
 */
export function logTicks(lo: number, hi: number, target = 6): number[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const d0 = Math.ceil(a - 1e-9);
  const d1 = Math.floor(b + 1e-9);
  const inRange = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  if (d1 - d0 + 1 >= 2) {
    const every = Math.max(1, Math.ceil((d1 - d0 + 1) / target));
    const ticks: number[] = [];
    for (let d = d0; d <= d1; d++) if ((d - d0) % every === 0) ticks.push(pow10(1, d));
    return ticks;
  }
  const ticks: number[] = [];
  for (let d = Math.floor(a); d <= Math.ceil(b); d++) {
    for (const m of [1, 2, 5]) {
      const v = pow10(m, d);
      if (inRange(v)) ticks.push(v);
    }
  }
  return ticks.length >= 2 ? ticks : linearTicks(lo, hi, Math.max(3, target - 2)).ticks;
}

/** Tick label with as many decimals as the step needs; exponent form for very large/small values. */
export function formatTick(v: number, step?: number): string {
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e5 || abs < 1e-3) return trimExp(v.toExponential(2));
  const decimals = step !== undefined ? digitsFor(step) : Math.min(6, digitsFor(abs));
  return String(Number(v.toFixed(decimals)));
}

/** Decimals needed to print multiples of `step` exactly (0.25 -> 2, 5 -> 0). */
function digitsFor(step: number): number {
  for (let d = 0; d < 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 12;
}

function trimExp(s: string): string {
  // "1.50e+5" -> "1.5e5": shorter labels.
  return s.replace(/\.?0+e/, 'e').replace('e+', 'e');
}

/** m x 10^d parsed from decimal text: exact, unlike 10 ** -5 (= 0.000009999999999999999). */
function pow10(m: number, d: number): number {
  return Number(`${m}e${d}`);
}

function cleanZero(v: number): number {
  return Object.is(v, -0) ? 0 : v;
}
