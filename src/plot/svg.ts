/** Small SVG string helpers: escaping, number formatting, text elements. */

/** Font stack for all text; ends in the generic family so any installed sans font is used. */
export const FONT_FAMILY = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";

/** Default series colours (matplotlib's tab10), used in layer order. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * Escapes text for SVG content and attribute values. Also drops control characters that XML 1.0
 * forbids, since librsvg rejects the whole document on them.
 */
export function escapeXml(text: string): string {
  return String(text)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate with at most 2 decimals: keeps SVGs for long series small. */
export function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export interface TextOptions {
  size?: number;
  anchor?: 'start' | 'middle' | 'end';
  /** Vertical alignment relative to y (approximated with dy, which librsvg honours). */
  baseline?: 'top' | 'middle' | 'bottom';
  weight?: 'normal' | 'bold';
  color?: string;
  /** Rotation in degrees about (x, y). */
  rotate?: number;
}

/** A `<text>` element with escaped content. */
export function text(x: number, y: number, content: string, o: TextOptions = {}): string {
  const size = o.size ?? 12;
  const dy = o.baseline === 'top' ? size * 0.8 : o.baseline === 'middle' ? size * 0.35 : 0;
  const rot = o.rotate ? ` transform="rotate(${n(o.rotate)} ${n(x)} ${n(y)})"` : '';
  return (
    `<text x="${n(x)}" y="${n(y)}" dy="${n(dy)}" font-size="${n(size)}" text-anchor="${o.anchor ?? 'start'}"` +
    ` font-weight="${o.weight ?? 'normal'}" fill="${escapeXml(o.color ?? '#222')}"${rot}>${escapeXml(content)}</text>`
  );
}

/** Rough rendered width of `s` (average glyph is ~0.6 em in common sans fonts); used for layout only. */
export function textWidth(s: string, size: number): number {
  return s.length * size * 0.6;
}
