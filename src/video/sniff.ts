// Is an input a video? Decided by the file's first bytes (container signatures), not its name;
// the name only decides for files that are neither a known video container nor a known image
// format (so a broken "clip.mp4" gets a video error, not an image error).
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { VIDEO_EXTENSIONS } from './encode.js';

const ascii = (b: Uint8Array, at: number, s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

/** Image brands of ISO media files (HEIF/AVIF stills), which are images, not videos. */
const IMAGE_BRANDS = ['heic', 'heix', 'mif1', 'msf1', 'avif', 'avis', 'heim', 'heis'];

/** 'video', 'image' or 'unknown' from a file's first bytes. */
export function sniffBytes(b: Uint8Array): 'video' | 'image' | 'unknown' {
  if (b.length >= 12 && ascii(b, 4, 'ftyp')) return IMAGE_BRANDS.some((brand) => ascii(b, 8, brand)) && !ascii(b, 8, 'avis') ? 'image' : 'video';
  if (b.length >= 8 && ['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].some((t) => ascii(b, 4, t))) return 'video';
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'video';
  if (b.length >= 12 && ascii(b, 0, 'RIFF') && ascii(b, 8, 'AVI ')) return 'video';
  if (b.length >= 12 && ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'image';
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && (b[3] === 0xba || b[3] === 0xb3)) return 'video';
  if (b.length >= 377 && b[0] === 0x47 && b[188] === 0x47 && b[376] === 0x47) return 'video';
  if (ascii(b, 0, 'FLV') || ascii(b, 0, 'YUV4MPEG2') || ascii(b, 0, 'nut/multimedia container') || ascii(b, 0, 'OggS')) return 'video';
  if (b.length >= 4 && b[0] === 0x30 && b[1] === 0x26 && b[2] === 0xb2 && b[3] === 0x75) return 'video';
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, 'PNG')) return 'image';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image';
  if (ascii(b, 0, 'GIF8') || ascii(b, 0, 'BM') || ascii(b, 0, 'II*\0') || ascii(b, 0, 'MM\0*') || ascii(b, 0, '<svg') || ascii(b, 0, '<?xml')) return 'image';
  return 'unknown';
}

const hasVideoExt = (p: string | undefined): boolean => !!p && VIDEO_EXTENSIONS.includes(extname(p).toLowerCase());

/**
 * Whether `path` should be handled as a video: its content is a video container, or it is not a
 * known image and its name (or the output's) has a video extension. Folders and missing files are not.
 */
export async function isVideoInput(path: string, output?: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    if (!(await fh.stat()).isFile()) return false;
    const b = new Uint8Array(512);
    const { bytesRead } = await fh.read(b, 0, 512, 0);
    const kind = sniffBytes(b.subarray(0, bytesRead));
    return kind === 'video' || (kind === 'unknown' && (hasVideoExt(path) || hasVideoExt(output)));
  } finally {
    await fh.close();
  }
}

/** The inputs that are videos; throws when videos and images are mixed in one call. */
export async function videoInputs(inputs: readonly string[], output: string): Promise<string[]> {
  const flags = await Promise.all(inputs.map((p) => isVideoInput(p, inputs.length === 1 ? output : undefined)));
  const videos = inputs.filter((_, i) => flags[i]);
  if (videos.length && videos.length !== inputs.length) {
    throw new Error(`videos (${videos.join(', ')}) and images cannot be mixed in one run; give them separately`);
  }
  return videos;
}
