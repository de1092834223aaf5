// What each fuzz case runs (inside a worker process): every loader that reads the format, as a
// user's command would reach it. A probe either succeeds or throws; its error must be an Error
// naming the input (the case file's name), not a bare TypeError/RangeError or a stack overflow.
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { decodeSafetensors } from '../../src/io/safetensors.js';
import { loadPthBuffer } from '../../src/io/pth.js';
import { loadGenerator } from '../../src/inference/load-generator.js';
import { readClassifierFile } from '../../src/cam/model.js';
import { importOnnx } from '../../src/graph/onnx/import.js';
import { decodeImage } from '../../src/data/image.js';
import { extractArchive } from '../../src/data/extract.js';
import { probeVideo, frameTimes } from '../../src/video/probe.js';
import { partsDir, processVideo } from '../../src/video/pipeline.js';
import type { Target } from './seeds.js';

export type Probe = () => Promise<unknown>;

/** The probes of one case: `path` holds the bytes (named after the case), `bytes` is the same content. */
export function probes(target: Target, path: string, bytes: Uint8Array): Probe[] {
  const name = basename(path);
  switch (target) {
    case 'safetensors':
      return [async () => decodeSafetensors(bytes, name), () => loadGenerator(path)];
    case 'pth':
      return [async () => loadPthBuffer(bytes, name), () => loadGenerator(path, { netG: 'unet_128', ngf: 2, numDowns: 3 })];
    case 'onnx':
      return [() => readClassifierFile(path), async () => importOnnx(bytes, { what: path, inputShape: [1, 3, 16, 16] })];
    case 'png':
    case 'jpeg':
      return [() => decodeImage(bytes, name), () => decodeImage(bytes, name, { channels: 1 })];
    case 'tar.gz':
    case 'zip':
      return [() => extractChecked(path, target)];
    case 'video':
      // What `mosaic add clip.mp4 -o out.mkv` does: probe, frame times, then decode every frame and
      // encode them (identity job) with the streams kept.
      return [async () => frameTimes(await probeVideo(path)), () => reencode(path)];
  }
}

/**
 * Extracts into CASE.out/dest and checks that nothing appeared outside dest (CASE.out holds only
 * dest) and that no symlink inside points out of it.
 */
async function extractChecked(path: string, format: 'tar.gz' | 'zip'): Promise<void> {
  const box = `${path}.out`;
  const dest = join(box, 'dest');
  mkdirSync(dest, { recursive: true });
  try {
    await extractArchive(path, format, dest);
  } finally {
    const escaped = readdirSync(box).filter((e) => e !== 'dest');
    const outward = walk(dest).filter((p) => {
      const st = lstatSync(p);
      if (!st.isSymbolicLink()) return false;
      const to = resolve(dirname(p), readlinkSync(p));
      const rel = relative(dest, to);
      return rel.startsWith('..') || isAbsolute(rel);
    });
    rmSync(box, { recursive: true, force: true });
    if (escaped.length || outward.length) {
      // Not an ordinary failure: the harness reports it as a file written outside the folder.
      throw Object.assign(new Error(`ESCAPE: ${[...escaped, ...outward].join(', ')}`), { escape: true });
    }
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

async function reencode(path: string): Promise<void> {
  const out = `${path}.out.mkv`;
  try {
    await processVideo(path, out, { fingerprint: 'fuzz', process: async (image) => image }, {
      encode: { codec: 'ffv1', crf: 18, preset: 'ultrafast', lossless: true },
    });
  } finally {
    rmSync(out, { force: true });
    rmSync(partsDir(out), { recursive: true, force: true });
  }
}
