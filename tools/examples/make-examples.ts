// Derives the example data in examples/ from the openly licensed photos listed in ./sources.ts.
//
//   bash tools/examples/fetch-sources.sh /tmp/example-sources     # apt-get download + dpkg-deb -x
//   npx tsx tools/examples/make-examples.ts /tmp/example-sources  [--out DIR] [--seed N]
//
// SRC_DIR holds the unpacked packages, each under SRC_DIR/<package>/ (or all of them unpacked
// into SRC_DIR itself). Every source's sha256 is checked, crop windows come from a seeded PRNG,
// and nothing time-dependent is written, so the same sources and sharp build give identical files.
//
// Writes (replacing what was there):
//   OUT/photos/photo_NN.jpg                         256x256 colour crops
//   OUT/edges2photos/{train,val,test}/NN.jpg        512x256 A|B pairs, A = line drawing, B = photo
//   OUT/unpaired/{trainA,trainB,testA,testB}/NN.jpg 128x128; A = colour photos, B = sepia-posterized
//                                                  crops of other source photos
//   OUT/ATTRIBUTION.md                              every file's source, author, license and crop
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { SOURCES, type Source } from './sources.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const JPEG = { quality: 85, chromaSubsampling: '4:2:0', mozjpeg: false } as const;
const PHOTOS_PER_SOURCE = 2;
const PAIRS_PER_SOURCE = 2;
const UNPAIRED_TRAIN = 16;
const UNPAIRED_TEST = 4;

interface Rect { left: number; top: number; width: number; height: number }
type Kind = 'photo' | 'pair' | 'unpairedA' | 'unpairedB';
interface Request { kind: Kind; size: number }
interface Derived { file: string; source: Source; rect: Rect; what: string }

// ---------------------------------------------------------------- deterministic randomness

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A PRNG per (seed, source id), so adding or reordering sources leaves the others' crops alone. */
function rngFor(seed: number, id: string): () => number {
  const h = createHash('sha256').update(`${seed}:${id}`).digest();
  return mulberry32(h.readUInt32LE(0));
}

// ---------------------------------------------------------------- images

interface Raw { data: Buffer; width: number; height: number; channels: 3 }

