// Low-level evidence for the mosaic locator: which neighbouring pixels are equal,
// how long the constant runs are, and the block grid that best explains the runs.
import type { Image } from '../data/image-core.js';
import type { BlockGrid } from './blocks.js';

/** Per-pixel equality with the right / lower neighbour, and constant-run lengths. */
export interface EqualityMaps {
  width: number;
  height: number;
  /** eqR[p] = 1 when pixel p equals its right neighbour (every channel within tolerance). */
  eqR: Uint8Array;
  /** eqD[p] = 1 when pixel p equals the pixel below. */
  eqD: Uint8Array;
  /** Length of the horizontal constant run containing p. */
  hLen: Int32Array;
  /** Length of the vertical constant run containing p. */
  vLen: Int32Array;
}

/** Builds the equality maps; `tolerance` is the largest per-channel difference still called equal. */
export function equalityMaps(img: Image, tolerance: number): EqualityMaps {
  const { width: w, height: h, channels: c, data } = img;
  const eqR = new Uint8Array(w * h), eqD = new Uint8Array(w * h);
  const same = (p: number, q: number): number => {
    for (let k = 0; k < c; k++) if (Math.abs(data[p * c + k] - data[q * c + k]) > tolerance) return 0;
    return 1;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (x + 1 < w) eqR[p] = same(p, p + 1);
      if (y + 1 < h) eqD[p] = same(p, p + w);
    }
  }
  const hLen = new Int32Array(w * h), vLen = new Int32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w;) {
      let e = x;
      while (e + 1 < w && eqR[y * w + e]) e++;
      for (let k = x; k <= e; k++) hLen[y * w + k] = e - x + 1;
      x = e + 1;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h;) {
      let e = y;
      while (e + 1 < h && eqD[e * w + x]) e++;
      for (let k = y; k <= e; k++) vLen[k * w + x] = e - y + 1;
      y = e + 1;
    }
  }
  return { width: w, height: h, eqR, eqD, hLen, vLen };
}

/** A constant run along one axis and the length of the run right after it (0 at the border). */
export interface RunPair {
  pos: number;
  len: number;
  next: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** One axis of a grid hypothesis: block length, offset, and the votes behind the length. */
export interface AxisHypothesis {
  size: number;
  offset: number;
  votes: number;
}

/**
 * Block length and offset hypotheses along one axis, best first. Each pair of consecutive
 * runs, both at least minBlock long and one a multiple of the other, votes for the shorter:
 * inside a mosaic that is the block length (runs are one block, or k blocks where neighbours
 * happen to be equal), while a lone long run (a flat area, a smooth sky) has textured
 * neighbours and does not vote at all. Offsets come from where the runs start. Returned: the
 * best length with its two most common offsets (two overlapping mosaics may share a length
 * but not a grid), and the runner-up length with its best offset; lengths with fewer than
 * `minVotes` votes are left out.
 */
export function axisHypotheses(runs: readonly RunPair[], minBlock: number, maxBlock: number, minVotes: number): AxisHypothesis[] {
  const votes = new Float64Array(maxBlock + 1);
  for (const r of runs) {
    if (r.len < minBlock || r.next < minBlock) continue;
    // One of the two must be a single block: runs of 2 and 3 blocks side by side are rare in
    // a mosaic but common where flat areas of unrelated lengths meet.
    const g = gcd(r.len, r.next);
    if (g === Math.min(r.len, r.next) && g <= maxBlock) votes[g]++;
  }
  const sizes: number[] = [];
  for (let b = minBlock; b <= maxBlock; b++) if (votes[b] >= minVotes) sizes.push(b);
  sizes.sort((a, b) => votes[b] - votes[a]);
  const out: AxisHypothesis[] = [];
  sizes.slice(0, 2).forEach((size, rank) => {
    const phase = new Float64Array(size);
    for (const r of runs) if (r.len >= size && r.len % size === 0) phase[r.pos % size] += r.len;
    const offsets = [...phase.keys()].filter((o) => phase[o] > 0).sort((a, b) => phase[b] - phase[a]);
    for (const offset of offsets.slice(0, rank === 0 ? 2 : 1)) out.push({ size, offset, votes: votes[size] });
  });
  return out;
}

/**
 * Grid hypotheses (every pairing of the axis hypotheses) for the constant runs that start
 * inside `pixels` (indices y*w+x). Runs touching the image border are clipped blocks and are
 * left out.
 */
export function gridHypotheses(maps: EqualityMaps, pixels: ArrayLike<number>, minBlock: number, maxBlock: number, minVotes: number): BlockGrid[] {
  const { width: w, height: h, eqR, eqD, hLen, vLen } = maps;
  const hRuns: RunPair[] = [], vRuns: RunPair[] = [];
  for (let i = 0; i < pixels.length; i++) {
    const p = pixels[i];
    const x = p % w, y = (p - x) / w;
    if (x > 0 && !eqR[p - 1] && x + hLen[p] < w) {
      hRuns.push({ pos: x, len: hLen[p], next: x + hLen[p] + hLen[p + hLen[p]] < w ? hLen[p + hLen[p]] : 0 });
    }
    if (y > 0 && !eqD[p - w] && y + vLen[p] < h) {
      vRuns.push({ pos: y, len: vLen[p], next: y + vLen[p] + vLen[p + vLen[p] * w] < h ? vLen[p + vLen[p] * w] : 0 });
    }
  }
  const xs = axisHypotheses(hRuns, minBlock, maxBlock, minVotes);
  const ys = xs.length ? axisHypotheses(vRuns, minBlock, maxBlock, minVotes) : [];
  return xs.flatMap((gx) => ys.map((gy) => ({ bw: gx.size, bh: gy.size, ox: gx.offset, oy: gy.offset })));
}
