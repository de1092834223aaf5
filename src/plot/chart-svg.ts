/** Lays out one chart (frame, grid, ticks, labels, layers, legend) as SVG markup. */
import { makeAxis, xDomain, yDomain } from './axes.js';
import { legendSwatch, layerSvg } from './layers.js';
import { escapeXml, n, PALETTE, text, textWidth } from './svg.js';
import { formatTick } from './ticks.js';
import type { ChartSpec, Layer } from './types.js';

export const DEFAULT_WIDTH = 640;
export const DEFAULT_HEIGHT = 420;

/** Chart size after defaults, validated. */
export function chartSize(spec: ChartSpec): { width: number; height: number } {
  const width = spec.width ?? DEFAULT_WIDTH;
  const height = spec.height ?? DEFAULT_HEIGHT;
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 16384) throw new Error(`chart ${name} must be an integer in [16, 16384], got ${v}`);
  }
  return { width, height };
}

function checkRange(name: string, r: [number, number] | undefined, log: boolean): void {
  if (!r) return;
  if (!(Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] < r[1])) {
    throw new Error(`${name} must be two finite numbers [lo, hi] with lo < hi, got [${r.join(', ')}]`);
  }
  if (log && r[0] <= 0) throw new Error(`${name} must be positive on a log axis, got [${r.join(', ')}]`);
}

function legendSvg(layers: Layer[], colors: string[], spec: ChartSpec, box: { x0: number; x1: number; y0: number; y1: number }): string {
  const pos = spec.legend ?? 'top-right';
  const items = layers.map((l, i) => ({ l, c: colors[i] })).filter(({ l }) => l.label);
  if (pos === 'none' || items.length === 0) return '';
  const size = 11;
  const rowH = 16;
  const w = 36 + Math.max(...items.map(({ l }) => textWidth(l.label!, size)));
  const h = items.length * rowH + 8;
  const x = pos.endsWith('left') ? box.x0 + 8 : box.x1 - 8 - w;
  const y = pos.startsWith('top') ? box.y0 + 8 : box.y1 - 8 - h;
  const rows = items.map(({ l, c }, i) => {
    const cy = y + 4 + rowH * i + rowH / 2;
    return legendSwatch(l, c, x + 16, cy) + text(x + 32, cy, l.label!, { size, baseline: 'middle' });
  });
  return `<g><rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="#fff" fill-opacity="0.85" stroke="#bbb" rx="3"/>${rows.join('')}</g>`;
}

/**
 * SVG elements of one chart drawn in the box [0, width] x [0, height] (no `<svg>` root), so that
 * panels can place several charts in one document. `id` keeps clip-path ids unique per panel.
 */
export function chartBody(spec: ChartSpec, id = 'c0'): string {
  const { width, height } = chartSize(spec);
  const log = spec.logY === true;
  checkRange('xRange', spec.xRange, false);
  checkRange('yRange', spec.yRange, log);
  const yd = yDomain(spec);
  const xd = xDomain(spec);

  // Margins leave room for the title, tick labels and axis labels.
  const box = { x0: spec.yLabel ? 70 : 56, x1: width - 28, y0: spec.title ? 36 : 14, y1: height - (spec.xLabel ? 50 : 32) };
  if (box.x1 - box.x0 < 8 || box.y1 - box.y0 < 8) throw new Error(`chart ${width}x${height} is too small for its axes`);
  const xa = makeAxis(xd, box.x0, box.x1, false, Math.max(2, Math.round((box.x1 - box.x0) / 70)));
  const ya = makeAxis(yd, box.y1, box.y0, log, Math.max(2, Math.round((box.y1 - box.y0) / 55)));

  const parts: string[] = [`<rect width="${width}" height="${height}" fill="${escapeXml(spec.background ?? '#fff')}"/>`];
  if (spec.grid !== false) {
    const g = [
      ...xa.ticks.map((t) => `M${n(xa.toPx(t))} ${box.y0}V${box.y1}`),
      ...ya.ticks.map((t) => `M${box.x0} ${n(ya.toPx(t))}H${box.x1}`),
    ].join('');
    if (g) parts.push(`<path d="${g}" stroke="#e3e3e3" stroke-width="1" fill="none"/>`);
  }
  const colors = spec.layers.map((l, i) => l.color ?? PALETTE[i % PALETTE.length]);
  parts.push(
    `<clipPath id="${id}-clip"><rect x="${box.x0}" y="${box.y0}" width="${box.x1 - box.x0}" height="${box.y1 - box.y0}"/></clipPath>`,
    `<g clip-path="url(#${id}-clip)">${spec.layers.map((l, i) => layerSvg(l, colors[i], xa, ya)).join('')}</g>`,
    `<rect x="${box.x0}" y="${box.y0}" width="${box.x1 - box.x0}" height="${box.y1 - box.y0}" fill="none" stroke="#444" stroke-width="1"/>`,
  );
  const tickMarks = [
    ...xa.ticks.map((t) => `M${n(xa.toPx(t))} ${box.y1}v5`),
    ...ya.ticks.map((t) => `M${box.x0} ${n(ya.toPx(t))}h-5`),
  ].join('');
  if (tickMarks) parts.push(`<path d="${tickMarks}" stroke="#444" stroke-width="1"/>`);
  for (const t of xa.ticks) parts.push(text(xa.toPx(t), box.y1 + 8, formatTick(t, xa.step), { size: 11, anchor: 'middle', baseline: 'top' }));
  for (const t of ya.ticks) parts.push(text(box.x0 - 8, ya.toPx(t), formatTick(t, ya.step), { size: 11, anchor: 'end', baseline: 'middle' }));
  const cx = (box.x0 + box.x1) / 2;
  if (spec.title) parts.push(text(width / 2, 10, spec.title, { size: 15, anchor: 'middle', baseline: 'top', weight: 'bold' }));
  if (spec.xLabel) parts.push(text(cx, height - 10, spec.xLabel, { size: 12, anchor: 'middle' }));
  if (spec.yLabel) parts.push(text(16, (box.y0 + box.y1) / 2, spec.yLabel, { size: 12, anchor: 'middle', baseline: 'top', rotate: -90 }));
  parts.push(legendSvg(spec.layers, colors, spec, box));
  return parts.join('');
}
