// Temporal consistency of restored regions.
//
// Flicker: the mean absolute frame-to-frame change of the pixels inside the restored regions
// (per channel, 0..255), measured on the restored clip and on the clean clip over the same
// pixels; a restoration that invents detail differently on every frame flickers more than the
// clean clip, one that is steady does not.
//
// Smoothing: the restorer's residual (its output minus the classical estimate, which follows the
// block colours exactly) is blended with the previous frame's residual of the same track where
// the mosaic under it did not change (block colours within `threshold`), so detail the model
// invents stays put on static content and follows the mosaic where it moves. The classical part
// is never smoothed, and restoreRegions makes the result consistent with the block colours again.
import type { Image } from '../data/image.js';
import type { PlanarImage } from '../restore/classical.js';
import type { AreaInputs, AreaRestorer } from '../restore/net/tiles.js';

export interface TemporalOptions {
  /** Weight of the previous residual on static content, 0 (off) .. 1 (frozen). */
  strength: number;
  /** Largest per-channel change of a mosaic pixel still counted as static. */
  threshold: number;
}

export const TEMPORAL_DEFAULTS: TemporalOptions = { strength: 0.8, threshold: 6 };

interface TrackState { w: number; h: number; bytes: Uint8Array; residual: Float32Array }

/** Wraps a restorer (or none: the classical estimate) with per-track temporal smoothing; also times the model. */
export class TemporalRestorer implements AreaRestorer {
  private readonly state = new Map<string, TrackState>();
  private key = '';
  /** Seconds spent in the wrapped restorer. */
  modelSeconds = 0;

  constructor(readonly inner: AreaRestorer | null, readonly opts: TemporalOptions = TEMPORAL_DEFAULTS) {}

  /** The track the next restoreArea calls belong to. */
  begin(key: string): void {
    this.key = key;
  }

  /** Forgets a track (it ended, or its window moved). */
  forget(key: string): void {
    this.state.delete(key);
  }

  async restoreArea(a: AreaInputs): Promise<PlanarImage> {
    const t = performance.now();
    const r = this.inner ? await this.inner.restoreArea(a) : a.classical;
    this.modelSeconds += (performance.now() - t) / 1000;
    const { strength, threshold } = this.opts;
    if (!(strength > 0) || !this.key) return r;
    const { width: w, height: h } = a.classical;
    const plane = w * h;
    const residual = new Float32Array(3 * plane);
    for (let i = 0; i < 3 * plane; i++) residual[i] = r.data[i] - a.classical.data[i];
    const prev = this.state.get(this.key);
    if (prev && prev.w === w && prev.h === h) {
      for (let p = 0; p < plane; p++) {
        if (!a.mosaic[p]) continue;
        let diff = 0;
        for (let k = 0; k < 3; k++) diff = Math.max(diff, Math.abs(a.mosaicked[p * 3 + k] - prev.bytes[p * 3 + k]));
        const wt = strength * Math.max(0, 1 - diff / (threshold + 1));
        if (wt > 0) for (let k = 0; k < 3; k++) residual[k * plane + p] = wt * prev.residual[k * plane + p] + (1 - wt) * residual[k * plane + p];
      }
    }
    this.state.set(this.key, { w, h, bytes: a.mosaicked.slice(), residual });
    const out = new Float32Array(3 * plane);
    for (let i = 0; i < 3 * plane; i++) out[i] = Math.min(255, Math.max(0, a.classical.data[i] + residual[i]));
    return { width: w, height: h, channels: 3, data: out };
  }
}

/** Running flicker of a clip inside a per-frame mask: add frames in order, read `value`. */
export class FlickerMeter {
  private prev: Image | null = null;
  private prevMask: Uint8Array | null = null;
  private sum = 0;
  private count = 0;

  /** Adds frame t with the mask of pixels that count (1 = inside a restored region). */
  add(frame: Image, mask: Uint8Array): void {
    if (this.prev && this.prevMask) {
      const c = frame.channels;
      for (let p = 0; p < mask.length; p++) {
        if (!mask[p] || !this.prevMask[p]) continue;
        for (let k = 0; k < Math.min(3, c); k++) this.sum += Math.abs(frame.data[p * c + k] - this.prev.data[p * c + k]);
        this.count += Math.min(3, c);
      }
    }
    this.prev = frame;
    this.prevMask = mask;
  }

  /** Mean absolute frame-to-frame change, grey levels (0 before two frames). */
  get value(): number {
    return this.count ? this.sum / this.count : 0;
  }
}
