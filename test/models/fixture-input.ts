/**
 * The fixture input of tools/fixtures/networks.py (hash_uniform): uniform [-1, 1) float32 values
 * from a murmur3-style hash of the element index, bit-identical to the numpy version.
 */
export function hashUniform(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let h = (Math.imul(i, 0x9e3779b1) + seed) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h = (h ^ (h >>> 16)) >>> 0;
    out[i] = (h / 2 ** 32) * 2 - 1;
  }
  return out;
}
