// How big mosaic blocks are. Two automatic rules:
//  - 'auto': ceil(long side / 100), at least 4 px. A common rule for censor mosaics
//    (block about 1% of the long side), e.g. 256x256 -> 4, 1000x700 -> 10, 1920x1080 -> 20.
//  - 'area': per region, round(factor * sqrt(region area)) clamped to [min, max]; with the
//    default factor 0.1 a square region is about 10 blocks across, so bigger regions get
//    bigger blocks.

/** A block size: pixels, or one of the automatic rules. */
export type BlockSizeSpec = number | 'auto' | 'area';

/** Options of the area rule. */
export interface AreaSizeOptions {
  /** Block side per sqrt(region area); default 0.1 (about 10 blocks across a square region). */
  factor?: number;
  /** Smallest block, default 4. */
  min?: number;
  /** Largest block, default 64. */
  max?: number;
}

/** The 1/100 rule: ceil(max(width, height) / 100), at least 4. */
export function autoBlockSize(width: number, height: number): number {
  return Math.max(4, Math.ceil(Math.max(width, height) / 100));
}

/** The area rule: round(factor * sqrt(area)) clamped to [min, max]. */
export function areaBlockSize(area: number, opts: AreaSizeOptions = {}): number {
  const { factor = 0.1, min = 4, max = 64 } = opts;
  return Math.min(max, Math.max(min, Math.round(factor * Math.sqrt(Math.max(0, area)))));
}

/** Parses a CLI block size: a positive integer, "auto" or "area". */
export function parseBlockSize(text: string): BlockSizeSpec {
  const t = text.trim().toLowerCase();
  if (t === 'auto' || t === 'area') return t;
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bad block size "${text}": expected a positive integer, "auto" or "area"`);
  return n;
}
