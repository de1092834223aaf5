// Which ffmpeg and ffprobe run, and what they can do. By default the binaries that npm installed
// with img2img (@ffmpeg-installer/ffmpeg, @ffprobe-installer/ffprobe: the executables are inside
// the npm packages, nothing is downloaded at install time); `ffmpeg: PATH` (CLI --ffmpeg) or
// IMG2IMG_FFMPEG picks another ffmpeg ('system' = the one on PATH), IMG2IMG_FFPROBE another
// ffprobe (default: an ffprobe beside a chosen ffmpeg, else the bundled one).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

/** A problem with a video or with ffmpeg, worded for the user (the CLI prints it as is). */
export class VideoError extends Error {
  override name = 'VideoError';
}

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

const require = createRequire(import.meta.url);
const exe = process.platform === 'win32' ? '.exe' : '';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && executable(join(dir, name + exe))) return join(dir, name + exe);
  }
  return null;
}

function bundled(pkg: '@ffmpeg-installer/ffmpeg' | '@ffprobe-installer/ffprobe'): string | null {
  try {
    return (require(pkg) as { path: string }).path;
  } catch {
    return null;
  }
}

/**
 * The ffmpeg and ffprobe to run. `ffmpeg`: a path, 'system' (the ffmpeg on PATH) or undefined
 * (IMG2IMG_FFMPEG, else the bundled one). Throws a VideoError saying what to install when none is found.
 */
export function findFfmpeg(ffmpeg?: string): FfmpegTools {
  const want = ffmpeg ?? process.env.IMG2IMG_FFMPEG;
  let ff: string | null;
  if (want === 'system') {
    ff = onPath('ffmpeg');
    if (!ff) throw new VideoError('ffmpeg: no ffmpeg on PATH (--ffmpeg system); install one or leave out --ffmpeg to use the bundled ffmpeg');
  } else if (want) {
    if (!existsSync(want)) throw new VideoError(`ffmpeg: ${want} does not exist`);
    if (!executable(want)) throw new VideoError(`ffmpeg: ${want} is not executable`);
    ff = want;
  } else {
    ff = bundled('@ffmpeg-installer/ffmpeg') ?? onPath('ffmpeg');
    if (!ff) throw new VideoError('ffmpeg: the bundled ffmpeg (@ffmpeg-installer/ffmpeg) is missing for this platform and there is none on PATH; run npm ci, or give --ffmpeg PATH');
  }
  let probe = process.env.IMG2IMG_FFPROBE ?? null;
  if (probe && !executable(probe)) throw new VideoError(`ffprobe: IMG2IMG_FFPROBE=${probe} is not an executable`);
  if (!probe && want) {
    const beside = join(dirname(ff), 'ffprobe' + exe);
    if (executable(beside)) probe = beside;
  }
  probe ??= bundled('@ffprobe-installer/ffprobe') ?? onPath('ffprobe');
  if (!probe) throw new VideoError('ffprobe: the bundled ffprobe (@ffprobe-installer/ffprobe) is missing for this platform and there is none on PATH; run npm ci or set IMG2IMG_FFPROBE');
  return { ffmpeg: ff, ffprobe: probe };
}

export interface RunResult { code: number; stdout: Buffer; stderr: string }

/** Runs a tool to the end, collecting its output (for short runs: probes, muxing). */
export function runTool(path: string, args: readonly string[], opts: { input?: Uint8Array; signal?: AbortSignal } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: opts.signal });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 1 << 20) err = err.slice(-(1 << 19));
    });
    child.on('error', (e) => reject(new VideoError(`cannot run ${path}: ${e.message}`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? undefined);
  });
}

/** What an ffmpeg binary offers (read once per binary). */
export interface FfmpegCaps {
  version: string;
  encoders: Set<string>;
  muxers: Set<string>;
  filters: Set<string>;
  /** Options of the ffmpeg command itself (e.g. 'fps_mode', 'display_rotation', 'enc_time_base'). */
  options: Set<string>;
}

const capsCache = new Map<string, Promise<FfmpegCaps>>();

function names(text: string, pattern: RegExp): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = pattern.exec(line);
    if (m) out.add(m[1]);
  }
  return out;
}

/** The encoders, muxers, filters and options of `ffmpeg` (cached). */
export function ffmpegCaps(ffmpeg: string): Promise<FfmpegCaps> {
  let c = capsCache.get(ffmpeg);
  if (!c) {
    c = (async () => {
      const [v, enc, mux, fil, help] = await Promise.all([
        runTool(ffmpeg, ['-hide_banner', '-version']),
        runTool(ffmpeg, ['-hide_banner', '-encoders']),
        runTool(ffmpeg, ['-hide_banner', '-muxers']),
        runTool(ffmpeg, ['-hide_banner', '-filters']),
        runTool(ffmpeg, ['-hide_banner', '-h', 'full']),
      ]);
      if (v.code !== 0) throw new VideoError(`ffmpeg ${ffmpeg} does not run: ${v.stderr.trim().split('\n').pop() ?? ''}`);
      const text = (r: RunResult) => r.stdout.toString();
      return {
        version: text(v).split('\n')[0].replace(/^ffmpeg version /, '').split(' ')[0],
        encoders: names(text(enc), /^\s[VAS][.FSXBD]{5}\s+(\S+)/),
        muxers: names(text(mux), /^\s[D ]E\s+(\S+)/),
        filters: names(text(fil), /^\s[.TSC]{2,3}\s+(\S+)/),
        options: names(text(help), /^-(\w+)/),
      };
    })();
    capsCache.set(ffmpeg, c);
    c.catch(() => capsCache.delete(ffmpeg));
  }
  return c;
}

/** Throws a VideoError naming the encoder and what this ffmpeg has instead, when it lacks `encoder`. */
export async function requireEncoder(ffmpeg: string, encoder: string): Promise<void> {
  const caps = await ffmpegCaps(ffmpeg);
  if (caps.encoders.has(encoder)) return;
  const video = ['libx264', 'libx264rgb', 'libx265', 'libvpx-vp9', 'libvpx', 'mpeg4', 'ffv1', 'libaom-av1', 'h264_nvenc'].filter((e) => caps.encoders.has(e));
  throw new VideoError(`ffmpeg ${ffmpeg} has no encoder '${encoder}' (it has: ${video.join(', ') || 'none of the usual video encoders'}); pick another --codec or give --ffmpeg PATH`);
}

/** The last meaningful lines of ffmpeg's stderr, for error messages. */
export function ffmpegReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^(frame=|size=|video:|bench:|Press \[q\]|\s*Stream mapping|Conversion failed)/.test(l));
  return lines.slice(-3).map((l) => l.replace(/^\[[^\]]+\]\s*/, '')).join('; ') || 'ffmpeg failed';
}
