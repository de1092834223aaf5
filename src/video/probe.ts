// What a video file holds, from ffprobe's JSON (never from ffmpeg's human-readable text), and
// the presentation timestamps of its video frames (from the packet index: no decoding).
// probeVideo takes a path and returns a typed result or throws a VideoError naming the file
// and the problem (not a video, truncated, no video stream, no frames).
import { open, stat } from 'node:fs/promises';
import { ffmpegReason, findFfmpeg, runTool, VideoError, type FfmpegTools } from './ffmpeg.js';
import { sniffBytes } from './sniff.js';

/** A fraction num/den (frame rates, time bases, aspect ratios). */
export interface Rational { num: number; den: number }

export interface VideoStreamInfo {
  /** Index among the file's streams. */
  index: number;
  codec: string;
  /** Coded (stored) size; frames are displayed turned by `rotation`. */
  width: number;
  height: number;
  pixFmt: string;
  timeBase: Rational;
  /** ffprobe's r_frame_rate (the base rate) and avg_frame_rate (frames / duration). */
  frameRate: Rational;
  avgFrameRate: Rational | null;
  /** Frames according to the container, when it says. */
  frames: number | null;
  /** Display rotation, counter-clockwise degrees (the display matrix's, as ffprobe reports it). */
  rotation: 0 | 90 | 180 | 270;
  /** Sample (pixel) aspect ratio; 1:1 when unknown. */
  sar: Rational;
  startTime: number | null;
  duration: number | null;
  colorSpace: string | null;
  colorRange: string | null;
  colorPrimaries: string | null;
  colorTransfer: string | null;
}

export interface OtherStreamInfo {
  index: number;
  type: 'audio' | 'subtitle' | 'data' | 'attachment' | 'video';
  codec: string;
  duration: number | null;
}

export interface VideoInfo {
  path: string;
  /** ffprobe's format_name, e.g. 'mov,mp4,m4a,3gp,3g2,mj2' or 'matroska,webm'. */
  format: string;
  /** Seconds, when known. */
  duration: number | null;
  /** The file's start time (the earliest stream start), seconds. */
  startTime: number;
  video: VideoStreamInfo;
  audio: OtherStreamInfo[];
  subtitles: OtherStreamInfo[];
  /** Font attachments (Matroska) and other streams kept when the container allows. */
  attachments: OtherStreamInfo[];
}

type Json = Record<string, unknown>;

const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && v !== 'N/A' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== 'unknown' ? v : null);

/** "30000/1001" or "16:9" as a fraction; null when missing or zero. */
export function parseRational(v: unknown): Rational | null {
  if (typeof v !== 'string') return null;
  const m = /^(-?\d+)[/:](\d+)$/.exec(v.trim());
  if (!m) return null;
  const r = { num: Number(m[1]), den: Number(m[2]) };
  return r.num > 0 && r.den > 0 ? r : null;
}

export const rationalValue = (r: Rational): number => r.num / r.den;

function rotationOf(s: Json): 0 | 90 | 180 | 270 {
  let deg: number | null = null;
  const side = Array.isArray(s.side_data_list) ? (s.side_data_list as Json[]) : [];
  for (const d of side) if (d && num(d.rotation) !== null) deg = num(d.rotation);
  // Older ffprobes give the clockwise 'rotate' tag instead of the display matrix.
  const tags = (s.tags ?? {}) as Json;
  if (deg === null && num(tags.rotate) !== null) deg = -(num(tags.rotate) as number);
  if (deg === null) return 0;
  const r = ((Math.round(deg / 90) * 90) % 360 + 360) % 360;
  return r as 0 | 90 | 180 | 270;
}

const isAttachedPicture = (s: Json): boolean => ((s.disposition ?? {}) as Json).attached_pic === 1;

/**
 * Probes `path` with ffprobe. Throws a VideoError naming the file when it does not exist, is not a
 * media file ffmpeg reads, is truncated so that it cannot be opened, or holds no video stream
 * (an audio file, or only a cover picture).
 */
