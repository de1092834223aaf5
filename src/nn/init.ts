import { Rng } from '../util/rng.js';
import type { StateTensor } from './parameter.js';
import type { Module } from './module.js';

/** The generator that layer constructors and init schemes draw from; reseed with manualSeed(). */
let generator = new Rng(0);

export function manualSeed(seed: number): void {
  generator = new Rng(seed);
}

export function initRng(): Rng {
  return generator;
}

/** fan_in and fan_out as PyTorch computes them (dim 1 is fan_in, also for ConvTranspose). */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: (shape[1] ?? 1) * receptive, fanOut: shape[0] * receptive };
}

export function uniform(t: StateTensor, lo: number, hi: number, rng = generator): void {
  for (let i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * rng.random();
}

export function normal(t: StateTensor, mean: number, std: number, rng = generator): void {
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal(mean, std);
}

export function constantInit(t: StateTensor, value: number): void {
  t.data.fill(value);
}

export function xavierNormal(t: StateTensor, gain = 1, rng = generator): void {
  const { fanIn, fanOut } = fans(t.shape);
  normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
}

/** kaiming_normal_(a=0, mode='fan_in') as the reference's init_weights uses it. */
export function kaimingNormal(t: StateTensor, a = 0, rng = generator): void {
  normal(t, 0, Math.sqrt(2 / (1 + a * a)) / Math.sqrt(fans(t.shape).fanIn), rng);
}

/** A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one (rows x flattened cols). */
export function orthogonal(t: StateTensor, gain = 1, rng = generator): void {
  const rows = t.shape[0];
  const cols = t.data.length / rows;
  const tall = rows < cols ? cols : rows;
  const wide = rows < cols ? rows : cols;
  // Gram-Schmidt on `wide` Gaussian vectors of length `tall` gives orthonormal columns.
  const q: Float64Array[] = [];
  for (let j = 0; j < wide; j++) {
    const v = Float64Array.from({ length: tall }, () => rng.normal());
    for (const u of q) {
      let dot = 0;
      for (let i = 0; i < tall; i++) dot += u[i] * v[i];
      for (let i = 0; i < tall; i++) v[i] -= dot * u[i];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < tall; i++) v[i] /= norm;
    q.push(v);
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) t.data[r * cols + c] = gain * (rows < cols ? q[r][c] : q[c][r]);
  }
}

export type InitType = 'normal' | 'xavier' | 'kaiming' | 'orthogonal';

/**
 * The reference's init_weights: conv and linear weights by `type` with `gain`, their biases 0;
 * BatchNorm weights normal(1, gain), biases 0.
 */
export function initWeights(net: Module, type: InitType = 'normal', gain = 0.02, rng = generator): void {
  for (const m of net.modules()) {
    const kind = (m.constructor as { initKind?: string }).initKind;
    const params = new Map(m.namedParameters().filter(([k]) => !k.includes('.')));
    const weight = params.get('weight');
    const bias = params.get('bias');
    if (kind === 'conv' || kind === 'linear') {
      if (weight) {
        if (type === 'normal') normal(weight, 0, gain, rng);
        else if (type === 'xavier') xavierNormal(weight, gain, rng);
        else if (type === 'kaiming') kaimingNormal(weight, 0, rng);
        else if (type === 'orthogonal') orthogonal(weight, gain, rng);
        else throw new Error(`--init-type ${type}: unknown; choose normal, xavier, kaiming or orthogonal`);
      }
      if (bias) constantInit(bias, 0);
    } else if (kind === 'batchnorm') {
      if (weight) normal(weight, 1, gain, rng);
      if (bias) constantInit(bias, 0);
    }
  }
}
