// Encoder and muxer choices: the output container from the file name, the video encoder and its
// flags (H.264 through libx264 at CRF 18 by default; a lossless choice for exact pixels), colour
// tags kept from the input, odd frame sizes for 4:2:0, and which audio and subtitle streams can
// be copied into the container as they are (the rest is re-encoded, or left out with a note).
import { extname } from 'node:path';
import { z } from 'zod';
import { int } from '../util/options.js';
import { type FfmpegCaps, VideoError } from './ffmpeg.js';
import type { OtherStreamInfo, VideoInfo } from './probe.js';

/** Output containers by file extension: the muxer and the video encoder used by default. */
export const CONTAINERS: Record<string, { muxer: string; codec: string; lossless: string }> = {
  '.mp4': { muxer: 'mp4', codec: 'libx264', lossless: 'libx264rgb' },
  '.m4v': { muxer: 'mp4', codec: 'libx264', lossless: 'libx264rgb' },
  '.mov': { muxer: 'mov', codec: 'libx264', lossless: 'libx264rgb' },
  '.mkv': { muxer: 'matroska', codec: 'libx264', lossless: 'ffv1' },
  '.webm': { muxer: 'webm', codec: 'libvpx-vp9', lossless: 'libvpx-vp9' },
  '.avi': { muxer: 'avi', codec: 'libx264', lossless: 'ffv1' },
  '.ts': { muxer: 'mpegts', codec: 'libx264', lossless: 'libx264rgb' },
  '.nut': { muxer: 'nut', codec: 'libx264', lossless: 'ffv1' },
};

export const VIDEO_EXTENSIONS = Object.keys(CONTAINERS);

/** The encoding options every video job takes (CLI: --codec, --crf, --preset, --lossless). */
export const encodeFields = {
  /** Video encoder: 'auto' (libx264 for H.264 when this ffmpeg has it; VP9 for .webm) or an ffmpeg encoder name. */
  codec: z.string().min(1).default('auto'),
  /** Constant rate factor of x264/x265/VP9 (lower = better, bigger). */
  crf: int(0).max(63).default(18),
  /** x264/x265 speed preset (ultrafast ... veryslow). */
  preset: z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow']).default('medium'),
  /** Exact pixels: ffv1 (.mkv, .avi, .nut) or lossless RGB H.264 (libx264rgb -qp 0; .mp4, .mov, .ts). */
  lossless: z.boolean().default(false),
};
export const encodeSchema = z.object(encodeFields);
export type EncodeSettings = z.output<typeof encodeSchema>;

export function containerOf(output: string): { ext: string; muxer: string; codec: string; lossless: string } {
  const ext = extname(output).toLowerCase();
  const c = CONTAINERS[ext];
  if (!c) throw new VideoError(`${output}: unknown video file extension '${ext || '(none)'}'; use one of ${VIDEO_EXTENSIONS.join(', ')}`);
  return { ext, ...c };
}

export interface VideoEncoding {
  encoder: string;
  /** ffmpeg output options for the video stream (codec, quality, pixel format, filters, colour tags). */
  args: string[];
  /** Frames are padded to this size (odd sizes with 4:2:0), the extra column/row repeating the edge. */
  width: number;
  height: number;
  padded: boolean;
  /** Notes for the user (a fallback encoder, padding). */
  notes: string[];
}

const PRIMARIES = new Set(['bt709', 'bt470m', 'bt470bg', 'smpte170m', 'smpte240m', 'film', 'bt2020']);
const TRANSFERS = new Set(['bt709', 'gamma22', 'gamma28', 'smpte170m', 'smpte240m', 'linear', 'iec61966-2-1', 'bt2020-10', 'bt2020-12', 'smpte2084', 'arib-std-b67']);
const MATRIX: Record<string, string> = { bt709: 'bt709', smpte170m: 'bt601', bt470bg: 'bt601', fcc: 'fcc', smpte240m: 'smpte240m', bt2020nc: 'bt2020', bt2020c: 'bt2020' };

