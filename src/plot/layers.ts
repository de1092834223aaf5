/** SVG for data layers (lines, scatter points, bars) on given axes. */
import type { Axis } from './axes.js';
import { escapeXml, n } from './svg.js';
import type { BarsLayer, Layer, LineLayer, ScatterLayer } from './types.js';

/** Whether v can be drawn on `axis` (finite, and positive on log axes). */
function drawable(v: number, axis: Axis): boolean {
  return Number.isFinite(v) && (!axis.log || v > 0);
}

/**
 * Keeps, per run of points sharing a pixel column, the first, lowest, highest and last point:
 * the drawn line looks the same but a 100k-step loss curve stays a small SVG.
 */
function decimate(pts: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  while (i < pts.length) {
    const col = Math.round(pts[i][0]);
    let j = i;
    let lo = i;
    let hi = i;
    while (j + 1 < pts.length && Math.round(pts[j + 1][0]) === col) {
      j++;
      if (pts[j][1] < pts[lo][1]) lo = j;
      if (pts[j][1] > pts[hi][1]) hi = j;
    }
    for (const k of [...new Set([i, lo, hi, j])].sort((a, b) => a - b)) out.push(pts[k]);
    i = j + 1;
  }
  return out;
}

function lineSvg(l: LineLayer, color: string, xa: Axis, ya: Axis): string {
  const len = Math.min(l.x.length, l.y.length);
  const segments: [number, number][][] = [];
  let cur: [number, number][] = [];
  for (let i = 0; i < len; i++) {
    if (drawable(l.x[i], xa) && drawable(l.y[i], ya)) {
      cur.push([xa.toPx(l.x[i]), ya.toPx(l.y[i])]);
    } else if (cur.length) {
      segments.push(cur);
      cur = [];
    }
  }
  if (cur.length) segments.push(cur);
  const d = segments
    .map((seg) => decimate(seg))
    .map((seg) => (seg.length === 1 ? [seg[0], [seg[0][0] + 0.01, seg[0][1]]] : seg)) // a lone point still shows (round cap)
    .map((seg) => 'M' + seg.map(([x, y]) => `${n(x)} ${n(y)}`).join('L'))
    .join('');
  if (!d) return '';
  const dash = l.dash ? ` stroke-dasharray="${escapeXml(l.dash)}"` : '';
  return `<path d="${d}" fill="none" stroke="${escapeXml(color)}" stroke-width="${n(l.width ?? 2)}" stroke-linejoin="round" stroke-linecap="round"${dash}/>`;
}

function scatterSvg(l: ScatterLayer, color: string, xa: Axis, ya: Axis): string {
  const len = Math.min(l.x.length, l.y.length);
  const r = n(l.radius ?? 3);
  const dots: string[] = [];
  for (let i = 0; i < len; i++) {
    if (drawable(l.x[i], xa) && drawable(l.y[i], ya)) dots.push(`<circle cx="${n(xa.toPx(l.x[i]))}" cy="${n(ya.toPx(l.y[i]))}" r="${r}"/>`);
  }
  return `<g fill="${escapeXml(color)}" fill-opacity="${n(l.opacity ?? 0.8)}">${dots.join('')}</g>`;
}

function barsSvg(l: BarsLayer, color: string, xa: Axis, ya: Axis): string {
  if (l.edges.length !== l.heights.length + 1) {
    throw new Error(`bars layer${l.label ? ` "${l.label}"` : ''}: edges must have heights.length + 1 = ${l.heights.length + 1} values, got ${l.edges.length}`);
  }
  // Bars grow from 0, or from the bottom of a log axis.
  const base = ya.log ? ya.domain[0] : Math.min(Math.max(0, ya.domain[0]), ya.domain[1]);
  const yb = ya.toPx(base);
  const rects: string[] = [];
  for (let i = 0; i < l.heights.length; i++) {
    const a = l.edges[i];
    const b = l.edges[i + 1];
    const h = l.heights[i];
    if (!drawable(a, xa) || !drawable(b, xa) || !drawable(h, ya)) continue;
    const x0 = xa.toPx(Math.min(a, b));
    const x1 = xa.toPx(Math.max(a, b));
    const yh = ya.toPx(h);
    rects.push(`<rect x="${n(x0)}" y="${n(Math.min(yh, yb))}" width="${n(x1 - x0)}" height="${n(Math.abs(yb - yh))}"/>`);
  }
  return `<g fill="${escapeXml(color)}" fill-opacity="${n(l.opacity ?? 0.6)}" stroke="${escapeXml(color)}" stroke-width="0.5">${rects.join('')}</g>`;
}

/** SVG for one layer in the given colour. */
export function layerSvg(layer: Layer, color: string, xa: Axis, ya: Axis): string {
  switch (layer.kind) {
    case 'line':
      return lineSvg(layer, color, xa, ya);
    case 'scatter':
      return scatterSvg(layer, color, xa, ya);
    case 'bars':
      return barsSvg(layer, color, xa, ya);
    default:
      throw new Error(`unknown layer kind ${JSON.stringify((layer as { kind?: unknown }).kind)}`);
  }
}

/** A small legend symbol for a layer, centred at (x, y). */
export function legendSwatch(layer: Layer, color: string, x: number, y: number): string {
  const c = escapeXml(color);
  if (layer.kind === 'line') {
    const dash = layer.dash ? ` stroke-dasharray="${escapeXml(layer.dash)}"` : '';
    return `<line x1="${n(x - 10)}" y1="${n(y)}" x2="${n(x + 10)}" y2="${n(y)}" stroke="${c}" stroke-width="${n(layer.width ?? 2)}"${dash}/>`;
  }
  if (layer.kind === 'scatter') return `<circle cx="${n(x)}" cy="${n(y)}" r="4" fill="${c}"/>`;
  return `<rect x="${n(x - 9)}" y="${n(y - 5)}" width="18" height="10" fill="${c}" fill-opacity="${n(layer.opacity ?? 0.6)}" stroke="${c}"/>`;
}
