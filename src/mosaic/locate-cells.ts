// Mosaic detection on one block grid: a cell is mosaic when it is constant inside and
// (for the seed cells) differs from its neighbours across a vertical and a horizontal side.
// Seeds must form groups of several cells spanning 2x2 or more; groups then absorb constant
// cells that are enclosed (accepted neighbours on opposite sides), and partially covered
// cells at the region edge contribute their constant part.
import type { BlockGrid } from './blocks.js';
import type { EqualityMaps } from './locate-grid.js';
import type { Box } from './mask.js';

interface Cell {
  x0: number; y0: number; x1: number; y1: number;
  flat: boolean; strong: boolean; hEdge: boolean; vEdge: boolean; changed: number; inner: number;
}

/** What detectOnGrid found. */
export interface GridDetection {
  /** w*h array, 1 on the found mosaic pixels. */
  pixels: Uint8Array;
  /** Whole blocks accepted. */
  blocks: number;
  /**
   * How well the grid explains the image: pixels in accepted blocks times the share of their
   * sides that show a change. A grid of half-blocks covers the same pixels but half of its
   * lines cross constant areas, so the true grid scores higher.
   */
  score: number;
}

/**
 * The mosaic blocks found on `grid` within `area` (plus one block of margin). Cells touching
 * a `taken` pixel (found earlier on another grid) are left out.
 */
export function detectOnGrid(maps: EqualityMaps, grid: BlockGrid, area: Box, minBlocks: number, taken?: Uint8Array): GridDetection {
  const { width: w, height: h } = maps;
  const { bw, bh, ox, oy } = grid;
  const i0 = Math.floor((area.x - ox) / bw) - 1, i1 = Math.floor((area.x + area.w - 1 - ox) / bw) + 1;
  const j0 = Math.floor((area.y - oy) / bh) - 1, j1 = Math.floor((area.y + area.h - 1 - oy) / bh) + 1;
  const ni = i1 - i0 + 1, nj = j1 - j0 + 1;
  const cells: (Cell | null)[] = new Array(ni * nj).fill(null);
  for (let j = 0; j < nj; j++) {
    for (let i = 0; i < ni; i++) {
      const x0 = Math.max(0, ox + (i + i0) * bw), x1 = Math.min(w, ox + (i + i0 + 1) * bw);
      const y0 = Math.max(0, oy + (j + j0) * bh), y1 = Math.min(h, oy + (j + j0 + 1) * bh);
      if (x1 <= x0 || y1 <= y0 || (taken && anySet(taken, w, x0, y0, x1, y1))) continue;
      const flat = isFlat(maps, x0, y0, x1, y1);
      const sides = flat && x1 - x0 >= 2 && y1 - y0 >= 2 ? changedSides(maps, x0, y0, x1, y1) : null;
      const changed = sides ? sides.left + sides.right + sides.top + sides.bottom : 0;
      const inner = (x0 > 0 ? 1 : 0) + (x1 < w ? 1 : 0) + (y0 > 0 ? 1 : 0) + (y1 < h ? 1 : 0);
      const hEdge = !!sides && sides.left + sides.right > 0, vEdge = !!sides && sides.top + sides.bottom > 0;
      // A mosaic block differs from neighbours both sideways and up/down; a quantised smooth
      // gradient (stripes of constant colour) changes in one direction only.
      cells[j * ni + i] = { x0, y0, x1, y1, flat, strong: hEdge && vEdge, hEdge, vEdge, changed, inner };
    }
  }
  const accepted = seedGroups(cells, ni, nj, minBlocks);
  growEnclosed(cells, accepted, ni, nj);

  const pixels = new Uint8Array(w * h);
  let blocks = 0, covered = 0, changed = 0, sides = 0;
  for (let k = 0; k < cells.length; k++) {
    const c = cells[k];
    if (!c) continue;
    if (accepted[k]) {
      blocks++;
      covered += (c.x1 - c.x0) * (c.y1 - c.y0);
      changed += c.changed;
      sides += c.inner;
      for (let y = c.y0; y < c.y1; y++) pixels.fill(1, y * w + c.x0, y * w + c.x1);
    }
  }
  // Partially covered blocks along the region edge, two rings deep: where the mask edge runs
  // diagonally a partial block may touch only other partial blocks. state: 1 accepted, 2 partial.
  const state = Uint8Array.from(accepted);
  for (let ring = 0; ring < 2; ring++) {
    const next = state.slice();
    for (let k = 0; k < cells.length; k++) {
      const c = cells[k];
      if (!c || state[k]) continue;
      const i = k % ni, j = (k - i) / ni;
      const sides = { left: i > 0 && state[k - 1] > 0, right: i + 1 < ni && state[k + 1] > 0,
        top: j > 0 && state[k - ni] > 0, bottom: j + 1 < nj && state[k + ni] > 0 };
      if ((sides.left || sides.right || sides.top || sides.bottom) && partialCell(maps, c, sides, Math.min(bw, bh), pixels)) next[k] = 2;
    }
    state.set(next);
  }
  return { pixels, blocks, score: sides ? (covered * changed) / sides : 0 };
}

