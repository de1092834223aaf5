// Uploaded videos for the server's video jobs: streamed into the server's work folder under a name
// the server makes (a random id; nothing of the request becomes a path), at most `maxBytes`, then
// accepted only when their first bytes are a video container (sniff.ts) that ffprobe reads as a
// video (probe.ts: a video stream, frames, not truncated) with at most `maxPixels` per frame. The
// first frame (display orientation, as the jobs see frames) is kept as a PNG for drawing boxes.
// At most `keep` uploads are kept; the oldest one no job is using goes first.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { ffmpegReason, findFfmpeg, runTool, VideoError } from '../video/ffmpeg.js';
import { frameTimes, probeVideo, rationalValue } from '../video/probe.js';
import { sniffBytes } from '../video/sniff.js';
import { HttpError, saveBody } from './uploads.js';

/** Content types a video upload may be sent with (none is a CORS "simple" type, so other sites cannot post here). */
export const VIDEO_CONTENT_TYPES = ['video/mp4', 'video/webm', 'video/x-matroska', 'video/quicktime', 'video/x-msvideo', 'video/mp2t', 'application/octet-stream'];

/** What the page learns of an upload. */
export interface VideoUploadInfo {
  id: string;
  /** Display size (after the file's rotation), the size of the frame the boxes are drawn on. */
  width: number;
  height: number;
  frames: number;
  fps: number;
  duration: number | null;
  bytes: number;
}

export interface VideoUpload extends VideoUploadInfo {
  /** The file, in the work folder, named by the server. */
  path: string;
  /** The first frame as PNG. */
  frame: Uint8Array;
  /** Jobs queued or running on it (it is not removed while any are). */
  users: number;
}

export interface VideoUploadsOptions {
  /** The server-owned folder the files go to (created). */
  dir: string;
  maxBytes: number;
  /** Most pixels per frame. */
  maxPixels: number;
  /** Uploads kept at once (default 8). */
  keep?: number;
  /** ffmpeg (default: the bundled one, or IMG2IMG_FFMPEG). */
  ffmpeg?: string;
}

/** Container (ffprobe's format name) -> the extension the file gets. */
function extensionOf(format: string): string {
  if (/\b(mov|mp4)\b/.test(format)) return '.mp4';
  if (/\bmatroska\b/.test(format)) return '.mkv';
  if (/\bavi\b/.test(format)) return '.avi';
  if (/\bmpegts\b/.test(format)) return '.ts';
  return '.video';
}

export class VideoUploads {
  private readonly uploads = new Map<string, VideoUpload>();
  private receiving = 0;

  constructor(private readonly o: VideoUploadsOptions) {}

  get maxBytes(): number {
    return this.o.maxBytes;
  }

  /** Receives a video from the request body; throws an HttpError (413 too big, 415 not a video, 429 too many kept). */
  async receive(req: IncomingMessage): Promise<VideoUpload> {
    const keep = this.o.keep ?? 8;
    // Make room before reading: the oldest upload no job uses goes.
    if (this.uploads.size + this.receiving >= keep) {
      const free = [...this.uploads.values()].find((u) => u.users === 0);
      if (!free) throw new HttpError(429, `${keep} uploaded videos are in use by jobs; try again when one is done`);
      await this.remove(free.id);
    }
    this.receiving++;
    try {
      await mkdir(this.o.dir, { recursive: true, mode: 0o700 });
      const id = randomUUID();
      const part = join(this.o.dir, `${id}.part`);
      const bytes = await saveBody(req, this.o.maxBytes, part);
      try {
        const u = await this.check(id, part, bytes);
        this.uploads.set(id, u);
        return u;
      } finally {
        await rm(part, { force: true });
      }
    } finally {
      this.receiving--;
    }
  }

  private async check(id: string, part: string, bytes: number): Promise<VideoUpload> {
    if (bytes === 0) throw new HttpError(415, 'the upload is empty');
    const head = new Uint8Array(512);
    const fh = await open(part, 'r');
    const { bytesRead } = await fh.read(head, 0, 512, 0).finally(() => fh.close());
    const kind = sniffBytes(head.subarray(0, bytesRead));
    if (kind === 'image') throw new HttpError(415, 'this is an image, not a video: open it in the image mode');
    if (kind !== 'video') throw new HttpError(415, 'not a video (its first bytes are no video container: MP4, MOV, Matroska/WebM, AVI, MPEG-TS, ...)');
    const tools = findFfmpeg(this.o.ffmpeg);
    // Messages name the file: the page is told of "the upload", not of the server's folders.
    const asUpload = (err: unknown): never => {
      if (err instanceof VideoError) throw new HttpError(415, err.message.split(part).join('the upload'));
      throw err;
    };
    const info = await probeVideo(part, tools).catch(asUpload);
    const { width: w, height: h, rotation } = info.video;
    const [width, height] = rotation === 90 || rotation === 270 ? [h, w] : [w, h];
    if (width * height > this.o.maxPixels) throw new HttpError(413, `frames of ${width}x${height} are over the limit of ${this.o.maxPixels} pixels`);
    const frames = (await frameTimes(info, tools).catch(asUpload)).pts.length;
    const r = await runTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-v', 'error', '-i', part, '-map', `0:${info.video.index}`, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-']);
    if (r.code !== 0 || r.stdout.length === 0) throw new HttpError(415, `the first frame cannot be decoded (${ffmpegReason(r.stderr).split(part).join('the upload')})`);
    const meta = await sharp(r.stdout).metadata();
    if (meta.width !== width || meta.height !== height) throw new HttpError(415, `the first frame is ${meta.width}x${meta.height}, the stream says ${width}x${height}`);
    const path = join(this.o.dir, `${id}${extensionOf(info.format)}`);
    await rename(part, path);
    return {
      id, path, width, height, frames, bytes, users: 0,
      fps: Math.round(rationalValue(info.video.avgFrameRate ?? info.video.frameRate) * 1000) / 1000,
      duration: info.duration,
      frame: new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length),
    };
  }

  get(id: string): VideoUpload | undefined {
    return this.uploads.get(id);
  }

  /** What the page is told of an upload. */
  static info(u: VideoUpload): VideoUploadInfo {
    return { id: u.id, width: u.width, height: u.height, frames: u.frames, fps: u.fps, duration: u.duration, bytes: u.bytes };
  }

  private async remove(id: string): Promise<void> {
    const u = this.uploads.get(id);
    if (!u) return;
    this.uploads.delete(id);
    await rm(u.path, { force: true });
  }

  /** Removes every upload (the server stops). */
  async close(): Promise<void> {
    for (const id of [...this.uploads.keys()]) await this.remove(id);
  }
}
