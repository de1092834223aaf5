// Uploads: read a request body up to a size limit, accept only PNG, JPEG and WebP by their first
// bytes (not by a name or a header the client chose), and refuse images with too many pixels
// before decoding them. Nothing of a request ever becomes a file path: images stay in memory, and
// videos (video-uploads.ts) are streamed into files whose names the server makes.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';

/** An HTTP error with its status. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export type ImageType = 'png' | 'jpeg' | 'webp';

/** Content types an upload may be sent with (none of them is a CORS "simple" type, so other sites cannot post here). */
export const UPLOAD_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'application/octet-stream'];

/** The image type from the file's magic bytes, or null. */
export function sniffImageType(b: Uint8Array): ImageType | null {
  const is = (offset: number, bytes: number[]) => bytes.every((v, i) => b[offset + i] === v);
  if (b.length >= 8 && is(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (b.length >= 3 && is(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (b.length >= 12 && is(0, [0x52, 0x49, 0x46, 0x46]) && is(8, [0x57, 0x45, 0x42, 0x50])) return 'webp';
  return null;
}

/** The request body's chunks, at most `limit` bytes in all (413 beyond, without reading the rest). */
async function* bodyChunks(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `upload of ${declared} bytes is over the limit of ${limit} bytes`);
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `upload is over the limit of ${limit} bytes`);
    yield chunk;
  }
}

/** The request body, at most `limit` bytes (413 beyond, without reading the rest). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of bodyChunks(req, limit)) chunks.push(chunk);
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.length);
}

/**
 * Streams the request body into `file` (a new file: a name the server chose), at most `limit`
 * bytes (413 beyond; the partial file is removed on any failure). Returns its size.
 */
export async function saveBody(req: IncomingMessage, limit: number, file: string): Promise<number> {
  let size = 0;
  try {
    await pipeline(async function* () {
      for await (const chunk of bodyChunks(req, limit)) {
        size += chunk.length;
        yield chunk;
      }
    }, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
  return size;
}

/**
 * Checks an uploaded image: a PNG, JPEG or WebP (magic bytes; 415 otherwise) whose header says
 * at most `maxPixels` pixels (413 otherwise). Reads only the header.
 */
export async function checkImageUpload(bytes: Uint8Array, maxPixels: number): Promise<{ type: ImageType; width: number; height: number }> {
  const type = sniffImageType(bytes);
  if (!type) throw new HttpError(415, 'not a PNG, JPEG or WebP image (only those are accepted)');
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes).metadata();
  } catch {
    throw new HttpError(415, `the ${type.toUpperCase()} file is damaged or incomplete`);
  }
  const { width = 0, height = 0 } = meta;
  const pages = meta.pages ?? 1;
  if (width * height * pages > maxPixels) throw new HttpError(413, `image of ${width}x${height}${pages > 1 ? ` x ${pages} frames` : ''} is over the limit of ${maxPixels} pixels`);
  if (width < 1 || height < 1) throw new HttpError(415, 'the image has no pixels');
  return { type, width, height };
}
