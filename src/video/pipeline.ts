// One video through a per-frame job: decode (ffmpeg -> raw rgb24 over a pipe), optional
// analysis pass (e.g. tracking regions over the whole clip), the job on each frame in display
// orientation, encode in segments (raw frames with their own timestamps -> ffmpeg), then one
// mux that joins the segments and copies the input's audio, subtitles, metadata and chapters.
//
// Long runs: each segment (segmentSeconds of frames) is written to a temp file and renamed when
// complete, in a work folder beside the output (.NAME.parts/, with a manifest of the input and
// settings); `resume` continues after the last complete segment. The output file appears only
// when the final mux is done (temp then rename); the work folder is removed then.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Image } from '../data/image.js';
import { writeFileAtomic } from '../io/atomic.js';
import { containerOf, streamPlan, videoEncoding, type EncodeSettings } from './encode.js';
import { ffmpegCaps, ffmpegReason, findFfmpeg, runTool, VideoError, type FfmpegTools } from './ffmpeg.js';
import { padImage, rotateImage } from './frame-ops.js';
import { frameTimes, probeVideo, rationalValue, type VideoInfo } from './probe.js';
import { FrameDecoder, FrameEncoder } from './stream.js';

/** What a per-frame job sees of the clip. */
export interface ClipInfo {
  path: string;
  /** Display size (rotation applied): the frames the job gets. */
  width: number;
  height: number;
  frames: number;
  /** Average frames per second. */
  fps: number;
  /** Each frame's presentation time in seconds from the first frame. */
  times: number[];
  info: VideoInfo;
}

export interface IndexedFrame { image: Image; index: number }

/** A job run on every frame of a clip. */
export interface FrameJob {
  /** Everything that changes the output frames, JSON-able: a resumed run must have the same. */
  fingerprint: unknown;
  /** Checks the job's settings against the clip (regions inside the frame, ...) before anything is written. */
  check?: (clip: ClipInfo) => Promise<void> | void;
  /** A first pass over all frames (display orientation); returns a JSON-able plan (saved for resume). */
  analyze?: (frames: AsyncIterable<IndexedFrame>, clip: ClipInfo) => Promise<unknown>;
  /** Called once before processing, with the plan from analyze (or the saved one). */
  prepare?: (plan: unknown, clip: ClipInfo) => Promise<void> | void;
  /** One frame (display orientation) -> the output frame of the same size. */
  process: (image: Image, index: number) => Promise<Image>;
  /** Counters and timings of the job itself (e.g. seconds in the model), reported in the result. */
  stats?: object;
}

export interface VideoProgress {
  phase: 'analyze' | 'process' | 'mux';
  /** Frames done in this phase (counting frames of resumed segments). */
  frame: number;
  total: number;
  /** Frames per second of this run in this phase. */
  fps: number;
  /** Seconds left in this phase at this rate, or null before the rate is known. */
  etaSeconds: number | null;
}

export interface PipelineOptions {
  encode: EncodeSettings;
  /** An ffmpeg path or 'system'; default IMG2IMG_FFMPEG or the bundled one. */
  ffmpeg?: string;
  /** Continue from the complete segments of an interrupted run. */
  resume?: boolean;
  /** Seconds of video per segment (the unit of resuming). */
  segmentSeconds?: number;
  onProgress?: (p: VideoProgress) => void;
  /** Notes (fallback encoder, padding, streams that could not be kept). */
  log?: (line: string) => void;
  /** Stop after this many segments (tests of resuming; the run throws a VideoError saying so). */
  stopAfterSegments?: number;
}

/** Where a run's time went, seconds. ffmpeg times are the child processes' CPU time. */
export interface VideoTimings {
  wall: number;
  analyze: number;
  /** Time in the job's process(), summed over frames. */
  process: number;
  /** Waiting for decoded frames (the decoder behind). */
  decodeWait: number;
  /** Waiting for the encoder to take frames (the encoder behind). */
  encodeWait: number;
  /** CPU seconds of the decoding and encoding ffmpegs. */
  decodeCpu: number;
  encodeCpu: number;
  mux: number;
}

