// Small synthetic clips for the video tests, made with the bundled ffmpeg from the example photos
// (a slow pan or zoom over a photo), with or without a generated audio track; and decoding a
// clip's frames back for pixel checks.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Image } from '../../src/data/image.js';
import { findFfmpeg } from '../../src/video/ffmpeg.js';

export const tools = findFfmpeg();
export const photo = (n: number): string => fileURLToPath(new URL(`../../examples/photos/photo_${String(n).padStart(2, '0')}.jpg`, import.meta.url));

export function ffmpeg(args: string[]): void {
  const r = spawnSync(tools.ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
}

export interface ClipSpec {
  photo?: number;
  width?: number;
  height?: number;
  frames?: number;
  /** A frame rate ffmpeg understands ('25', '30000/1001'). */
  fps?: string;
  motion?: 'pan' | 'zoom' | 'still';
  /** A 440 Hz sine of the clip's length. */
  audio?: boolean;
  /** Video encoder args; default lossless ffv1 (RGB). */
  codec?: string[];
  /** Extra output args (e.g. rotation metadata). */
  extra?: string[];
}

/** Writes a clip to `path` (container from the extension). */
export function makeClip(path: string, s: ClipSpec = {}): void {
  const w = s.width ?? 96, h = s.height ?? 72, n = s.frames ?? 20, fps = s.fps ?? '25';
  const motion = s.motion ?? 'pan';
  const zoom = motion === 'zoom' ? "1+0.01*on" : '1.3';
  const x = motion === 'pan' ? "iw/2-(iw/zoom/2)-20+2*on" : "iw/2-(iw/zoom/2)";
  const vf = `scale=512:512,zoompan=z='${zoom}':x='${x}':y='ih/2-(ih/zoom/2)':d=1:s=${w}x${h}:fps=${fps},format=rgb24`;
  const args = ['-loop', '1', '-framerate', fps, '-i', photo(s.photo ?? 3)];
  if (s.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100');
  args.push('-filter_complex', `[0:v]${vf}[v]`, '-map', '[v]');
  if (s.audio) args.push('-map', '1:a', '-c:a', 'aac', '-t', String(n / evalRate(fps)));
  args.push('-frames:v', String(n), ...(s.codec ?? ['-c:v', 'ffv1']), ...(s.extra ?? []), path);
  ffmpeg(args);
}

const evalRate = (fps: string): number => {
  const [a, b] = fps.split('/').map(Number);
  return b ? a / b : a;
};

/** All frames of a clip as RGB images (display orientation, as players show them). */
export function decodeFrames(path: string, opts: { noAutorotate?: boolean } = {}): Image[] {
  const probe = spawnSync(tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height:stream_side_data=rotation', '-of', 'json', path], { encoding: 'utf8' });
  const j = JSON.parse(probe.stdout) as { streams: { width: number; height: number; side_data_list?: { rotation?: number }[] }[] };
  let { width: w, height: h } = j.streams[0];
  const rot = Math.abs(j.streams[0].side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0);
  if (!opts.noAutorotate && (rot === 90 || rot === 270)) [w, h] = [h, w];
  const r = spawnSync(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', ...(opts.noAutorotate ? ['-noautorotate'] : []), '-i', path, '-vsync', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`decoding ${path}: ${r.stderr}`);
  const size = w * h * 3, out: Image[] = [];
  for (let off = 0; off + size <= r.stdout.length; off += size) out.push({ width: w, height: h, channels: 3, data: new Uint8Array(r.stdout.subarray(off, off + size)) });
  return out;
}

/** Stream facts through ffprobe: type, codec and duration of each stream. */
export function streams(path: string): { type: string; codec: string; duration: number | null; frames: number | null }[] {
  const r = spawnSync(tools.ffprobe, ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,codec_name,duration,nb_read_packets:format=duration', '-of', 'json', path], { encoding: 'utf8' });
  const j = JSON.parse(r.stdout) as { streams: { codec_type: string; codec_name: string; duration?: string; nb_read_packets?: string }[]; format: { duration?: string } };
  return j.streams.map((s) => ({ type: s.codec_type, codec: s.codec_name, duration: s.duration ? Number(s.duration) : j.format.duration ? Number(j.format.duration) : null, frames: s.nb_read_packets ? Number(s.nb_read_packets) : null }));
}

/** Packet timestamps (seconds) of the first video stream, sorted. */
export function videoTimes(path: string): number[] {
  const r = spawnSync(tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim()).map(Number).sort((a, b) => a - b);
}

/** Pixels (frame, x, y) that differ between two frame lists outside `inside(x, y, frame)`. */
export function changedOutside(a: Image[], b: Image[], inside: (x: number, y: number, f: number) => boolean): number {
  let n = 0;
  for (let f = 0; f < a.length; f++) {
    const { width: w, height: h } = a[f];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (inside(x, y, f)) continue;
        const p = (y * w + x) * 3;
        if (a[f].data[p] !== b[f].data[p] || a[f].data[p + 1] !== b[f].data[p + 1] || a[f].data[p + 2] !== b[f].data[p + 2]) n++;
      }
    }
  }
  return n;
}
