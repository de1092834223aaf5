// Regions over time. Three sources:
//  - fixed boxes or a mask for the whole clip;
//  - a keyframe file: per region, boxes at some frames (or times), linearly interpolated between
//    them; the region exists from its first keyframe to its last;
//  - detections per frame (the mosaic locator, or a classifier's CAM), linked into tracks by
//    overlap, short gaps filled, blips dropped, and each track's window kept steady (the union
//    of its boxes over a sliding window of frames, so it neither jumps nor blinks).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Box } from '../mosaic/mask.js';
import { VideoError } from './ffmpeg.js';

const boxText = (b: Box): string => `${b.x},${b.y},${b.w},${b.h}`;

const keyframeSchema = z.object({
  frame: z.int().min(0).optional(),
  time: z.number().min(0).optional(),
  box: z.tuple([z.number(), z.number(), z.number().positive(), z.number().positive()]),
}).strict().refine((k) => (k.frame === undefined) !== (k.time === undefined), { message: 'each keyframe needs exactly one of frame or time' });

export const keyframeFileSchema = z.object({
  regions: z.array(z.object({
    id: z.string().min(1).optional(),
    keyframes: z.array(keyframeSchema).min(1),
  }).strict()).min(1),
}).strict();
export type KeyframeFile = z.output<typeof keyframeFileSchema>;

/** One region over time: a box per frame from `first` to `first + boxes.length - 1`. */
export interface TimedRegion {
  id: string;
  first: number;
  boxes: Box[];
}

/** The box of `r` at frame `i`, or null when it does not exist then. */
export function boxAt(r: TimedRegion, i: number): Box | null {
  return i >= r.first && i < r.first + r.boxes.length ? r.boxes[i - r.first] : null;
}

/** Reads and checks a keyframe file; errors name the file and what is wrong. */
export async function readKeyframes(path: string): Promise<KeyframeFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new VideoError(`keyframes ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(err as Error).message})`}`);
  }
  const r = keyframeFileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new VideoError(`keyframes ${path}: ${issue.path.join('.') || 'file'}: ${issue.message}; expected {"regions": [{"id": "a", "keyframes": [{"frame": 0, "box": [x, y, w, h]}, ...]}]}`);
  }
  return r.data;
}

/**
 * The keyframed regions at every frame of a clip (frame times in seconds, for `time` keyframes),
 * linearly interpolated and rounded to whole pixels. Keyframes past the clip's end are an error.
 */
export function interpolateKeyframes(k: KeyframeFile, times: readonly number[], what: string): TimedRegion[] {
  const n = times.length;
  const frameOf = (t: number): number => {
    let best = 0;
    for (let i = 0; i < n; i++) if (Math.abs(times[i] - t) < Math.abs(times[best] - t)) best = i;
    return best;
  };
  return k.regions.map((r, ri) => {
    const id = r.id ?? `region ${ri + 1}`;
    const keys = r.keyframes.map((kf) => ({ frame: kf.frame ?? frameOf(kf.time!), box: kf.box })).sort((a, b) => a.frame - b.frame);
    for (const kf of keys) if (kf.frame >= n) throw new VideoError(`${what}: keyframe of ${id} at frame ${kf.frame} is past the clip's last frame (${n - 1})`);
    const boxes: Box[] = [];
    for (let f = keys[0].frame; f <= keys[keys.length - 1].frame; f++) {
      let j = 0;
      while (j + 1 < keys.length && keys[j + 1].frame <= f) j++;
      const a = keys[j], b = keys[Math.min(j + 1, keys.length - 1)];
      const t = b.frame > a.frame ? (f - a.frame) / (b.frame - a.frame) : 0;
      const v = a.box.map((x, q) => x + (b.box[q] - x) * t);
      const x0 = Math.round(v[0]), y0 = Math.round(v[1]);
      boxes.push({ x: x0, y: y0, w: Math.max(1, Math.round(v[0] + v[2]) - x0), h: Math.max(1, Math.round(v[1] + v[3]) - y0) });
    }
    return { id, first: keys[0].frame, boxes };
  });
}

/** Throws a VideoError naming the clip, the region and the frame when a box leaves the frame. */
export function checkInside(regions: readonly TimedRegion[], width: number, height: number, what: string): void {
  for (const r of regions) {
    r.boxes.forEach((b, j) => {
      if (b.x < 0 || b.y < 0 || b.x + b.w > width || b.y + b.h > height || b.w <= 0 || b.h <= 0) {
        throw new VideoError(`${what}: ${r.id} at frame ${r.first + j} (box ${boxText(b)}) is outside the ${width}x${height} frame`);
      }
    });
  }
}