/**
 * The video encoder and its flags for `output`, for frames of `width` x `height` (display
 * orientation undone: the stored size). RGB goes to YUV with the input's colour matrix and range,
 * and the output is tagged like the input, so colours survive the round trip.
 */
export function videoEncoding(info: VideoInfo, width: number, height: number, output: string, s: EncodeSettings, caps: FfmpegCaps): VideoEncoding {
  const c = containerOf(output);
  const notes: string[] = [];
  let encoder = s.codec === 'auto' ? (s.lossless ? c.lossless : c.codec) : s.codec;
  if (s.codec === 'auto' && !caps.encoders.has(encoder)) {
    const fallback = ['libx264', 'libopenh264', 'mpeg4'].find((e) => caps.encoders.has(e) && c.muxer !== 'webm') ?? (caps.encoders.has('libvpx') ? 'libvpx' : null);
    if (!fallback || s.lossless) throw new VideoError(`this ffmpeg has no ${encoder} encoder for ${output}; give --codec or --ffmpeg PATH`);
    notes.push(`this ffmpeg has no ${encoder}; encoding with ${fallback}`);
    encoder = fallback;
  }
  if (!caps.encoders.has(encoder)) {
    throw new VideoError(`this ffmpeg has no '${encoder}' encoder; it has ${['libx264', 'libx264rgb', 'libx265', 'libvpx-vp9', 'mpeg4', 'ffv1'].filter((e) => caps.encoders.has(e)).join(', ')}`);
  }
  const args = ['-c:v', encoder];
  let pixFmt: string;
  let rgb = false;
  if (encoder === 'libx264rgb') {
    rgb = true;
    pixFmt = 'rgb24';
    args.push(...(s.lossless ? ['-qp', '0'] : ['-crf', String(s.crf)]), '-preset', s.preset);
  } else if (encoder === 'ffv1') {
    rgb = true;
    pixFmt = 'bgr0';
    args.push('-level', '3', '-g', '1');
  } else if (encoder === 'libx264' || encoder === 'libx265') {
    pixFmt = s.lossless ? 'yuv444p' : 'yuv420p';
    args.push(...(s.lossless ? (encoder === 'libx264' ? ['-qp', '0'] : ['-x265-params', 'lossless=1']) : ['-crf', String(s.crf)]), '-preset', s.preset);
    if (encoder === 'libx265' && !s.lossless) args.push('-tag:v', 'hvc1');
  } else if (encoder === 'libvpx-vp9') {
    pixFmt = s.lossless ? 'yuv444p' : 'yuv420p';
    args.push(...(s.lossless ? ['-lossless', '1'] : ['-crf', String(s.crf), '-b:v', '0']), '-row-mt', '1');
  } else {
    pixFmt = 'yuv420p';
    if (encoder === 'mpeg4') args.push('-q:v', '3');
  }
  const chroma420 = pixFmt === 'yuv420p';
  const padded = chroma420 && (width % 2 === 1 || height % 2 === 1);
  const w = padded ? width + (width % 2) : width, h = padded ? height + (height % 2) : height;
  if (padded) notes.push(`${width}x${height} is odd; 4:2:0 video needs even sizes, so the output is ${w}x${h} (the last column/row repeated)`);
  const filters: string[] = [];
  const sar = info.video.sar;
  if (!rgb) {
    // The input's YUV matrix when it has a known one, else BT.709; always tagged, so players
    // convert back exactly as the encoder converted.
    const v = info.video;
    const space = v.colorSpace && MATRIX[v.colorSpace] ? v.colorSpace : 'bt709';
    const range = v.colorRange === 'pc' && space === v.colorSpace ? 'pc' : 'tv';
    filters.push(`scale=out_color_matrix=${MATRIX[space]}:out_range=${range}`);
    args.push('-colorspace', space, '-color_primaries', v.colorPrimaries && PRIMARIES.has(v.colorPrimaries) ? v.colorPrimaries : 'bt709',
      '-color_trc', v.colorTransfer && TRANSFERS.has(v.colorTransfer) ? v.colorTransfer : 'bt709', '-color_range', range);
  }
  filters.push(`format=${pixFmt}`);
  if (sar.num !== sar.den) filters.push(`setsar=${sar.num}/${sar.den}`);
  args.push('-vf', filters.join(','), '-pix_fmt', pixFmt);
  return { encoder, args, width: w, height: h, padded, notes };
}

