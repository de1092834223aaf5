// Builds the photo training corpus for the mosaic-restoration model from the photographs listed in
// ./sources.ts (see docs/corpus.md).
//
//   bash tools/corpus/fetch.sh /tmp/corpus-sources          # apt-get download + dpkg-deb -x
//   npx tsx tools/corpus/build.ts --sources /tmp/corpus-sources --out data/photo-corpus
//
// SOURCES holds the unpacked packages, each under SOURCES/<package>/ (or all of them unpacked into
// SOURCES itself). Every source's sha256 is checked before anything is written. Each photo is
// decoded once (EXIF orientation applied, alpha dropped, converted to 8-bit sRGB RGB) and written as
// PNG at the scale factors in SCALES whose long side lies in [MIN_SIDE, MAX_SIDE] (if none does, the
// largest scale under MAX_SIDE):
//
//   OUT/<split>/<id>@<scale>.png     split is 'train' or 'heldout', as sources.ts says
//   OUT/manifest.json                every file (path, source, scale, size, split) and every
//                                    source's provenance; written last
//
// Each file is written under a temporary name and renamed into place. Re-running skips files that
// already exist with the expected pixel size, and removes <id>@<scale>.png files in OUT/train and
// OUT/heldout that the current sources no longer produce (e.g. after a source changed split).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { rccMember } from './rcc.js';
import { SOURCES, type Source, type Split } from './sources.js';

export const SCALES = [1, 0.7, 0.5, 0.35, 0.25, 0.18, 0.125] as const;
export const MIN_SIDE = 384;
export const MAX_SIDE = 2048;
const SPLITS: readonly Split[] = ['train', 'heldout'];
const RESERVED = ['mate-backgrounds', 'plasma-workspace-wallpapers', 'opencv-doc'];

interface Planned { scale: number; width: number; height: number }
interface FileEntry { path: string; source: string; scale: number; width: number; height: number; split: Split }

/** Output sizes of a width x height image at each scale, and which of them are kept. */
export function planScales(width: number, height: number): Planned[] {
  const all = SCALES.map((scale) => ({
    scale,
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  }));
  const long = (p: Planned): number => Math.max(p.width, p.height);
  const kept = all.filter((p) => long(p) >= MIN_SIDE && long(p) <= MAX_SIDE);
  if (kept.length > 0) return kept;
  const under = all.filter((p) => long(p) < MAX_SIDE);
  return under.length > 0 ? [under[0]!] : [all[all.length - 1]!];
}

const scaleName = (scale: number): string => String(scale);
const fileName = (s: Source, scale: number): string => `${s.split}/${s.id}@${scaleName(scale)}.png`;

function sourceFile(dir: string, s: Source): string | undefined {
  for (const candidate of [join(dir, s.pkg, s.path), join(dir, s.path)]) if (existsSync(candidate)) return candidate;
  return undefined;
}

/** The source's image bytes, or an error message naming the file. */
function readSource(dir: string, s: Source): { bytes: Buffer } | { error: string } {
  const file = sourceFile(dir, s);
  const where = `${s.pkg}/${s.path}${s.member ? ` (member ${s.member})` : ''}`;
  if (!file) return { error: `${s.id}: missing ${join(dir, s.pkg, s.path)} (package ${s.pkg} ${s.pkgVersion} not unpacked? run tools/corpus/fetch.sh ${dir})` };
  let bytes: Buffer = readFileSync(file);
  if (s.member) {
    let member: Buffer | undefined;
    try {
      member = rccMember(bytes, s.member);
    } catch (e) {
      return { error: `${s.id}: cannot read ${file} as a Qt resource file: ${(e as Error).message}` };
    }
    if (!member) return { error: `${s.id}: ${file} has no member ${s.member}` };
    bytes = member;
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== s.sha256) {
    return { error: `${s.id}: sha256 of ${where} is ${sha}, expected ${s.sha256} (file ${file}; package version other than ${s.pkgVersion}?)` };
  }
  return { bytes };
}

async function pngSize(path: string): Promise<{ width: number; height: number } | undefined> {
  try {
    const m = await sharp(path).metadata();
    if (m.format !== 'png' || !m.width || !m.height) return undefined;
    return { width: m.width, height: m.height };
  } catch {
    return undefined;
  }
}

