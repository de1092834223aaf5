// Regions from class activation maps: threshold the CAM heatmap at a fraction of its maximum,
// keep the largest connected region or all of them, optionally dilate. `camRegionSource` plugs
// this into `makePairs`' regionSource hook.
import type { Image } from '../data/image-core.js';
import { loadClassifier, type ClassifierLoadOptions, type CamMethod, type OnnxClassifier } from '../cam/classifier.js';
import { componentMask, connectedComponents } from './components.js';
import { createMask, type Mask } from './mask.js';

export type RegionChoice = 'largest' | 'all';
export const REGION_CHOICES: readonly RegionChoice[] = ['largest', 'all'];

/** Defaults of HeatmapMaskOptions. */
export const HEATMAP_MASK_DEFAULTS = { threshold: 0.5, regions: 'largest', dilate: 0 } as const;

export interface HeatmapMaskOptions {
  /** Inside = heat >= threshold, as a fraction of the map's maximum (heatmaps are max-normalized); default 0.5. */
  threshold?: number;
  /** Keep the largest 8-connected region (default) or all. */
  regions?: RegionChoice;
  /** Grow the mask by this many pixels (Euclidean), default 0. */
  dilate?: number;
}

export interface CamRegionOptions extends HeatmapMaskOptions, ClassifierLoadOptions {
  method?: CamMethod;
  featureNode?: string;
  fcNode?: string;
}

export function checkHeatmapMaskOptions(o: HeatmapMaskOptions): void {
  const t = o.threshold ?? HEATMAP_MASK_DEFAULTS.threshold;
  if (!(t > 0 && t <= 1)) throw new Error(`threshold ${t}: need a fraction of the CAM maximum in (0, 1]`);
  if (o.regions !== undefined && !REGION_CHOICES.includes(o.regions)) throw new Error(`regions "${o.regions}": use largest or all`);
  if (o.dilate !== undefined && !(o.dilate >= 0 && Number.isFinite(o.dilate))) throw new Error(`dilate ${o.dilate}: need a number of pixels >= 0`);
}

/** The mask of a max-normalized heatmap (values in [0, 1]); an all-zero map gives an empty mask. */
export function heatmapToMask(heat: ArrayLike<number>, width: number, height: number, opts: HeatmapMaskOptions = {}): Mask {
  checkHeatmapMaskOptions(opts);
  if (heat.length !== width * height) throw new Error(`heatmapToMask: ${heat.length} values for a ${width}x${height} mask`);
  const t = opts.threshold ?? HEATMAP_MASK_DEFAULTS.threshold;
  let mask = createMask(width, height);
  for (let i = 0; i < heat.length; i++) mask.data[i] = heat[i] > 0 && heat[i] >= t ? 1 : 0;
  if ((opts.regions ?? HEATMAP_MASK_DEFAULTS.regions) === 'largest') {
    const comps = connectedComponents(mask);
    if (comps.length > 1) {
      const best = comps.reduce((a, b) => (b.area > a.area ? b : a));
      mask = componentMask(width, height, best);
    }
  }
  return opts.dilate ? dilateMask(mask, opts.dilate) : mask;
}

/** 1-D squared distance transform (Felzenszwalb & Huttenlocher) of f into d. */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    if (f[q] === Infinity) continue;
    if (f[v[k]] === Infinity) {
      v[k] = q;
      continue;
    }
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = f[v[k]] === Infinity ? Infinity : (q - v[k]) ** 2 + f[v[k]];
  }
}

/** Pixels within Euclidean distance `radius` of the mask (exact distance transform). */
export function dilateMask(mask: Mask, radius: number): Mask {
  const { width: w, height: h } = mask;
  const out = createMask(w, h);
  if (radius <= 0) {
    out.data.set(mask.data);
    return out;
  }
  const n = Math.max(w, h);
  const f = new Float64Array(n), d = new Float64Array(n), z = new Float64Array(n + 1);
  const v = new Int32Array(n);
  const dist = new Float64Array(w * h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = mask.data[y * w + x] ? 0 : Infinity;
    edt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) dist[y * w + x] = d[y];
  }
  const r2 = radius * radius;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = dist[y * w + x];
    edt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out.data[y * w + x] = d[x] <= r2 ? 1 : 0;
  }
  return out;
}

/** A region proposer: image -> mask of the same size; `release` frees a classifier it loaded itself. */
export type CamRegionSource = ((img: Image) => Promise<Mask>) & { release(): Promise<void> };

/**
 * A `regionSource` for `makePairs`: the CAM region of class `classIndex` in each image (same
 * size as the image). `classifier` is an .onnx path (loaded on first use) or a loaded classifier.
 * The class and the classifier's head are checked on first use.
 */
export function camRegionSource(classifier: string | OnnxClassifier, classIndex: number, opts: CamRegionOptions = {}): CamRegionSource {
  checkHeatmapMaskOptions(opts);
  let ready: Promise<OnnxClassifier> | null = null;
  const get = (): Promise<OnnxClassifier> => {
    ready ??= (async () => {
      const clf = typeof classifier === 'string' ? await loadClassifier(classifier, opts) : classifier;
      clf.resolveClass(classIndex);
      await clf.prepare({ method: opts.method, featureNode: opts.featureNode, fcNode: opts.fcNode, classIndex });
      return clf;
    })();
    return ready;
  };
  const source = async (img: Image): Promise<Mask> => {
    const clf = await get();
    const e = await clf.explain(img, { method: opts.method, featureNode: opts.featureNode, fcNode: opts.fcNode, classIndex });
    return heatmapToMask(e.heatmap, img.width, img.height, opts);
  };
  return Object.assign(source, {
    async release(): Promise<void> {
      if (typeof classifier === 'string' && ready) await ready.then((c) => c.release(), () => undefined);
      ready = null;
    },
  });
}
