/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna, 2018), seeded through splitmix32.
 *
 * Small, fast, well tested, and its whole state is four 32-bit words, so training can checkpoint
 * it as JSON ({@link Rng.getState}) and resume the exact same stream ({@link Rng.setState}).
 * Not cryptographically secure.
 */

/** A JSON-serializable snapshot of an {@link Rng}: the xoshiro words plus the cached normal deviate. */
export interface RngState {
  /** The four 32-bit state words of xoshiro128** (unsigned). Not all zero. */
  s: [number, number, number, number];
  /** Second Box-Muller deviate waiting to be returned by `normal()`, or null. */
  spareNormal: number | null;
}

const TWO_POW_32 = 4294967296;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** splitmix32 step: spreads a seed over all bits so that nearby seeds give unrelated streams. */
function splitmix32(state: { z: number }): number {
  state.z = (state.z + 0x9e3779b9) | 0;
  let z = state.z;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded random stream. Create one with {@link createRng} or `new Rng(seed)`. */
export class Rng {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  /** @param seed any finite number; integers up to 2^53 all give distinct streams. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    const t = Math.trunc(seed);
    const lo = t >>> 0;
    const hi = Math.floor(t / TWO_POW_32) >>> 0;
    // Words 0-1 come from the low half, 2-3 from the high half; splitmix32 is a bijection of its
    // counter, so distinct integer seeds give distinct states.
    const a = { z: lo };
    const b = { z: hi ^ 0x5bd1e995 };
    this.s.set([splitmix32(a), splitmix32(a), splitmix32(b), splitmix32(b)]);
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1; // all-zero state is a fixed point
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution (never returns 1). */
  random(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). `n` must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    // Reject the top partial block so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let r: number;
    do r = this.nextUint32(); while (r >= limit);
    return r % n;
  }

  /** Normal deviate N(mean, std^2) by the Box-Muller transform (the pair's second value is cached). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    const u = 1 - this.random(); // (0, 1]: log(u) stays finite
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Snapshot of the full state (a copy; JSON-safe). */
  getState(): RngState {
    return { s: [this.s[0], this.s[1], this.s[2], this.s[3]], spareNormal: this.spare };
  }

  /** Restores a snapshot from {@link getState}; the stream continues exactly where it was taken. */
  setState(state: RngState): void {
    const words = state?.s;
    if (!Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
      throw new Error('Rng.setState: state.s must be four unsigned 32-bit integers');
    }
    if (words.every((w) => w === 0)) throw new Error('Rng.setState: state.s must not be all zero');
    const spare = state.spareNormal ?? null;
    if (spare !== null && !Number.isFinite(spare)) throw new Error('Rng.setState: spareNormal must be a finite number or null');
    this.s.set(words);
    this.spare = spare;
  }
}

/** A new seeded {@link Rng}. */
export function createRng(seed: number): Rng {
  return new Rng(seed);
}
