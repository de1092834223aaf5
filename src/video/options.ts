// The options every job that takes videos shares (spread into its schema), and running a job's
// frame work over each video input.
import { stat } from 'node:fs/promises';
import { basename, extname, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { callback, type LogFn } from '../util/options.js';
import { CONTAINERS, encodeFields } from './encode.js';
import { VideoError } from './ffmpeg.js';
import { processVideo, type FrameJob, type VideoProgress, type VideoResult } from './pipeline.js';

export const videoFields = {
  ...encodeFields,
  /** ffmpeg to use: a path or 'system' (the one on PATH); default IMG2IMG_FFMPEG, else the bundled one. */
  ffmpeg: z.string().min(1).optional(),
  /** Continue an interrupted run of the same input and settings from its complete segments. */
  resume: z.boolean().default(false),
  /** Seconds of video per segment (the unit of --resume). */
  segmentSeconds: z.number().positive().default(10),
  /** Videos: frames done, fps and ETA, per phase. */
  onVideoProgress: callback<(input: string, p: VideoProgress) => void>().optional(),
  /** Videos: notes (encoder fallback, padding, streams that could not be kept). */
  onVideoNote: callback<LogFn>().optional(),
};
export const videoSchema = z.object(videoFields);
export type VideoOptions = z.output<typeof videoSchema>;

/** Where each video's output goes: `output` itself for one video (unless it names a folder), else OUTPUT/<name>. */
async function targets(videos: readonly string[], output: string): Promise<string[]> {
  const isDir = (await stat(output).catch(() => null))?.isDirectory() || output.endsWith('/') || output.endsWith(sep);
  if (videos.length === 1 && !isDir) return [output];
  if (!isDir && extname(output)) throw new VideoError(`${videos.length} videos need an output folder, got the file name ${output}`);
  return videos.map((v) => join(output, CONTAINERS[extname(v).toLowerCase()] ? basename(v) : `${basename(v, extname(v))}.mp4`));
}

/**
 * Runs the frame job `makeJob(input)` over each video. Errors name the file; with several videos
 * each is done in turn and the first failure stops the run (outputs done so far are complete).
 */
export async function runVideos(videos: readonly string[], output: string, o: VideoOptions, makeJob: (input: string) => FrameJob | Promise<FrameJob>): Promise<VideoResult[]> {
  const outs = await targets(videos, output);
  const results: VideoResult[] = [];
  for (const [i, input] of videos.entries()) {
    if (resolve(input) === resolve(outs[i])) throw new VideoError(`${input}: the output would overwrite the input; choose another -o`);
    const job = await makeJob(input);
    results.push(await processVideo(input, outs[i], job, {
      encode: { codec: o.codec, crf: o.crf, preset: o.preset, lossless: o.lossless }, ffmpeg: o.ffmpeg, resume: o.resume, segmentSeconds: o.segmentSeconds,
      onProgress: o.onVideoProgress ? (p) => o.onVideoProgress!(input, p) : undefined, log: o.onVideoNote,
    }));
  }
  return results;
}
