/**
 * Built-in 2-D target distributions for the GAN demo (ring, spiral, 8 gaussians, grid, two moons),
 * all inside roughly [-1, 1]^2, and the sampler interface that image targets share.
 */
import type { Rng } from '../util/rng.js';

/** A 2-D distribution that can be sampled: points interleaved as x0, y0, x1, y1, ... */
export interface Sampler2d {
  /** What it is, for titles and messages. */
  readonly label: string;
  /** `n` fresh points (2n values) drawn from `rng`, written into `out` when given. */
  sample(n: number, rng: Rng, out?: Float32Array): Float32Array;
}

export const SHAPES_2D = ['ring', 'spiral', '8gaussians', 'grid', 'moons'] as const;
export type Shape2d = (typeof SHAPES_2D)[number];

export function isShape2d(s: string): s is Shape2d {
  return (SHAPES_2D as readonly string[]).includes(s);
}

/** Radius of the ring and of the circle the 8 gaussians sit on. */
const RADIUS = 0.75;

type PointFn = (rng: Rng) => [number, number];

const POINT: Record<Shape2d, PointFn> = {
  // Uniform angle, radius N(0.75, 0.04^2).
  ring: (rng) => {
    const t = 2 * Math.PI * rng.random();
    const r = RADIUS + rng.normal(0, 0.04);
    return [r * Math.cos(t), r * Math.sin(t)];
  },
  // Eight isotropic gaussians (std 0.05) at angles k pi / 4 on the circle of radius 0.75.
  '8gaussians': (rng) => {
    const t = (rng.int(8) * Math.PI) / 4;
    return [RADIUS * Math.cos(t) + rng.normal(0, 0.05), RADIUS * Math.sin(t) + rng.normal(0, 0.05)];
  },
  // A 5 x 5 grid of gaussians (std 0.04) at -0.8, -0.4, 0, 0.4, 0.8.
  grid: (rng) => [-0.8 + 0.4 * rng.int(5) + rng.normal(0, 0.04), -0.8 + 0.4 * rng.int(5) + rng.normal(0, 0.04)],
  // One arm of an Archimedean spiral, r proportional to the angle (1.75 turns), uniform along the arm's parameter.
  spiral: (rng) => {
    const u = rng.random();
    const t = (0.15 + 0.85 * Math.sqrt(u)) * 3.5 * Math.PI;
    const r = (0.9 * t) / (3.5 * Math.PI);
    return [r * Math.cos(t) + rng.normal(0, 0.03), r * Math.sin(t) + rng.normal(0, 0.03)];
  },
  // scikit-learn's two interleaving half circles, centred and scaled by 0.6 (x in [-0.9, 0.9]).
  moons: (rng) => {
    const t = Math.PI * rng.random();
    const [x, y] = rng.random() < 0.5 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
    return [0.6 * (x - 0.5) + rng.normal(0, 0.03), 0.6 * (y - 0.25) + rng.normal(0, 0.03)];
  },
};

/** The built-in distribution `name` as a sampler. */
export function shapeSampler(name: string): Sampler2d {
  if (!isShape2d(name)) throw new Error(`unknown shape '${name}': choose ${SHAPES_2D.join(', ')}`);
  const point = POINT[name];
  return {
    label: name,
    sample(n, rng, out = new Float32Array(2 * n)) {
      if (out.length < 2 * n) throw new Error(`${name}: output buffer holds ${out.length / 2} points, need ${n}`);
      for (let i = 0; i < n; i++) {
        const [x, y] = point(rng);
        out[2 * i] = x;
        out[2 * i + 1] = y;
      }
      return out;
    },
  };
}
