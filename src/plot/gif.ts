/** Animated GIFs from RGBA frames (e.g. charts rendered with chartToRgba), encoded with gifenc. */
import gifenc from 'gifenc';
import { writeFileAtomic } from '../io/atomic.js';
import type { RgbaImage } from './types.js';

export interface GifOptions {
  /** -1: play once, 0 (default): loop forever, n: loop n times. */
  repeat?: number;
}

/**
 * Encodes frames (all the same size) into GIF89a bytes. Each frame gets its own 256-colour
 * palette, since chart frames differ in colour content. `delayMs` is rounded to 1/100 s by GIF.
 */
export function encodeGif(frames: RgbaImage[], delayMs: number, opts: GifOptions = {}): Uint8Array {
  if (frames.length === 0) throw new Error('encodeGif: need at least one frame');
  if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw new Error(`encodeGif: delayMs must be >= 0, got ${delayMs}`);
  const { width, height } = frames[0];
  const gif = gifenc.GIFEncoder();
  frames.forEach((f, i) => {
    if (f.width !== width || f.height !== height) throw new Error(`encodeGif: frame ${i} is ${f.width}x${f.height}, frame 0 is ${width}x${height}`);
    if (f.rgba.length !== width * height * 4) throw new Error(`encodeGif: frame ${i} has ${f.rgba.length} bytes, expected ${width * height * 4} (RGBA)`);
    const palette = gifenc.quantize(f.rgba, 256);
    const index = gifenc.applyPalette(f.rgba, palette);
    gif.writeFrame(index, width, height, { palette, delay: delayMs, repeat: opts.repeat ?? 0 });
  });
  gif.finish();
  return gif.bytes();
}

/** Encodes frames as an animated GIF and writes it atomically to `path` (parent dirs created). */
export async function writeGif(path: string, frames: RgbaImage[], delayMs: number, opts: GifOptions = {}): Promise<void> {
  await writeFileAtomic(path, encodeGif(frames, delayMs, opts));
}