export interface VideoResult {
  input: string;
  output: string;
  frames: number;
  /** Frames taken from complete segments of an earlier run. */
  resumedFrames: number;
  width: number;
  height: number;
  encoder: string;
  notes: string[];
  timings: VideoTimings;
  /** The job's own counters (restore: regions, restored, model and total seconds). */
  jobStats?: object;
}

const MANIFEST = 'manifest.json';
const PLAN = 'plan.json';

/** The work folder of `output`: .NAME.parts beside it. */
export function partsDir(output: string): string {
  return join(dirname(resolve(output)), `.${basename(output)}.parts`);
}

const benchCpu = (stderr: string): number => {
  const m = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  return m ? Number(m[1]) + Number(m[2]) : 0;
};

/** Decoder arguments: frames from index `from` on, stored orientation, rgb24 on stdout. */
function decodeArgs(info: VideoInfo, from: number): string[] {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-benchmark', '-noautorotate', '-i', info.path, '-map', `0:${info.video.index}`];
  if (from > 0) args.push('-vf', `select=gte(n\\,${from})`);
  args.push('-vsync', 'passthrough', '-an', '-sn', '-dn', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  return args;
}

const hash = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);

/**
 * Runs `job` on every frame of `input` and writes `output` (a video; the container from its
 * extension). Throws a VideoError naming the file for bad inputs, before anything is written.
 */
