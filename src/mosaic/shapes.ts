// Region shapes rasterised into masks. A pixel belongs to a shape when its centre
// (x + 0.5, y + 0.5) does, so shapes tile without gaps or double-covered pixels.
import { createMask, type Box, type Mask } from './mask.js';

export type Point = [number, number];

/** Adds the rectangle (clipped to the mask) to `mask`; returns `mask`. */
export function fillRect(mask: Mask, box: Box): Mask {
  const x0 = Math.max(0, Math.round(box.x)), y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(mask.width, Math.round(box.x + box.w)), y1 = Math.min(mask.height, Math.round(box.y + box.h));
  for (let y = y0; y < y1; y++) mask.data.fill(1, y * mask.width + x0, y * mask.width + Math.max(x0, x1));
  return mask;
}

/** Adds the polygon to `mask` with the even-odd rule (self-intersections and holes follow it); returns `mask`. */
export function fillPolygon(mask: Mask, points: readonly Point[]): Mask {
  if (points.length < 3) throw new Error(`polygon needs at least 3 points, got ${points.length}`);
  const xs: number[] = [];
  for (let y = 0; y < mask.height; y++) {
    const yc = y + 0.5;
    xs.length = 0;
    for (let i = 0; i < points.length; i++) {
      const [ax, ay] = points[i];
      const [bx, by] = points[(i + 1) % points.length];
      // Half-open in y so a vertex on the scanline is counted once.
      if ((ay <= yc && yc < by) || (by <= yc && yc < ay)) xs.push(ax + ((yc - ay) / (by - ay)) * (bx - ax));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k] - 0.5));
      const to = Math.min(mask.width, Math.ceil(xs[k + 1] - 0.5));
      if (to > from) mask.data.fill(1, y * mask.width + from, y * mask.width + to);
    }
  }
  return mask;
}

/** Adds the axis-aligned ellipse with centre (cx, cy) and radii rx, ry to `mask`; returns `mask`. */
export function fillEllipse(mask: Mask, cx: number, cy: number, rx: number, ry: number): Mask {
  if (!(rx > 0 && ry > 0)) throw new Error(`ellipse radii must be positive, got ${rx},${ry}`);
  const y0 = Math.max(0, Math.floor(cy - ry)), y1 = Math.min(mask.height, Math.ceil(cy + ry));
  const x0 = Math.max(0, Math.floor(cx - rx)), x1 = Math.min(mask.width, Math.ceil(cx + rx));
  for (let y = y0; y < y1; y++) {
    const dy = (y + 0.5 - cy) / ry;
    for (let x = x0; x < x1; x++) {
      const dx = (x + 0.5 - cx) / rx;
      if (dx * dx + dy * dy <= 1) mask.data[y * mask.width + x] = 1;
    }
  }
  return mask;
}

/**
 * A free-form blob outline: a closed polygon around (cx, cy) whose radius r is modulated
 * by a few random low-frequency sines (so it stays star-shaped and never self-intersects).
 */
export function blobPolygon(rng: { random(): number }, cx: number, cy: number, r: number, vertices = 32): Point[] {
  const harmonics = [1, 2, 3, 4].map((k) => ({ k, amp: ((rng.random() * 2 - 1) * 0.35) / k, phase: rng.random() * 2 * Math.PI }));
  const aspect = 0.6 + rng.random() * 0.8;
  const pts: Point[] = [];
  for (let i = 0; i < vertices; i++) {
    const t = (i / vertices) * 2 * Math.PI;
    let s = 1;
    for (const h of harmonics) s += h.amp * Math.sin(h.k * t + h.phase);
    const rr = r * Math.max(0.25, s);
    pts.push([cx + rr * Math.cos(t) * aspect, cy + (rr * Math.sin(t)) / aspect]);
  }
  return pts;
}

/** Parses "x,y,w,h" (numbers, w and h > 0). */
export function parseBox(text: string): Box {
  const v = text.split(',').map((s) => Number(s.trim()));
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n)) || v[2] <= 0 || v[3] <= 0) {
    throw new Error(`bad box "${text}": expected x,y,w,h with w,h > 0`);
  }
  return { x: v[0], y: v[1], w: v[2], h: v[3] };
}

/** Parses "x1,y1 x2,y2 x3,y3 ..." (at least 3 points). */
export function parsePolygon(text: string): Point[] {
  const pts = text.trim().split(/\s+/).map((pair): Point => {
    const v = pair.split(',').map(Number);
    if (v.length !== 2 || v.some((n) => !Number.isFinite(n))) throw new Error(`bad polygon "${text}": point "${pair}" is not x,y`);
    return [v[0], v[1]];
  });
  if (pts.length < 3) throw new Error(`bad polygon "${text}": needs at least 3 points`);
  return pts;
}

/** Parses "cx,cy,rx,ry" (radii > 0). */
export function parseEllipse(text: string): [number, number, number, number] {
  const v = text.split(',').map((s) => Number(s.trim()));
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n)) || v[2] <= 0 || v[3] <= 0) {
    throw new Error(`bad ellipse "${text}": expected cx,cy,rx,ry with rx,ry > 0`);
  }
  return [v[0], v[1], v[2], v[3]];
}

/** A mask of the given size holding one rectangle. */
export function rectMask(width: number, height: number, box: Box): Mask {
  return fillRect(createMask(width, height), box);
}
