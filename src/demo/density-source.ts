/** Turns the demo's `--pdf` argument (nothing, an expression in x, or a CSV file) into a grid density. */
import { existsSync, statSync } from 'node:fs';
import { compileExpression } from './expression.js';
import { interpolatePoints, loadDensityCsv } from './density-csv.js';
import { defaultCdf, defaultPdfUnnormalized, DEFAULT_PDF_FORMULA, DEFAULT_RANGE } from './density-default.js';
import { tabulateDensity, type GridDensity } from './density.js';

/** Default number of grid points. */
export const DEFAULT_GRID = 2001;

export interface DensitySourceOptions {
  /** Grid points, default 2001. */
  grid?: number;
  /** x range; default [-3, 3] for expressions and the default density, the data's range for CSV. */
  range?: [number, number];
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Builds the density for `--pdf`: undefined/empty gives the default density (tested against its
 * exact CDF); a path ending in .csv/.tsv/.txt is read as `x,density` points; anything else is an
 * expression in x, unless it does not parse and names an existing file (then that file is read).
 */
export async function resolveDensity(pdf: string | undefined, opts: DensitySourceOptions = {}): Promise<GridDensity> {
  const grid = opts.grid ?? DEFAULT_GRID;
  if (pdf === undefined || pdf.trim() === '') {
    const [lo, hi] = opts.range ?? DEFAULT_RANGE;
    // The closed-form CDF holds whenever the range covers the whole support [-3, 3].
    const exact = lo <= DEFAULT_RANGE[0] && hi >= DEFAULT_RANGE[1];
    return tabulateDensity(defaultPdfUnnormalized, lo, hi, grid, { label: `default density ${DEFAULT_PDF_FORMULA}`, exactCdf: exact ? defaultCdf : undefined });
  }
  let f: ((x: number) => number) | undefined;
  if (!/\.(csv|tsv|txt)$/i.test(pdf.trim())) {
    try {
      f = compileExpression(pdf);
    } catch (err) {
      // A file named like an expression ("e", "x") must not shadow it, so files come second.
      if (!isFile(pdf)) throw err;
    }
  }
  if (f) {
    const [lo, hi] = opts.range ?? DEFAULT_RANGE;
    return tabulateDensity(f, lo, hi, grid, { label: `pdf "${pdf}"` });
  }
  const points = await loadDensityCsv(pdf);
  const [lo, hi] = opts.range ?? [points.x[0], points.x[points.x.length - 1]];
  return tabulateDensity(interpolatePoints(points), lo, hi, grid, { label: pdf });
}
