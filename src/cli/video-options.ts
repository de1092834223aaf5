// The flags every command that takes videos shares, mapped onto the jobs' video options.
import type { Command } from 'commander';
import { videoSchema } from '../video/options.js';
import { int, num, oneOf, withDefault } from './parse.js';
import { videoBar } from './progress.js';

const PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;

/** --codec, --crf, --preset, --lossless, --ffmpeg, --resume, --segment-seconds. */
export function addVideoOptions(cmd: Command): Command {
  const d = (key: string, text: string) => withDefault(videoSchema, key, text);
  return cmd
    .option('--codec <encoder>', d('codec', 'videos: ffmpeg video encoder (auto = H.264 via libx264, VP9 for .webm)'))
    .option('--crf <n>', d('crf', 'videos: quality, lower = better and bigger'), int(0))
    .option('--preset <name>', d('preset', 'videos: x264/x265 speed preset'), oneOf(PRESETS))
    .option('--lossless', 'videos: exact pixels (ffv1 in .mkv/.avi/.nut, lossless RGB H.264 in .mp4/.mov)')
    .option('--ffmpeg <path>', "videos: ffmpeg to use, or 'system' (default: IMG2IMG_FFMPEG, else the bundled one)")
    .option('--resume', 'videos: continue an interrupted run from its complete segments')
    .option('--segment-seconds <s>', d('segmentSeconds', 'videos: seconds per segment (the unit of --resume)'), num);
}

/** The jobs' video options from those flags (plain data, no callbacks). */
export function videoOptionsFrom(o: Record<string, any>): Record<string, unknown> {
  return { codec: o.codec, crf: o.crf, preset: o.preset, lossless: o.lossless, ffmpeg: o.ffmpeg, resume: o.resume, segmentSeconds: o.segmentSeconds };
}

/** The jobs' video options from those flags, with a progress bar and notes on stderr. */
export function videoFrom(o: Record<string, any>): { options: Record<string, unknown>; bar: { stop(): void } } {
  const bar = videoBar();
  return {
    bar,
    options: {
      ...videoOptionsFrom(o),
      onVideoProgress: bar.update,
      onVideoNote: (line: string) => console.error(`note: ${line}`),
    },
  };
}
