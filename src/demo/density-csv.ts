/**
 * Densities from CSV files of `x,density` rows, linearly interpolated between points.
 * An optional header line, blank lines and `#` comments are allowed; errors name file and line.
 */
import { readFile } from 'node:fs/promises';

/** Points of a density read from CSV: x strictly increasing, densities >= 0. */
export interface DensityPoints {
  name: string;
  x: number[];
  y: number[];
}

/** Splits a CSV row on commas (also accepts semicolons or tabs as separators). */
function fields(line: string): string[] {
  return line.split(/[,;\t]/).map((s) => s.trim());
}

/** A strict number: rejects '', '1abc', 'Infinity' (Number() would accept some of these). */
function parseNum(s: string): number {
  return /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s) ? Number(s) : NaN;
}

/**
 * Parses CSV text into density points. `name` (usually the file path) prefixes every error,
 * as `name:line: reason`.
 */
export function parseDensityCsv(text: string, name: string): DensityPoints {
  const x: number[] = [];
  const y: number[] = [];
  let seenRow = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/^\uFEFF/, '').trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const where = `${name}:${i + 1}`;
    const f = fields(raw);
    const a = parseNum(f[0] ?? '');
    const b = parseNum(f[1] ?? '');
    if (f.length !== 2 || Number.isNaN(a) || Number.isNaN(b)) {
      // The first non-empty line may be a header such as "x,density".
      if (!seenRow && f.length === 2 && Number.isNaN(a) && Number.isNaN(b)) {
        seenRow = true;
        continue;
      }
      throw new Error(`${where}: expected two numbers "x,density", got "${raw.slice(0, 80)}"`);
    }
    seenRow = true;
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`${where}: values must be finite, got "${raw.slice(0, 80)}"`);
    if (b < 0) throw new Error(`${where}: density must be >= 0, got ${b}`);
    if (x.length > 0 && a <= x[x.length - 1]) throw new Error(`${where}: x values must be strictly increasing, got ${a} after ${x[x.length - 1]}`);
    x.push(a);
    y.push(b);
  }
  if (x.length < 2) throw new Error(`${name}: need at least 2 data rows "x,density", found ${x.length}`);
  let total = 0;
  for (let i = 1; i < x.length; i++) total += 0.5 * (y[i - 1] + y[i]) * (x[i] - x[i - 1]);
  if (!(total > 0)) throw new Error(`${name}: density integrates to 0 over [${x[0]}, ${x[x.length - 1]}]; it needs a positive total`);
  return { name, x, y };
}

/** Reads and parses a density CSV file; a missing or unreadable file is reported with its path. */
export async function loadDensityCsv(path: string): Promise<DensityPoints> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read density CSV ${path}: ${(err as Error).message}`);
  }
  return parseDensityCsv(text, path);
}

/** The piecewise-linear density through the points (0 outside their x range). */
export function interpolatePoints(p: DensityPoints): (v: number) => number {
  const { x, y } = p;
  return (v) => {
    if (!(v >= x[0] && v <= x[x.length - 1])) return 0;
    let lo = 0;
    let hi = x.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid] <= v) lo = mid;
      else hi = mid;
    }
    const t = (v - x[lo]) / (x[hi] - x[lo]);
    return y[lo] + t * (y[hi] - y[lo]);
  };
}
