// `mosaic add` and `mosaic auto` on videos. add: fixed regions (boxes, polygons, ellipses, a
// mask) and keyframed boxes, pixelated on every frame with the same seed (so 'random' blocks do
// not flicker). auto: the classifier's CAM regions per frame, linked into steady tracks
// (regions.ts), so the mosaic neither jumps nor blinks.
import type { Image } from '../data/image.js';
import { loadClassifier } from '../cam/classifier.js';
import type { CamMethod } from '../cam/classifier.js';
import { connectedComponents } from '../mosaic/components.js';
import { heatmapToMask, type CamRegionOptions } from '../mosaic/cam-regions.js';
import { createMask, type Box, type Mask } from '../mosaic/mask.js';
import { applyMosaic, type MosaicOptions } from '../mosaic/mosaic.js';
import { checkRegionSpec, regionMask, type RegionSpec } from '../mosaic/region-spec.js';
import { fillRect, parseBox } from '../mosaic/shapes.js';
import { createRng } from '../util/rng.js';
import { VideoError } from './ffmpeg.js';
import type { ClipInfo, FrameJob } from './pipeline.js';
import { boxAt, checkInside, interpolateKeyframes, linkTracks, readKeyframes, type TimedRegion, type TrackOptions } from './regions.js';

const boxText = (b: Box) => `${b.x},${b.y},${b.w},${b.h}`;

/** What changes the pixels (the resume fingerprint; job options like callbacks are left out). */
const lookOf = (l: Omit<MosaicOptions, 'rng'>) => ({ style: l.style, blockSize: l.blockSize, blockAspect: l.blockAspect, feather: l.feather, seed: l.seed, grid: l.grid, area: l.area });

function pixelate(image: Image, mask: Mask, o: Omit<MosaicOptions, 'rng'>): Image {
  return applyMosaic(image, mask, { ...o, rng: createRng(o.seed ?? 0) }).image;
}

function withBoxes(base: Mask, boxes: readonly Box[]): Mask {
  if (!boxes.length) return base;
  const m = { ...base, data: base.data.slice() };
  for (const b of boxes) fillRect(m, b);
  return m;
}

/** The frame job of `mosaic add` on a video. */
export function videoAddJob(spec: RegionSpec & { keyframes?: string }, look: Omit<MosaicOptions, 'rng'>): FrameJob {
  if (!spec.keyframes) checkRegionSpec(spec);
  else checkRegionSpec({ ...spec, boxes: [...(spec.boxes ?? []), '0,0,1,1'] });
  let base: Mask = createMask(1, 1);
  let keyed: TimedRegion[] = [];
  return {
    fingerprint: { job: 'mosaic add', spec, look: lookOf(look) },
    async check(clip: ClipInfo) {
      for (const t of spec.boxes ?? []) {
        const b = parseBox(t);
        if (b.x < 0 || b.y < 0 || b.x + b.w > clip.width || b.y + b.h > clip.height) throw new VideoError(`${clip.path}: box ${boxText(b)} is outside the ${clip.width}x${clip.height} frame`);
      }
      base = await regionMask(spec, clip.width, clip.height).catch((err: Error) => {
        throw new VideoError(`${clip.path}: ${err.message.replace(/image/g, 'frame')}`);
      });
      if (spec.keyframes) {
        keyed = interpolateKeyframes(await readKeyframes(spec.keyframes), clip.times, clip.path);
        checkInside(keyed, clip.width, clip.height, clip.path);
      }
    },
    async process(image, i) {
      return pixelate(image, withBoxes(base, keyed.map((r) => boxAt(r, i)).filter((b): b is Box => b !== null)), look);
    },
  };
}

export interface VideoAutoOptions extends CamRegionOptions {
  classifier: string;
  classSpec: number | string;
  method?: CamMethod;
  featureNode?: string;
  fcNode?: string;
  track?: TrackOptions;
}

/** The frame job of `mosaic auto` on a video: CAM regions per frame in a first pass, tracked. */
export function videoAutoJob(o: VideoAutoOptions, look: Omit<MosaicOptions, 'rng'>): FrameJob & { release(): Promise<void> } {
  let tracks: TimedRegion[] = [];
  let clf: Awaited<ReturnType<typeof loadClassifier>> | null = null;
  return {
    fingerprint: { job: 'mosaic auto', classifier: o.classifier, classSpec: o.classSpec, threshold: o.threshold, regions: o.regions, dilate: o.dilate, method: o.method, look: lookOf(look), track: o.track ?? null },
    async analyze(frames, clip) {
      clf = await loadClassifier(o.classifier, o);
      const classIndex = clf.resolveClass(o.classSpec);
      if (classIndex === undefined) throw new Error('mosaic auto: give the class to mosaic (--class)');
      const explain = { method: o.method, featureNode: o.featureNode, fcNode: o.fcNode, classIndex };
      await clf.prepare(explain);
      const detections: Box[][] = [];
      for await (const { image } of frames) {
        const e = await clf.explain(image, explain);
        detections.push(connectedComponents(heatmapToMask(e.heatmap, image.width, image.height, o)).map((c) => c.box));
      }
      await clf.release();
      clf = null;
      return linkTracks(detections, clip.width, clip.height, { minFrames: 1, ...o.track });
    },
    prepare(plan) {
      tracks = plan as TimedRegion[];
    },
    async process(image, i) {
      const boxes = tracks.map((r) => boxAt(r, i)).filter((b): b is Box => b !== null);
      return boxes.length ? pixelate(image, withBoxes(createMask(image.width, image.height), boxes), look) : image;
    },
    async release() {
      await clf?.release();
    },
  };
}
