/** Whole SVG documents: a single chart, or several charts side by side (panels). */
import { chartBody, chartSize } from './chart-svg.js';
import { escapeXml, FONT_FAMILY, text } from './svg.js';
import type { Figure, PanelsSpec } from './types.js';

/** Whether a figure is a panel grid rather than a single chart. */
export function isPanels(f: Figure): f is PanelsSpec {
  return Array.isArray((f as PanelsSpec).panels);
}

function wrap(width: number, height: number, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
    ` font-family="${escapeXml(FONT_FAMILY)}">${body}</svg>`
  );
}

/** Panel grid: rows are as tall as their tallest chart, columns as wide as their widest. */
function panelsSvg(p: PanelsSpec): { svg: string; width: number; height: number } {
  if (p.panels.length === 0) throw new Error('panels: need at least one chart');
  const cols = p.columns ?? p.panels.length;
  if (!Number.isInteger(cols) || cols < 1) throw new Error(`panels: columns must be a positive integer, got ${cols}`);
  const gap = p.gap ?? 0;
  if (!(gap >= 0)) throw new Error(`panels: gap must be >= 0, got ${gap}`);
  const sizes = p.panels.map(chartSize);
  const rows = Math.ceil(sizes.length / cols);
  const colW = Array.from({ length: cols }, (_, c) => Math.max(0, ...sizes.filter((_, i) => i % cols === c).map((s) => s.width)));
  const rowH = Array.from({ length: rows }, (_, r) => Math.max(0, ...sizes.slice(r * cols, r * cols + cols).map((s) => s.height)));
  const top = p.title ? 34 : 0;
  const width = Math.round(colW.reduce((a, b) => a + b, 0) + gap * (cols - 1));
  const height = Math.round(top + rowH.reduce((a, b) => a + b, 0) + gap * (rows - 1));
  const parts = [`<rect width="${width}" height="${height}" fill="${escapeXml(p.background ?? '#fff')}"/>`];
  if (p.title) parts.push(text(width / 2, 8, p.title, { size: 17, anchor: 'middle', baseline: 'top', weight: 'bold' }));
  p.panels.forEach((chart, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    const x = colW.slice(0, c).reduce((a, b) => a + b, 0) + gap * c;
    const y = top + rowH.slice(0, r).reduce((a, b) => a + b, 0) + gap * r;
    parts.push(`<g transform="translate(${x} ${y})">${chartBody(chart, `p${i}`)}</g>`);
  });
  return { svg: wrap(width, height, parts.join('')), width, height };
}

/** The complete SVG document for a figure, with its pixel size. */
export function figureToSvg(f: Figure): { svg: string; width: number; height: number } {
  if (isPanels(f)) return panelsSvg(f);
  const { width, height } = chartSize(f);
  return { svg: wrap(width, height, chartBody(f)), width, height };
}