function anySet(a: Uint8Array, w: number, x0: number, y0: number, x1: number, y1: number): boolean {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (a[y * w + x]) return true;
  return false;
}

function isFlat(m: EqualityMaps, x0: number, y0: number, x1: number, y1: number): boolean {
  const w = m.width;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (x + 1 < x1 && !m.eqR[y * w + x]) return false;
      if (y + 1 < y1 && !m.eqD[y * w + x]) return false;
    }
  }
  return true;
}

/** 1 for each side (not on the image border) where most pixel pairs across it differ. */
function changedSides(m: EqualityMaps, x0: number, y0: number, x1: number, y1: number): { left: number; right: number; top: number; bottom: number } {
  const w = m.width;
  const side = (len: number, diff: (t: number) => boolean): number => {
    let d = 0;
    for (let t = 0; t < len; t++) if (diff(t)) d++;
    return 2 * d >= len ? 1 : 0;
  };
  return {
    left: x0 > 0 ? side(y1 - y0, (t) => !m.eqR[(y0 + t) * w + x0 - 1]) : 0,
    right: x1 < w ? side(y1 - y0, (t) => !m.eqR[(y0 + t) * w + x1 - 1]) : 0,
    top: y0 > 0 ? side(x1 - x0, (t) => !m.eqD[(y0 - 1) * w + x0 + t]) : 0,
    bottom: y1 < m.height ? side(x1 - x0, (t) => !m.eqD[(y1 - 1) * w + x0 + t]) : 0,
  };
}

/** 4-connected groups of strong cells with >= minBlocks cells spanning at least 2x2 cells. */
function seedGroups(cells: (Cell | null)[], ni: number, nj: number, minBlocks: number): Uint8Array {
  const accepted = new Uint8Array(ni * nj), seen = new Uint8Array(ni * nj);
  for (let s = 0; s < cells.length; s++) {
    if (!cells[s]?.strong || seen[s]) continue;
    const group = [s];
    seen[s] = 1;
    let imin = ni, imax = -1, jmin = nj, jmax = -1;
    for (let g = 0; g < group.length; g++) {
      const k = group[g], i = k % ni, j = (k - i) / ni;
      imin = Math.min(imin, i); imax = Math.max(imax, i); jmin = Math.min(jmin, j); jmax = Math.max(jmax, j);
      for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const ii = i + di, jj = j + dj, q = jj * ni + ii;
        if (ii >= 0 && ii < ni && jj >= 0 && jj < nj && !seen[q] && cells[q]?.strong) {
          seen[q] = 1;
          group.push(q);
        }
      }
    }
    if (group.length >= minBlocks && imax > imin && jmax > jmin) for (const k of group) accepted[k] = 1;
  }
  return accepted;
}