export interface TrackOptions {
  /** Least overlap (intersection over the smaller box) that links a detection to a track. */
  minOverlap?: number;
  /** Gaps of up to this many frames inside a track are filled (interpolated). */
  maxGap?: number;
  /** Tracks seen on fewer frames than this are dropped (blips). */
  minFrames?: number;
  /** The window of a track at frame t is the union of its boxes over t-smooth..t+smooth. */
  smooth?: number;
  /** Grow each window by this many px (clipped to the frame). */
  margin?: number;
}

export const TRACK_DEFAULTS: Required<TrackOptions> = { minOverlap: 0.3, maxGap: 8, minFrames: 3, smooth: 4, margin: 0 };

const overlap = (a: Box, b: Box): number => {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x), h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? (w * h) / Math.min(a.w * a.h, b.w * b.h) : 0;
};

const union = (a: Box, b: Box): Box => {
  const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
};

/**
 * Links per-frame detections (`detections[i]` = boxes found in frame i) into steady tracks.
 * Greedy by overlap with each live track's last box; a track that has not been seen for more
 * than maxGap frames ends. Returns each kept track's window for every frame from its first to
 * its last detection (gaps filled).
 */
export function linkTracks(detections: readonly (readonly Box[])[], width: number, height: number, opts: TrackOptions = {}): TimedRegion[] {
  const o = { ...TRACK_DEFAULTS, ...opts };
  interface Track { seen: Map<number, Box>; last: Box; lastFrame: number }
  const tracks: Track[] = [];
  detections.forEach((boxes, i) => {
    const live = tracks.filter((t) => i - t.lastFrame <= o.maxGap + 1);
    const pairs: [number, number, number][] = [];
    boxes.forEach((b, bi) => live.forEach((t, ti) => {
      const v = overlap(b, t.last);
      if (v >= o.minOverlap) pairs.push([v, bi, ti]);
    }));
    pairs.sort((a, b) => b[0] - a[0]);
    const usedB = new Set<number>(), usedT = new Set<number>();
    for (const [, bi, ti] of pairs) {
      if (usedB.has(bi) || usedT.has(ti)) continue;
      usedB.add(bi);
      usedT.add(ti);
      const t = live[ti];
      const prev = t.seen.get(i);
      t.seen.set(i, prev ? union(prev, boxes[bi]) : boxes[bi]);
      t.last = boxes[bi];
      t.lastFrame = i;
    }
    boxes.forEach((b, bi) => {
      if (!usedB.has(bi)) tracks.push({ seen: new Map([[i, b]]), last: b, lastFrame: i });
    });
  });
  const out: TimedRegion[] = [];
  for (const t of tracks) {
    if (t.seen.size < o.minFrames) continue;
    const frames = [...t.seen.keys()].sort((a, b) => a - b);
    const first = frames[0], lastF = frames[frames.length - 1];
    // Fill gaps by interpolating between the detections around them.
    const raw: Box[] = [];
    let k = 0;
    for (let f = first; f <= lastF; f++) {
      if (t.seen.has(f)) {
        raw.push(t.seen.get(f)!);
        while (k + 1 < frames.length && frames[k + 1] <= f) k++;
        continue;
      }
      const a = t.seen.get(frames[k])!, b = t.seen.get(frames[k + 1])!;
      const s = (f - frames[k]) / (frames[k + 1] - frames[k]);
      const lerp = (p: number, q: number) => Math.round(p + (q - p) * s);
      const x = lerp(a.x, b.x), y = lerp(a.y, b.y);
      raw.push({ x, y, w: lerp(a.x + a.w, b.x + b.w) - x, h: lerp(a.y + a.h, b.y + b.h) - y });
    }
    // Steady windows: union over a sliding window of frames, grown by the margin, inside the frame.
    const boxes = raw.map((_, j) => {
      let u = raw[j];
      for (let d = Math.max(0, j - o.smooth); d <= Math.min(raw.length - 1, j + o.smooth); d++) u = union(u, raw[d]);
      const x0 = Math.max(0, u.x - o.margin), y0 = Math.max(0, u.y - o.margin);
      return { x: x0, y: y0, w: Math.min(width, u.x + u.w + o.margin) - x0, h: Math.min(height, u.y + u.h + o.margin) - y0 };
    });
    out.push({ id: `track ${out.length + 1}`, first, boxes });
  }
  return out;
}
