// Self-ensemble: restore an area under several mirrorings/rotations and average the results
// mapped back, which evens out the model's orientation-dependent guesses (8x the model time for
// 8 transforms). A mosaic stays a mosaic under these maps; only its grid phase changes, and for
// 'center' mosaics a mirror moves the sampled pixel off floor(k/2) for even k, so those use only
// the transpose (2 transforms). Pure TypeScript.
import type { BlockGrid } from '../../mosaic/blocks.js';
import type { PlanarImage } from '../classical.js';
import type { AreaInputs, AreaRestorer } from './tiles.js';

/** A map of the square's symmetry group: bit 0 mirrors x, bit 1 mirrors y, bit 2 transposes (applied last). */
type Transform = number;

/** Source pixel (x, y) of output pixel (u, v) under t, for an output of width ow (input w x h). */
function sourceOf(t: Transform, u: number, v: number, w: number, h: number): [number, number] {
  let x = u, y = v;
  if (t & 4) [x, y] = [y, x];
  if (t & 1) x = w - 1 - x;
  if (t & 2) y = h - 1 - y;
  return [x, y];
}

function transformArea(a: AreaInputs, t: Transform): AreaInputs {
  const { width: w, height: h } = a.classical;
  const [ow, oh] = t & 4 ? [h, w] : [w, h];
  const plane = w * h;
  const bytes = new Uint8Array(ow * oh * 3), mosaic = new Uint8Array(ow * oh), data = new Float32Array(3 * plane);
  for (let v = 0; v < oh; v++) {
    for (let u = 0; u < ow; u++) {
      const [x, y] = sourceOf(t, u, v, w, h);
      const s = y * w + x, d = v * ow + u;
      mosaic[d] = a.mosaic[s];
      for (let k = 0; k < 3; k++) {
        bytes[d * 3 + k] = a.mosaicked[s * 3 + k];
        data[k * plane + d] = a.classical.data[k * plane + s];
      }
    }
  }
  // Block boundaries sit at origin + i*size; a mirror of an axis of length n moves them to n - origin.
  let { bw, bh, ox, oy } = a.grid;
  if (t & 1) ox = (((w - ox) % bw) + bw) % bw;
  if (t & 2) oy = (((h - oy) % bh) + bh) % bh;
  const grid: BlockGrid = t & 4 ? { bw: bh, bh: bw, ox: oy, oy: ox } : { bw, bh, ox, oy };
  return { ...a, mosaicked: bytes, mosaic, classical: { width: ow, height: oh, channels: 3, data }, grid };
}

/** The transforms used for a style: all 8, or identity and transpose for 'center' (see the top). */
export function ensembleTransforms(style: AreaInputs['style']): Transform[] {
  return style === 'center' ? [0, 4] : [0, 1, 2, 3, 4, 5, 6, 7];
}

/** An AreaRestorer that averages `inner` over the symmetries of each area. */
export function selfEnsemble(inner: AreaRestorer): AreaRestorer {
  return {
    async restoreArea(a: AreaInputs): Promise<PlanarImage> {
      const { width: w, height: h } = a.classical;
      const plane = w * h;
      const sum = new Float32Array(3 * plane);
      const transforms = ensembleTransforms(a.style);
      for (const t of transforms) {
        const r = await inner.restoreArea(transformArea(a, t));
        const ow = r.width;
        for (let v = 0; v < r.height; v++) {
          for (let u = 0; u < ow; u++) {
            const [x, y] = sourceOf(t, u, v, w, h);
            for (let k = 0; k < 3; k++) sum[k * plane + y * w + x] += r.data[k * plane + v * ow + u];
          }
        }
      }
      for (let i = 0; i < sum.length; i++) sum[i] /= transforms.length;
      return { width: w, height: h, channels: 3, data: sum };
    },
  };
}