/**
 * Accepts constant cells lying between accepted cells (left and right, or above and below, or
 * three sides), until nothing changes: mosaic blocks whose neighbours happen to have the same
 * colour. Requiring opposite neighbours keeps the growth from creeping across flat image areas.
 */
function growEnclosed(cells: (Cell | null)[], accepted: Uint8Array, ni: number, nj: number): void {
  for (let changed = true; changed;) {
    changed = false;
    for (let k = 0; k < cells.length; k++) {
      if (accepted[k] || !cells[k]?.flat) continue;
      const i = k % ni, j = (k - i) / ni;
      const l = i > 0 ? accepted[k - 1] : 0, r = i + 1 < ni ? accepted[k + 1] : 0;
      const t = j > 0 ? accepted[k - ni] : 0, b = j + 1 < nj ? accepted[k + ni] : 0;
      if ((l && r) || (t && b) || l + r + t + b >= 3) {
        accepted[k] = 1;
        changed = true;
      }
    }
  }
}

/**
 * A block only partly under the mosaic mask has a constant part touching the side that
 * faces the accepted neighbour: mark the largest such constant patch when it has at least
 * `minPixels` pixels (textured image content almost never has equal neighbours) and does not
 * continue past the cell's borders (a flat image area would: a mosaic block ends there).
 * Returns whether a patch was marked.
 */
function partialCell(
  m: EqualityMaps, c: Cell, sides: { left: boolean; right: boolean; top: boolean; bottom: boolean }, minPixels: number, out: Uint8Array,
): boolean {
  const w = m.width, cw = c.x1 - c.x0, ch = c.y1 - c.y0;
  const label = new Int32Array(cw * ch).fill(-1);
  let best: number[] = [];
  const seeds: number[] = [];
  for (let t = 0; t < ch; t++) {
    if (sides.left) seeds.push(t * cw);
    if (sides.right) seeds.push(t * cw + cw - 1);
  }
  for (let t = 0; t < cw; t++) {
    if (sides.top) seeds.push(t);
    if (sides.bottom) seeds.push((ch - 1) * cw + t);
  }
  for (const s of seeds) {
    if (label[s] >= 0) continue;
    label[s] = s;
    const patch = [s];
    for (let g = 0; g < patch.length; g++) {
      const q = patch[g], lx = q % cw, ly = (q - lx) / cw, p = (c.y0 + ly) * w + c.x0 + lx;
      const visit = (ok: number, r: number): void => {
        if (ok && label[r] < 0) { label[r] = s; patch.push(r); }
      };
      if (lx + 1 < cw) visit(m.eqR[p], q + 1);
      if (lx > 0) visit(m.eqR[p - 1], q - 1);
      if (ly + 1 < ch) visit(m.eqD[p], q + cw);
      if (ly > 0) visit(m.eqD[p - w], q - cw);
    }
    if (patch.length > best.length) best = patch;
  }
  if (best.length < Math.max(4, minPixels)) return false;
  let crossings = 0, leaks = 0;
  for (const q of best) {
    const lx = q % cw, ly = (q - lx) / cw, x = c.x0 + lx, y = c.y0 + ly, p = y * w + x;
    if (lx === 0 && x > 0) { crossings++; leaks += m.eqR[p - 1]; }
    if (lx === cw - 1 && x + 1 < w) { crossings++; leaks += m.eqR[p]; }
    if (ly === 0 && y > 0) { crossings++; leaks += m.eqD[p - w]; }
    if (ly === ch - 1 && y + 1 < m.height) { crossings++; leaks += m.eqD[p]; }
  }
  if (2 * leaks > crossings) return false;
  for (const q of best) {
    const lx = q % cw, ly = (q - lx) / cw;
    out[(c.y0 + ly) * w + c.x0 + lx] = 1;
  }
  return true;
}
