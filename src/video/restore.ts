// `restore apply` on a video: the restore library on every frame, with regions over time (fixed
// boxes or a mask, a keyframe file, or --auto: the locator per frame linked into steady tracks,
// one block grid per track) and temporal smoothing of the model's residual (temporal.ts).
import type { Image } from '../data/image.js';
import type { BlockGrid } from '../mosaic/blocks.js';
import { readMask } from '../mosaic/mask-file.js';
import type { MosaicStyle } from '../mosaic/pixelate.js';
import { parseBox } from '../mosaic/shapes.js';
import { estimateGrid } from '../restore/grid.js';
import type { AreaRestorer } from '../restore/net/tiles.js';
import { regionsFromBoxes, regionsFromLocate, regionsFromMask, type Region } from '../restore/regions.js';
import { restoreRegions, type AlphaCache } from '../restore/restore-image.js';
import type { ClipInfo, FrameJob } from './pipeline.js';
import { boxAt, checkInside, interpolateKeyframes, linkTracks, readKeyframes, type TimedRegion, type TrackOptions } from './regions.js';
import { TemporalRestorer, type TemporalOptions } from './temporal.js';
import { VideoError } from './ffmpeg.js';

export interface VideoRestoreOptions {
  runner: AreaRestorer | null;
  style: MosaicStyle;
  consistency: boolean;
  feather: number;
  tolerance: number;
  boxes: readonly string[];
  mask?: string;
  keyframes?: string;
  auto: boolean;
  temporal: TemporalOptions;
  track?: TrackOptions;
}

/** Time spent per part of the restoration (seconds, summed over frames). */
export interface RestoreStats { regions: number; restored: number; model: number; total: number }

interface AutoPlan { tracks: TimedRegion[]; grids: (BlockGrid | null)[] }

const sameGrid = (a: BlockGrid, b: BlockGrid) => a.bw === b.bw && a.bh === b.bh && a.ox === b.ox && a.oy === b.oy;

/** The most frequent grid among `gs` (ties: the first). */
function modeGrid(gs: readonly BlockGrid[]): BlockGrid | null {
  let best: BlockGrid | null = null, bestN = 0;
  for (const g of gs) {
    const n = gs.filter((h) => sameGrid(g, h)).length;
    if (n > bestN) [best, bestN] = [g, n];
  }
  return best;
}

/** The per-frame job restoring a clip's regions; `stats` fills in as frames are done. */
export function videoRestoreJob(o: VideoRestoreOptions): FrameJob & { stats: RestoreStats } {
  const temporal = new TemporalRestorer(o.runner, o.temporal);
  const stats: RestoreStats = { regions: 0, restored: 0, model: 0, total: 0 };
  let fixed: Region[] = [];
  let keyed: TimedRegion[] = [];
  let auto: AutoPlan = { tracks: [], grids: [] };
  const windows = new Map<string, string>();
  // The regions repeat from frame to frame: their feathered alphas are made once.
  const alphaCache: AlphaCache = new Map();
  if (!o.boxes.length && !o.mask && !o.keyframes && !o.auto) throw new Error('no region given: use --mask FILE, --box x,y,w,h (repeatable), --keyframes FILE or --auto');
  o.boxes.forEach(parseBox);
  return {
    stats,
    fingerprint: {
      job: 'restore', style: o.style, consistency: o.consistency, feather: o.feather, tolerance: o.tolerance, boxes: o.boxes, mask: o.mask ?? null,
      keyframes: o.keyframes ?? null, auto: o.auto, temporal: o.temporal, track: o.track ?? null, model: o.runner ? 'model' : 'classical',
    },
    async check(clip: ClipInfo) {
      try {
        fixed = regionsFromBoxes(o.boxes.map(parseBox), clip.width, clip.height);
        if (o.mask) fixed.push(...regionsFromMask(await readMask(o.mask, clip.width, clip.height)));
      } catch (err) {
        throw new VideoError(`${clip.path}: ${(err as Error).message.replace(/image/g, 'frame')}`);
      }
      if (o.keyframes) {
        keyed = interpolateKeyframes(await readKeyframes(o.keyframes), clip.times, clip.path);
        checkInside(keyed, clip.width, clip.height, clip.path);
      }
    },
    analyze: o.auto ? async (frames, clip) => {
      const detections: { box: Region['box']; grid: BlockGrid | null }[][] = [];
      for await (const { image } of frames) {
        detections.push(regionsFromLocate(image, { tolerance: o.tolerance }).map((r) => ({ box: r.box, grid: estimateGrid(image, r, o.tolerance) })));
      }
      const tracks = linkTracks(detections.map((d) => d.map((x) => x.box)), clip.width, clip.height, o.track);
      // One grid per track: the most frequent among the detections inside its windows.
      const grids = tracks.map((t) => {
        const found: BlockGrid[] = [];
        t.boxes.forEach((b, j) => {
          for (const d of detections[t.first + j] ?? []) {
            if (d.grid && d.box.x >= b.x && d.box.y >= b.y && d.box.x + d.box.w <= b.x + b.w && d.box.y + d.box.h <= b.y + b.h) found.push(d.grid);
          }
        });
        return modeGrid(found);
      });
      return { tracks, grids } satisfies AutoPlan;
    } : undefined,
    prepare(plan) {
      if (o.auto) auto = plan as AutoPlan;
    },
    async process(image: Image, i: number) {
      const t = performance.now();
      const m0 = temporal.modelSeconds;
      const todo: { key: string; region: Region }[] = fixed.map((r, j) => ({ key: `fixed ${j}`, region: r }));
      for (const r of keyed) {
        const b = boxAt(r, i);
        if (b) todo.push({ key: r.id, region: { ...regionsFromBoxes([b], image.width, image.height)[0], label: `${r.id} (frame ${i})` } });
      }
      auto.tracks.forEach((tr, j) => {
        const b = boxAt(tr, i);
        const key = `auto ${j}`;
        if (!b) return;
        const region: Region = { ...regionsFromBoxes([b], image.width, image.height)[0], label: `${tr.id} (frame ${i})` };
        const trackGrid = auto.grids[j];
        if (trackGrid) {
          // The frame's own grid when it agrees on the block size (a mosaic moving with its object), else the track's.
          const own = estimateGrid(image, region, o.tolerance);
          region.grid = own && own.bw === trackGrid.bw && own.bh === trackGrid.bh ? own : trackGrid;
        }
        todo.push({ key, region });
      });
      let img = image;
      for (const { key: track, region } of todo) {
        // Smoothing state is per track and window: a window that moved starts afresh.
        const b = region.box, key = `${track}@${b.x},${b.y},${b.w},${b.h}`;
        const last = windows.get(track);
        if (last !== undefined && last !== key) temporal.forget(last);
        windows.set(track, key);
        temporal.begin(key);
        const r = await restoreRegions(img, [region], { runner: temporal, style: o.style, consistency: o.consistency, feather: o.feather, tolerance: o.tolerance, alphaCache });
        img = r.image;
        stats.regions++;
        if (r.reports[0]?.grid) stats.restored++;
      }
      temporal.begin('');
      stats.model += temporal.modelSeconds - m0;
      stats.total += (performance.now() - t) / 1000;
      return img;
    },
  };
}
