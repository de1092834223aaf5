/** Rasterizes figures with sharp (librsvg): to PNG bytes, or to raw RGBA for GIF frames. */
import sharp from 'sharp';
import { figureToSvg } from './figure-svg.js';
import type { Figure, RgbaImage } from './types.js';

/** sharp for our own SVG; `unlimited` lifts librsvg's size guard for big scatter plots (the input is trusted). */
function load(svg: string) {
  return sharp(Buffer.from(svg, 'utf8'), { unlimited: true });
}

/** Renders a chart (or panel grid) to PNG bytes of exactly the spec's size. */
export async function renderChart(spec: Figure): Promise<Buffer> {
  const { svg } = figureToSvg(spec);
  return load(svg).png({ compressionLevel: 6 }).toBuffer();
}

/** Renders a chart (or panel grid) to an RGBA raster, e.g. one frame of a GIF ({@link writeGif}). */
export async function chartToRgba(spec: Figure): Promise<RgbaImage> {
  const { svg, width, height } = figureToSvg(spec);
  const { data, info } = await load(svg).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 4) {
    throw new Error(`chartToRgba: expected ${width}x${height}x4, sharp gave ${info.width}x${info.height}x${info.channels}`);
  }
  return { width, height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** The SVG source of a figure (for debugging, or for embedding in HTML reports). */
export function chartToSvg(spec: Figure): string {
  return figureToSvg(spec).svg;
}