async function loadSource(path: string): Promise<Raw> {
  const { data, info } = await sharp(path).rotate().removeAlpha().toColourspace('srgb').raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${path}: expected 3 channels after decoding, got ${info.channels}`);
  return { data, width: info.width, height: info.height, channels: 3 };
}

function rawInput(img: { width: number; height: number }, channels: 1 | 3) {
  return { raw: { width: img.width, height: img.height, channels } } as const;
}

async function cropResize(src: Raw, rect: Rect, size: number): Promise<Raw> {
  const data = await sharp(src.data, rawInput(src, 3)).extract(rect)
    .resize(size, size, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer();
  return { data, width: size, height: size, channels: 3 };
}

function jpeg(img: Raw): Promise<Buffer> {
  return sharp(img.data, rawInput(img, 3)).jpeg(JPEG).toBuffer();
}

/** Integral images of luminance, luminance^2 and gradient magnitude of a small greyscale copy. */
interface ScoreMap { w: number; h: number; scale: number; sum: Float64Array; sum2: Float64Array; grad: Float64Array }

async function scoreMap(src: Raw): Promise<ScoreMap> {
  const short = Math.min(src.width, src.height);
  const scale = Math.min(1, 240 / short);
  const w = Math.max(1, Math.round(src.width * scale));
  const h = Math.max(1, Math.round(src.height * scale));
  const g = await sharp(src.data, rawInput(src, 3)).resize(w, h, { fit: 'fill' }).greyscale().raw().toBuffer();
  const W = w + 1;
  const sum = new Float64Array(W * (h + 1));
  const sum2 = new Float64Array(W * (h + 1));
  const grad = new Float64Array(W * (h + 1));
  const at = (x: number, y: number) => g[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))];
  for (let y = 0; y < h; y++) {
    let r = 0, r2 = 0, rg = 0;
    for (let x = 0; x < w; x++) {
      const v = g[y * w + x];
      const gx = at(x + 1, y) - at(x - 1, y);
      const gy = at(x, y + 1) - at(x, y - 1);
      r += v; r2 += v * v; rg += Math.hypot(gx, gy) / 2;
      const i = (y + 1) * W + x + 1;
      sum[i] = sum[i - W] + r; sum2[i] = sum2[i - W] + r2; grad[i] = grad[i - W] + rg;
    }
  }
  return { w, h, scale, sum, sum2, grad };
}

/** How much is going on in a window: contrast plus edge density, damped for very dark windows. */
function detailScore(m: ScoreMap, r: Rect): number {
  const x0 = Math.floor(r.left * m.scale), y0 = Math.floor(r.top * m.scale);
  const x1 = Math.max(x0 + 1, Math.min(m.w, Math.round((r.left + r.width) * m.scale)));
  const y1 = Math.max(y0 + 1, Math.min(m.h, Math.round((r.top + r.height) * m.scale)));
  const W = m.w + 1;
  const box = (a: Float64Array) => a[y1 * W + x1] - a[y0 * W + x1] - a[y1 * W + x0] + a[y0 * W + x0];
  const n = (x1 - x0) * (y1 - y0);
  const mean = box(m.sum) / n;
  const std = Math.sqrt(Math.max(0, box(m.sum2) / n - mean * mean));
  const edges = box(m.grad) / n;
  return (0.5 * std + 3 * Math.min(edges, 25)) * Math.min(1, mean / 60);
}

function iou(a: Rect, b: Rect): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Window side as a fraction of the source's short side: small, medium, large. */
const SCALES: readonly (readonly [number, number])[] = [[0.22, 0.38], [0.38, 0.6], [0.6, 0.95]];
const CANDIDATES_PER_SCALE = 48;

/**
 * Square windows for `requests`, in order: request k draws from scale bucket (k + offset) % 3 and
 * takes the most detailed candidate overlapping the windows already taken the least (IoU under a
 * bound that is relaxed only when nothing fits). Windows never go below the output size.
 */
function pickWindows(src: Raw, map: ScoreMap, requests: readonly Request[], rng: () => number, offset: number): Rect[] {
  const short = Math.min(src.width, src.height);
  const buckets = SCALES.map(([lo, hi]) =>
    Array.from({ length: CANDIDATES_PER_SCALE }, () => ({
      side: Math.round(short * (lo + (hi - lo) * rng())),
      px: rng(),
      py: rng(),
      jitter: 0.9 + 0.2 * rng(),
    })));
  const taken: Rect[] = [];
  return requests.map((req, k) => {
    const bucket = buckets[(k + offset) % SCALES.length];
    const placed = bucket.map(({ side: want, px, py, jitter }) => {
      const side = Math.min(short, Math.max(req.size, want));
      const rect = {
        left: Math.floor(px * (src.width - side + 1)),
        top: Math.floor(py * (src.height - side + 1)),
        width: side,
        height: side,
      };
      return { rect, score: jitter * detailScore(map, rect) };
    });
    for (const bound of [0.15, 0.3, 0.5, 0.75, 1.01]) {
      let best: { rect: Rect; score: number } | undefined;
      for (const c of placed) {
        if (taken.some((t) => iou(t, c.rect) >= bound)) continue;
        if (!best || c.score > best.score) best = c;
      }
      if (best) {
        taken.push(best.rect);
        return best.rect;
      }
    }
    throw new Error('unreachable: the last IoU bound admits every window');
  });
}

/** Dark lines on white: blurred Sobel magnitude, soft-thresholded between two of its percentiles. */
async function edgeDrawing(img: Raw): Promise<Raw> {
  const { width: w, height: h } = img;
  const g = await sharp(img.data, rawInput(img, 3)).greyscale().blur(1.3).raw().toBuffer();
  const at = (x: number, y: number) => g[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))];
  const mag = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const gx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const gy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      mag[y * w + x] = Math.hypot(gx, gy);
    }
  }
  const sorted = Float32Array.from(mag).sort();
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const lo = Math.max(pct(0.82), 40);
  const hi = Math.max(pct(0.94), lo * 1.8);
  const data = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const v = Math.min(1, Math.max(0, (mag[i] - lo) / (hi - lo)));
    const out = Math.round(255 * (1 - v));
    data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = out;
  }
  return { data, width: w, height: h, channels: 3 };
}

/** Sepia: luminance posterized to SEPIA_LEVELS steps, mapped onto a dark-brown to cream ramp. */
const SEPIA_LEVELS = 8;
const SEPIA_DARK = [52, 30, 16] as const;
const SEPIA_LIGHT = [250, 236, 204] as const;

function sepiaPosterize(img: Raw): Raw {
  const data = Buffer.alloc(img.data.length);
  for (let i = 0; i < img.data.length; i += 3) {
    const y = (0.299 * img.data[i] + 0.587 * img.data[i + 1] + 0.114 * img.data[i + 2]) / 255;
    const t = Math.round(y * (SEPIA_LEVELS - 1)) / (SEPIA_LEVELS - 1);
    // a gentle S-curve through the warm midtones, as in aged prints
    const u = t * t * (3 - 2 * t) * 0.5 + t * 0.5;
    for (let c = 0; c < 3; c++) data[i + c] = Math.round(SEPIA_DARK[c] + (SEPIA_LIGHT[c] - SEPIA_DARK[c]) * u);
  }
  return { ...img, data };
}

function sideBySide(a: Raw, b: Raw): Raw {
  const h = a.height;
  const w = a.width + b.width;
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    a.data.copy(data, y * w * 3, y * a.width * 3, (y + 1) * a.width * 3);
    b.data.copy(data, (y * w + a.width) * 3, y * b.width * 3, (y + 1) * b.width * 3);
  }
  return { data, width: w, height: h, channels: 3 };
}

// ---------------------------------------------------------------- plan

const pad = (n: number) => String(n).padStart(2, '0');

function findSource(srcDir: string, s: Source): string {
  const candidates = [join(srcDir, s.pkg, s.path), join(srcDir, s.path)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`${s.id}: not found at ${candidates.join(' or ')} (unpack ${s.pkg} with tools/examples/fetch-sources.sh)`);
  const sha = createHash('sha256').update(readFileSync(found)).digest('hex');
  if (sha !== s.sha256) {
    throw new Error(`${found}: sha256 ${sha}, expected ${s.sha256} (${s.pkg} ${s.pkgVersion}); the derivation is only reproducible from those bytes`);
  }
  return found;
}

/** What each source contributes, in a fixed order. */
function plan(): Map<string, Request[]> {
  const reqs = new Map<string, Request[]>(SOURCES.map((s) => [s.id, [] as Request[]]));
  for (const s of SOURCES) {
    for (let i = 0; i < PHOTOS_PER_SOURCE; i++) reqs.get(s.id)!.push({ kind: 'photo', size: 256 });
    for (let i = 0; i < PAIRS_PER_SOURCE; i++) reqs.get(s.id)!.push({ kind: 'pair', size: 256 });
  }
  for (const group of ['A', 'B'] as const) {
    const members = SOURCES.filter((s) => s.group === group);
    for (let i = 0; i < UNPAIRED_TRAIN + UNPAIRED_TEST; i++) {
      reqs.get(members[i % members.length].id)!.push({ kind: group === 'A' ? 'unpairedA' : 'unpairedB', size: 128 });
    }
  }
  return reqs;
}

// ---------------------------------------------------------------- main

function parseArgs(argv: string[]): { srcDir: string; out: string; seed: number } {
  let srcDir: string | undefined;
  let out = join(REPO, 'examples');
  let seed = 20240601;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = resolve(argv[++i] ?? '');
    else if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '-h' || a === '--help') {
      console.log('usage: npx tsx tools/examples/make-examples.ts SRC_DIR [--out DIR] [--seed N]');
      process.exit(0);
    } else if (!srcDir) srcDir = resolve(a);
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!srcDir) throw new Error('usage: npx tsx tools/examples/make-examples.ts SRC_DIR [--out DIR] [--seed N]');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  return { srcDir, out, seed };
}

async function main(): Promise<void> {
  const { srcDir, out, seed } = parseArgs(process.argv.slice(2));
  sharp.concurrency(1);
  sharp.cache(false);
  const paths = new Map(SOURCES.map((s) => [s.id, findSource(srcDir, s)]));

  for (const d of ['photos', 'edges2photos', 'unpaired']) rmSync(join(out, d), { recursive: true, force: true });
  const dirs = ['photos', 'edges2photos/train', 'edges2photos/val', 'edges2photos/test',
    'unpaired/trainA', 'unpaired/trainB', 'unpaired/testA', 'unpaired/testB'];
  for (const d of dirs) mkdirSync(join(out, d), { recursive: true });

  const requests = plan();
  const derived: Derived[] = [];
  const counters = new Map<string, number>();
  const next = (key: string) => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };
  const unpairedTotal = UNPAIRED_TRAIN + UNPAIRED_TEST;
  // Unpaired crops are numbered in round-robin order over a group's sources; the last
  // UNPAIRED_TEST of that order go to test. Precompute each source's round-robin slots.
  const slots = new Map<string, number[]>();
  for (const group of ['A', 'B'] as const) {
    const members = SOURCES.filter((s) => s.group === group);
    for (let i = 0; i < unpairedTotal; i++) {
      const id = members[i % members.length].id;
      slots.set(id, [...(slots.get(id) ?? []), i]);
    }
  }
  const unpairedFiles: { slot: number; group: 'A' | 'B'; img: Raw; source: Source; rect: Rect }[] = [];

  for (const [index, s] of SOURCES.entries()) {
    const src = await loadSource(paths.get(s.id)!);
    const map = await scoreMap(src);
    const reqs = requests.get(s.id)!;
    const rects = pickWindows(src, map, reqs, rngFor(seed, s.id), index);
    let unpairedK = 0;
    for (const [k, req] of reqs.entries()) {
      const rect = rects[k];
      const crop = await cropResize(src, rect, req.size);
      if (req.kind === 'photo') {
        const file = `photos/photo_${pad(next('photos'))}.jpg`;
        writeFileSync(join(out, file), await jpeg(crop));
        derived.push({ file, source: s, rect, what: 'photo crop, 256x256' });
      } else if (req.kind === 'pair') {
        const file = `edges2photos/${s.split}/${pad(next(`pairs-${s.split}`))}.jpg`;
        writeFileSync(join(out, file), await jpeg(sideBySide(await edgeDrawing(crop), crop)));
        derived.push({ file, source: s, rect, what: 'A = edge drawing of the crop | B = the crop, 2x 256x256' });
      } else {
        const group = req.kind === 'unpairedA' ? 'A' : 'B';
        unpairedFiles.push({ slot: slots.get(s.id)![unpairedK++], group, img: group === 'A' ? crop : sepiaPosterize(crop), source: s, rect });
      }
    }
    console.log(`${s.id}: ${reqs.length} crops from ${src.width}x${src.height}`);
  }
  unpairedFiles.sort((a, b) => (a.group === b.group ? a.slot - b.slot : a.group < b.group ? -1 : 1));
  for (const u of unpairedFiles) {
    const phase = u.slot < UNPAIRED_TRAIN ? 'train' : 'test';
    const file = `unpaired/${phase}${u.group}/${pad(next(`${phase}${u.group}`))}.jpg`;
    writeFileSync(join(out, file), await jpeg(u.img));
    derived.push({
      file, source: u.source, rect: u.rect,
      what: u.group === 'A' ? 'colour crop, 128x128 (domain A)' : 'crop in sepia, luminance posterized to 8 levels, 128x128 (domain B)',
    });
  }
  writeFileSync(join(out, 'ATTRIBUTION.md'), attribution(derived, seed));
  console.log(`wrote ${derived.length} images and ATTRIBUTION.md under ${out}`);
}

// ---------------------------------------------------------------- ATTRIBUTION.md

function attribution(derived: readonly Derived[], seed: number): string {
  const lines: string[] = [];
  lines.push('# Attribution of the example images', '');
  lines.push('Every image under `examples/` is derived from one openly licensed photograph shipped in a Debian',
    'package. This file is written by `tools/examples/make-examples.ts` (seed ' + String(seed) + ') and lists, per source',
    'photograph, its author, license and origin and every file derived from it with the crop window used.', '');
  lines.push('## How the files were derived (modifications)', '');
  lines.push('All files were **cropped, resized, edge-rendered / toned by `tools/examples/make-examples.ts`**:', '',
    '- a square window (given below as `left,top widthxheight` in source pixels) was cut from the source',
    '  photograph and resized (Lanczos) to 256x256 or 128x128, then saved as JPEG (quality 85);',
    '- `edges2photos/*`: the left half is a line drawing computed from the crop (greyscale, Gaussian blur,',
    '  Sobel gradient magnitude, soft-thresholded to dark lines on white), the right half is the crop itself;',
    '- `unpaired/*B/*`: the crop\'s luminance was posterized to 8 levels and mapped onto a brown-to-cream sepia ramp;',
    '- `photos/*` and `unpaired/*A/*`: cropped and resized only.', '');
  lines.push('## Licenses of the derived files', '');
  lines.push('Each derived file keeps the license of its source photograph:', '',
    '- from a **CC BY 4.0** source: the derived file is licensed CC BY 4.0',
    '  (<https://creativecommons.org/licenses/by/4.0/>); credit the author named below and state that it was',
    '  modified as described above. The source and derived files are provided as-is, without warranties',
    '  (see the license).',
    '- from a **CC0 1.0** or **public-domain** source: no restrictions; the credit below is a courtesy.', '',
    'The CC BY-SA and GFDL images of the same packages were deliberately not used.', '');
  lines.push('## Sources and derived files', '');
  for (const s of SOURCES) {
    const mine = derived.filter((d) => d.source.id === s.id).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    lines.push(`### ${s.id}: ${s.title}`, '');
    lines.push(`- Author: ${s.author}`);
    if (s.copyright) lines.push(`- Copyright: © ${s.copyright}`);
    lines.push(`- License: ${s.license} (<${s.licenseUrl}>), as stated in ${s.licenseWhere}`);
    lines.push(`- Source file: \`/${s.path}\` in Debian package \`${s.pkg}\` ${s.pkgVersion} (sha256 \`${s.sha256}\`)`);
    if (s.url) lines.push(`- Original: <${s.url}>`);
    lines.push(`- Derived files (${mine.length}):`);
    for (const d of mine) {
      const r = d.rect;
      lines.push(`  - \`${d.file}\`: crop ${r.left},${r.top} ${r.width}x${r.height}; ${d.what}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

await main();