export async function probeVideo(path: string, tools: FfmpegTools = findFfmpeg()): Promise<VideoInfo> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new VideoError(`${path}: no such file`);
  if (!st.isFile()) throw new VideoError(`${path}: not a file`);
  if (st.size === 0) throw new VideoError(`${path}: empty file, not a video`);
  const r = await runTool(tools.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', path]);
  let j: Json;
  try {
    j = JSON.parse(r.stdout.toString() || '{}') as Json;
  } catch {
    throw new VideoError(`${path}: ffprobe gave unreadable output (${ffmpegReason(r.stderr)})`);
  }
  if (r.code !== 0 || !j.format) {
    const why = ffmpegReason(r.stderr);
    const head = new Uint8Array(512);
    const fh = await open(path, 'r');
    const { bytesRead } = await fh.read(head, 0, 512, 0).finally(() => fh.close());
    const kind = sniffBytes(head.subarray(0, bytesRead));
    if (kind !== 'video') throw new VideoError(`${path}: not a video (${kind === 'image' ? 'it is an image' : 'its content is no video format ffmpeg reads'})`);
    if (/moov atom not found/i.test(why)) throw new VideoError(`${path}: truncated or incomplete video (its index, the 'moov' atom, is missing)`);
    if (/Invalid data found/i.test(why)) throw new VideoError(`${path}: not a video (ffmpeg cannot read it: invalid data)`);
    throw new VideoError(`${path}: not a readable video (${why})`);
  }
  const format = j.format as Json;
  const streams = (Array.isArray(j.streams) ? j.streams : []) as Json[];
  const v = streams.find((s) => s.codec_type === 'video' && !isAttachedPicture(s));
  if (!v) {
    const kinds = [...new Set(streams.map((s) => (isAttachedPicture(s) ? 'cover picture' : String(s.codec_type))))];
    throw new VideoError(`${path}: no video stream (it holds ${kinds.length ? kinds.join(', ') : 'no streams'})`);
  }
  const width = num(v.width) ?? 0, height = num(v.height) ?? 0;
  if (!(width > 0 && height > 0)) throw new VideoError(`${path}: the video stream has no frame size (a broken or truncated file?)`);
  const timeBase = parseRational(v.time_base) ?? { num: 1, den: 90000 };
  const avg = parseRational(v.avg_frame_rate);
  const frameRate = parseRational(v.r_frame_rate) ?? avg ?? { num: 25, den: 1 };
  const others = (type: string): OtherStreamInfo[] => streams.filter((s) => s.codec_type === type && s !== v && !(type === 'video')).map((s) => ({
    index: num(s.index) ?? 0, type: type as OtherStreamInfo['type'], codec: str(s.codec_name) ?? 'unknown', duration: num(s.duration),
  }));
  const starts = streams.map((s) => num(s.start_time)).filter((x): x is number => x !== null);
  return {
    path,
    format: str(format.format_name) ?? 'unknown',
    duration: num(format.duration),
    startTime: num(format.start_time) ?? (starts.length ? Math.min(...starts) : 0),
    video: {
      index: num(v.index) ?? 0,
      codec: str(v.codec_name) ?? 'unknown',
      width, height,
      pixFmt: str(v.pix_fmt) ?? 'unknown',
      timeBase, frameRate, avgFrameRate: avg,
      frames: num(v.nb_frames),
      rotation: rotationOf(v),
      sar: parseRational(v.sample_aspect_ratio) ?? { num: 1, den: 1 },
      startTime: num(v.start_time),
      duration: num(v.duration),
      colorSpace: str(v.color_space), colorRange: str(v.color_range), colorPrimaries: str(v.color_primaries), colorTransfer: str(v.color_transfer),
    },
    audio: others('audio'),
    subtitles: others('subtitle'),
    attachments: others('attachment'),
  };
}

/** Presentation times of the video frames, in the stream's time base, in display order. */
export interface FrameTimes {
  /** One per frame (integers in timeBase units). */
  pts: number[];
  timeBase: Rational;
  /** Duration of the last frame, timeBase units. */
  lastDuration: number;
  /** True when the file carried no usable timestamps and they were made from the frame rate. */
  synthesized: boolean;
}

/**
 * The frames' timestamps from the packet index (fast: packets are read, not decoded), sorted into
 * display order; packets marked for discarding (before an edit list's start) are left out.
 * Files without timestamps (raw streams) get times from the frame rate. Throws when the stream
 * has no frames.
 */
export async function frameTimes(info: VideoInfo, tools: FfmpegTools = findFfmpeg()): Promise<FrameTimes> {
  const r = await runTool(tools.ffprobe, ['-v', 'error', '-select_streams', String(info.video.index),
    '-show_entries', 'packet=pts,dts,duration,flags', '-of', 'csv=p=0', '-i', info.path]);
  if (r.code !== 0) throw new VideoError(`${info.path}: cannot read the video packets (${ffmpegReason(r.stderr)})`);
  const tb = info.video.timeBase;
  const rows: { pts: number | null; dur: number | null }[] = [];
  for (const line of r.stdout.toString().split('\n')) {
    if (!line.trim()) continue;
    const [p, d, du, flags] = line.split(',');
    if (flags && flags.includes('D')) continue;
    rows.push({ pts: num(p) ?? num(d), dur: num(du) });
  }
  if (rows.length === 0) throw new VideoError(`${info.path}: the video stream has no frames`);
  const damaged = /ended prematurely|partial file|Read error|Truncating packet|Invalid NAL|corrupt/i.exec(r.stderr);
  if (damaged || (info.video.frames !== null && rows.length < info.video.frames)) {
    const counted = info.video.frames !== null ? ` (${rows.length} of its ${info.video.frames} frames are there)` : ` (${rows.length} frames readable)`;
    throw new VideoError(`${info.path}: truncated or damaged video${counted}: ${damaged ? ffmpegReason(r.stderr) : 'frames are missing'}`);
  }
  const perFrame = Math.max(1, Math.round((tb.den * info.video.frameRate.den) / (tb.num * info.video.frameRate.num)));
  if (rows.some((x) => x.pts === null)) {
    const start = info.video.startTime !== null ? Math.round((info.video.startTime * tb.den) / tb.num) : 0;
    return { pts: rows.map((_, i) => start + i * perFrame), timeBase: tb, lastDuration: perFrame, synthesized: true };
  }
  const sorted = rows.map((x) => ({ pts: x.pts as number, dur: x.dur })).sort((a, b) => a.pts - b.pts);
  const pts = sorted.map((x) => x.pts);
  const last = sorted[sorted.length - 1];
  const prevGap = pts.length > 1 ? pts[pts.length - 1] - pts[pts.length - 2] : perFrame;
  return { pts, timeBase: tb, lastDuration: last.dur && last.dur > 0 ? last.dur : prevGap || perFrame, synthesized: false };
}