const TEXT_SUBS = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);

/** What the final mux does with each audio and subtitle stream of the input. */
export interface StreamPlan {
  /** ffmpeg output options (maps and codecs), input 1 being the original file. */
  args: string[];
  notes: string[];
}

function audioCodecFor(muxer: string, a: OtherStreamInfo, caps: FfmpegCaps): string {
  const keep: Record<string, string[] | 'all'> = {
    mp4: ['aac', 'mp3', 'ac3', 'eac3', 'alac'],
    mov: ['aac', 'mp3', 'ac3', 'eac3', 'alac', 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_s24be', 'pcm_f32le'],
    matroska: 'all', nut: 'all',
    webm: ['opus', 'vorbis'],
    avi: ['mp3', 'ac3', 'pcm_s16le', 'aac'],
    mpegts: ['aac', 'mp3', 'ac3', 'eac3', 'mp2', 'opus'],
  };
  const k = keep[muxer] ?? 'all';
  if (k === 'all' || k.includes(a.codec)) return 'copy';
  if (muxer === 'webm') return caps.encoders.has('libopus') ? 'libopus' : 'libvorbis';
  if (muxer === 'avi') return caps.encoders.has('libmp3lame') ? 'libmp3lame' : 'ac3';
  return 'aac';
}

/**
 * Maps the input's audio and subtitle streams (and Matroska attachments) into the output:
 * copied without re-encoding when the container takes the codec, else re-encoded (audio to AAC,
 * Opus or MP3; text subtitles to mov_text or WebVTT); subtitles a container cannot hold are left
 * out with a note.
 */
export function streamPlan(info: VideoInfo, output: string, caps: FfmpegCaps): StreamPlan {
  const { muxer } = containerOf(output);
  const args: string[] = [];
  const notes: string[] = [];
  info.audio.forEach((a, i) => {
    const codec = audioCodecFor(muxer, a, caps);
    args.push('-map', `1:${a.index}`, `-c:a:${i}`, codec);
    if (codec !== 'copy') {
      args.push(`-b:a:${i}`, '192k');
      notes.push(`audio stream ${i + 1} (${a.codec}) cannot go into ${muxer} as it is; re-encoded with ${codec}`);
    }
  });
  let s = 0;
  for (const sub of info.subtitles) {
    let codec: string | null = null;
    if (muxer === 'matroska' || muxer === 'nut') codec = 'copy';
    else if (muxer === 'mp4' || muxer === 'mov') codec = sub.codec === 'mov_text' ? 'copy' : TEXT_SUBS.has(sub.codec) ? 'mov_text' : null;
    else if (muxer === 'webm') codec = sub.codec === 'webvtt' ? 'copy' : TEXT_SUBS.has(sub.codec) ? 'webvtt' : null;
    else if (muxer === 'mpegts') codec = sub.codec === 'dvb_subtitle' ? 'copy' : null;
    if (!codec) {
      notes.push(`subtitle stream (${sub.codec}) cannot go into ${muxer}; left out (use .mkv to keep it)`);
      continue;
    }
    args.push('-map', `1:${sub.index}`, `-c:s:${s++}`, codec);
  }
  if (muxer === 'matroska') for (const t of info.attachments) args.push('-map', `1:${t.index}`);
  if (muxer === 'matroska' && info.attachments.length) args.push('-c:t', 'copy');
  return { args, notes };
}