export async function processVideo(input: string, output: string, job: FrameJob, o: PipelineOptions): Promise<VideoResult> {
  const t0 = performance.now();
  const tools: FfmpegTools = findFfmpeg(o.ffmpeg);
  containerOf(output);
  const caps = await ffmpegCaps(tools.ffmpeg);
  const info = await probeVideo(input, tools);
  const times = await frameTimes(info, tools);
  const n = times.pts.length;
  const tb = rationalValue(times.timeBase);
  const rot = info.video.rotation;
  const swap = rot === 90 || rot === 270;
  const clip: ClipInfo = {
    path: input, width: swap ? info.video.height : info.video.width, height: swap ? info.video.width : info.video.height, frames: n,
    fps: n > 1 ? (n - 1) / ((times.pts[n - 1] - times.pts[0]) * tb || 1) : rationalValue(info.video.frameRate),
    times: times.pts.map((p) => (p - times.pts[0]) * tb), info,
  };
  if (n > 1 && !Number.isFinite(clip.fps)) clip.fps = rationalValue(info.video.frameRate);
  const enc = videoEncoding(info, info.video.width, info.video.height, output, o.encode, caps);
  const streams = streamPlan(info, output, caps);
  const notes = [...enc.notes, ...streams.notes];
  for (const l of notes) o.log?.(l);

  await job.check?.(clip);
  // Segments go into a container that stores decoding timestamps (the concat step needs them)
  // and the stream's own time base: QuickTime, MP4 for VP9, Matroska for VP8.
  const segFormat = enc.encoder === 'libvpx-vp9' ? 'mp4' : enc.encoder === 'libvpx' ? 'matroska' : 'mov';
  const segExt = segFormat === 'matroska' ? 'mkv' : segFormat;
  const segName = (k: number) => `seg-${String(k).padStart(5, '0')}.${segExt}`;
  const segFrames = Math.max(1, Math.round((o.segmentSeconds ?? 10) * (Number.isFinite(clip.fps) && clip.fps > 0 ? clip.fps : 25)));
  const segments = Math.ceil(n / segFrames);
  const dir = partsDir(output);
  const st = await stat(input);
  const manifest = {
    version: 1, input: resolve(input), size: st.size, mtimeMs: Math.round(st.mtimeMs), frames: n, segFrames,
    fingerprint: hash(job.fingerprint), encoder: enc.args, output: resolve(output),
  };
  let done = 0;
  if (o.resume) {
    const old = await readFile(join(dir, MANIFEST), 'utf8').then((t) => JSON.parse(t) as unknown).catch(() => null);
    if (old && JSON.stringify(old) !== JSON.stringify(manifest)) {
      throw new VideoError(`${output}: the interrupted run in ${dir} used another input or other settings; run without --resume to start over`);
    }
    if (old) {
      const have = new Set(await readdir(dir));
      while (done < segments && have.has(segName(done))) done++;
    }
  }
  if (done === 0) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, MANIFEST), JSON.stringify(manifest));
  }
  for (const f of await readdir(dir)) if (f.includes('.tmp.')) await rm(join(dir, f), { force: true });
  const timings: VideoTimings = { wall: 0, analyze: 0, process: 0, decodeWait: 0, encodeWait: 0, decodeCpu: 0, encodeCpu: 0, mux: 0 };
  const from = done * segFrames;
  let tm = 0;
  try {
    const frameBytes = info.video.width * info.video.height * 3;
    const toDisplay = (buf: Buffer): Image => rotateImage({ width: info.video.width, height: info.video.height, channels: 3, data: buf }, rot);

    // Analysis pass (plan saved for resuming).
    let plan: unknown = null;
    if (job.analyze) {
      const ta = performance.now();
      const saved = done > 0 ? await readFile(join(dir, PLAN), 'utf8').then((t) => JSON.parse(t) as unknown).catch(() => undefined) : undefined;
      if (saved !== undefined) plan = saved;
      else {
        const dec = new FrameDecoder(tools.ffmpeg, decodeArgs(info, 0), frameBytes, input);
        let i = 0;
        const frames = async function* (): AsyncGenerator<IndexedFrame> {
          for await (const buf of dec) {
            if (i >= n) break;
            yield { image: toDisplay(buf), index: i++ };
            const el = (performance.now() - ta) / 1000;
            o.onProgress?.({ phase: 'analyze', frame: i, total: n, fps: i / el, etaSeconds: i > 0 ? ((n - i) * el) / i : null });
          }
        };
        plan = await job.analyze(frames(), clip);
        if (i < n) throw new VideoError(`${input}: only ${i} of ${n} frames could be decoded (a truncated or damaged file?)`);
        timings.decodeCpu += benchCpu(dec.log);
        await writeFileAtomic(join(dir, PLAN), JSON.stringify(plan));
      }
      timings.analyze = (performance.now() - ta) / 1000;
    }
    await job.prepare?.(plan, clip);

    // Processing and encoding, segment by segment.
    const nsOf = (i: number, base: number): number => Math.round((times.pts[i] - times.pts[base]) * tb * 1e9);
    const durNs = (i: number): number => Math.round((i + 1 < n ? times.pts[i + 1] - times.pts[i] : times.lastDuration) * tb * 1e9);
    const encArgs = (file: string): string[] => [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-benchmark', '-f', 'matroska', '-i', 'pipe:0', '-map', '0:v',
      '-vsync', 'passthrough', '-enc_time_base', `${times.timeBase.num}/${times.timeBase.den}`, ...enc.args,
      ...(segFormat !== 'matroska' ? ['-use_editlist', '0', ...(times.timeBase.num === 1 ? ['-video_track_timescale', String(times.timeBase.den)] : [])] : []),
      '-f', segFormat, '-y', file,
    ];
    const pending: Promise<void>[] = [];
    const tp = performance.now();
    let processed = 0;
    if (from < n) {
      const dec = new FrameDecoder(tools.ffmpeg, decodeArgs(info, from), frameBytes, input);
      try {
        for (let k = done; k < segments; k++) {
          if (o.stopAfterSegments !== undefined && k - done >= o.stopAfterSegments) {
            throw new VideoError(`${output}: stopped after ${k} of ${segments} segments (resume with --resume)`);
          }
          const start = k * segFrames, end = Math.min(n, start + segFrames);
          const tmp = join(dir, segName(k).replace(`.${segExt}`, `.tmp.${segExt}`));
          const encoder = new FrameEncoder(tools.ffmpeg, encArgs(tmp), enc.width, enc.height, output);
          try {
            for (let i = start; i < end; i++) {
              let t = performance.now();
              const buf = await dec.next();
              timings.decodeWait += (performance.now() - t) / 1000;
              if (!buf) throw new VideoError(`${input}: only ${i} of ${n} frames could be decoded (a truncated or damaged file?)`);
              t = performance.now();
              const out = await job.process(toDisplay(buf), i);
              timings.process += (performance.now() - t) / 1000;
              if (out.width !== clip.width || out.height !== clip.height || out.channels !== 3) {
                throw new Error(`frame ${i}: the job returned ${out.width}x${out.height}x${out.channels}, expected ${clip.width}x${clip.height}x3`);
              }
              const stored = rotateImage(out, (360 - rot) % 360);
              t = performance.now();
              await encoder.write(padImage(stored, enc.width, enc.height), nsOf(i, start), durNs(i));
              timings.encodeWait += (performance.now() - t) / 1000;
              processed++;
              const el = (performance.now() - tp) / 1000;
              o.onProgress?.({ phase: 'process', frame: i + 1, total: n, fps: processed / el, etaSeconds: ((n - i - 1) * el) / processed });
            }
          } catch (err) {
            await encoder.abort();
            throw err;
          }
          // The encoder flushes while the next segment is processed.
          pending.push(encoder.finish().then(async () => {
            timings.encodeCpu += benchCpu(encoder.log);
            await rename(tmp, join(dir, segName(k)));
          }));
          pending[pending.length - 1].catch(() => undefined);
        }
      } finally {
        dec.stop();
        const results = await Promise.allSettled(pending);
        timings.decodeCpu += benchCpu(dec.log);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      }
    }

    // Join the segments and copy the other streams from the input.
    tm = performance.now();
    o.onProgress?.({ phase: 'mux', frame: n, total: n, fps: 0, etaSeconds: null });
    const list = ['ffconcat version 1.0'];
    for (let k = 0; k < segments; k++) {
      const start = k * segFrames, end = Math.min(n, start + segFrames);
      const span = ((end < n ? times.pts[end] : times.pts[n - 1] + times.lastDuration) - times.pts[start]) * tb;
      list.push(`file ${segName(k)}`, `duration ${span.toFixed(6)}`);
    }
    await writeFile(join(dir, 'list.ffconcat'), list.join('\n') + '\n');
    const offset = times.pts[0] * tb - info.startTime;
    const rotation = rot === 0 ? [] : caps.options.has('display_rotation') ? [] : ['-metadata:s:v:0', `rotate=${rot}`];
    const tmpOut = join(dirname(resolve(output)), `.${basename(output)}.${process.pid}.partial`);
    const { muxer } = containerOf(output);
    const muxArgs = [
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-y',
      ...(Math.abs(offset) > 1e-9 ? ['-itsoffset', offset.toFixed(6)] : []),
      ...(rot !== 0 && caps.options.has('display_rotation') ? ['-display_rotation:v:0', String(rot)] : []),
      '-f', 'concat', '-safe', '0', '-i', join(dir, 'list.ffconcat'), '-i', resolve(input),
      '-map', '0:v:0', '-c:v', 'copy', ...streams.args, '-map_metadata', '1', '-map_chapters', '1', ...rotation,
      ...(muxer === 'mp4' || muxer === 'mov' ? ['-movflags', '+faststart', ...(times.timeBase.num === 1 ? ['-video_track_timescale', String(times.timeBase.den)] : [])] : []),
      '-f', muxer, tmpOut,
    ];
    try {
      const r = await runTool(tools.ffmpeg, muxArgs);
      if (r.code !== 0) throw new VideoError(`${output}: joining the segments and the input's other streams failed (${ffmpegReason(r.stderr)})`);
      await mkdir(dirname(resolve(output)), { recursive: true });
      await rename(tmpOut, output);
    } catch (err) {
      await rm(tmpOut, { force: true });
      throw err;
    }
  } catch (err) {
    // Keep the work folder for --resume only when it holds complete segments.
    const kept = await readdir(dir).catch(() => [] as string[]);
    if (!kept.some((f) => /^seg-\d+\.(mov|mp4|mkv)$/.test(f))) await rm(dir, { recursive: true, force: true });
    throw err;
  }
  await rm(dir, { recursive: true, force: true });
  timings.mux = (performance.now() - tm) / 1000;
  timings.wall = (performance.now() - t0) / 1000;
  return {
    input, output, frames: n, resumedFrames: from, width: enc.width, height: enc.height, encoder: enc.encoder, notes, timings, jobStats: job.stats,
  };
}