function writeAtomic(path: string, data: Buffer | string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function checkSources(sources: readonly Source[]): void {
  const ids = new Set<string>();
  const sceneSplit = new Map<string, Split>();
  for (const s of sources) {
    if (ids.has(s.id)) throw new Error(`duplicate source id ${s.id}`);
    ids.add(s.id);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(s.id)) throw new Error(`source id ${s.id}: use lower-case letters, digits and '-'`);
    if (RESERVED.includes(s.pkg)) throw new Error(`${s.id}: ${s.pkg} is reserved for the independent evaluation and must not be used`);
    if (s.scene) {
      const other = sceneSplit.get(s.scene);
      if (other && other !== s.split) throw new Error(`scene ${s.scene} is in both splits (${s.id})`);
      sceneSplit.set(s.scene, s.split);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sources: { type: 'string' },
      out: { type: 'string', default: 'data/photo-corpus' },
      threads: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help || !values.sources) {
    console.log('usage: npx tsx tools/corpus/build.ts --sources DIR [--out data/photo-corpus] [--threads 1]');
    process.exit(values.help ? 0 : 2);
  }
  const srcDir = resolve(values.sources);
  const out = resolve(values.out);
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`--threads must be a non-negative integer`);
  sharp.concurrency(threads); // 0 = sharp's default (one per core)

  checkSources(SOURCES);

  // 1. Verify every source before writing anything.
  const bytes = new Map<string, Buffer>();
  const errors: string[] = [];
  for (const s of SOURCES) {
    const r = readSource(srcDir, s);
    if ('error' in r) errors.push(r.error);
    else bytes.set(s.id, r.bytes);
  }
  if (errors.length > 0) {
    console.error(`${errors.length} of ${SOURCES.length} sources failed the check:`);
    for (const e of errors) console.error(`  ${e}`);
    process.exit(1);
  }

  // 2. Write the scales.
  for (const split of SPLITS) mkdirSync(join(out, split), { recursive: true });
  const files: FileEntry[] = [];
  let written = 0;
  let skipped = 0;
  for (const [n, s] of SOURCES.entries()) {
    const plan = planScales(s.width, s.height);
    const todo: Planned[] = [];
    for (const p of plan) {
      const rel = fileName(s, p.scale);
      const size = await pngSize(join(out, rel));
      if (size && size.width === p.width && size.height === p.height) skipped++;
      else todo.push(p);
      files.push({ path: rel, source: s.id, scale: p.scale, width: p.width, height: p.height, split: s.split });
    }
    if (todo.length === 0) continue;
    const { data, info } = await sharp(bytes.get(s.id)!, { limitInputPixels: false })
      .rotate()
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.width !== s.width || info.height !== s.height || info.channels !== 3) {
      throw new Error(`${s.id}: decoded to ${info.width}x${info.height}x${info.channels}, sources.ts says ${s.width}x${s.height}x3`);
    }
    for (const p of todo) {
      let img = sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } });
      if (p.width !== info.width || p.height !== info.height) img = img.resize(p.width, p.height, { kernel: 'lanczos3', fit: 'fill' });
      const png = await img.png({ compressionLevel: 6 }).toBuffer();
      writeAtomic(join(out, fileName(s, p.scale)), png);
      written++;
    }
    console.log(`[${n + 1}/${SOURCES.length}] ${s.id}: ${todo.map((p) => `${p.scale} ${p.width}x${p.height}`).join(', ')}`);
    bytes.delete(s.id);
  }

  // 3. Remove outputs that no source produces any more.
  const expected = new Set(files.map((f) => f.path));
  let removed = 0;
  for (const split of SPLITS) {
    for (const name of readdirSync(join(out, split))) {
      const rel = `${split}/${name}`;
      if ((/^[a-z0-9-]+@[0-9.]+\.png$/.test(name) || /\.png\.tmp-\d+$/.test(name)) && !expected.has(rel)) {
        rmSync(join(out, rel));
        removed++;
      }
    }
  }

  // 4. The manifest, last.
  const mp = (fs: FileEntry[]): number => fs.reduce((a, f) => a + (f.width * f.height) / 1e6, 0);
  const summary = Object.fromEntries(SPLITS.map((split) => {
    const ss = SOURCES.filter((s) => s.split === split);
    const fs = files.filter((f) => f.split === split);
    return [split, {
      sources: ss.length,
      files: fs.length,
      megapixels: round2(mp(fs)),
      megapixelsAtScale1: round2(ss.reduce((a, s) => a + (s.width * s.height) / 1e6, 0)),
    }];
  }));
  const manifest = {
    description: 'Photo training corpus for mosaic restoration; built by tools/corpus/build.ts from tools/corpus/sources.ts (see docs/corpus.md).',
    scales: SCALES,
    minLongSide: MIN_SIDE,
    maxLongSide: MAX_SIDE,
    summary,
    sources: SOURCES.map((s) => ({ ...s, files: files.filter((f) => f.source === s.id).map((f) => f.path) })),
    files,
  };
  writeAtomic(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);

  // 5. Summary.
  console.log(`\n${relative(process.cwd(), out) || out}: ${written} written, ${skipped} already there, ${removed} stale removed`);
  const pkgs = [...new Set(SOURCES.map((s) => s.pkg))];
  const rows = pkgs.map((pkg) => {
    const ss = SOURCES.filter((s) => s.pkg === pkg);
    return [pkg, ...SPLITS.map((split) => String(ss.filter((s) => s.split === split).length))];
  });
  rows.push(['total', ...SPLITS.map((split) => String(summary[split]!.sources))]);
  const w0 = Math.max(...rows.map((r) => r[0]!.length));
  console.log(`${'package'.padEnd(w0)}  ${SPLITS.map((s) => s.padStart(7)).join('  ')}`);
  for (const r of rows) console.log(`${r[0]!.padEnd(w0)}  ${r.slice(1).map((c) => c.padStart(7)).join('  ')}`);
  for (const split of SPLITS) {
    const x = summary[split]!;
    console.log(`${split}: ${x.sources} sources, ${x.files} files, ${x.megapixels} MP in all scales (${x.megapixelsAtScale1} MP at scale 1)`);
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
