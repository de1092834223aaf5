/**
 * The project's plotting module: charts are built as SVG in TypeScript and rasterized by sharp.
 * Use it for training loss curves, demo plots and benchmark charts.
 *
 * @example
 * await writeChartPng('loss.png', {
 *   title: 'Training loss', xLabel: 'step', yLabel: 'loss', logY: true,
 *   layers: [{ kind: 'line', x: steps, y: lossG, label: 'G' }, { kind: 'line', x: steps, y: lossD, label: 'D' }],
 * });
 */
export type { BarsLayer, ChartSpec, Figure, Layer, LegendPosition, LineLayer, Numbers, PanelsSpec, RgbaImage, ScatterLayer } from './types.js';
export { renderChart, chartToRgba, chartToSvg } from './render.js';
export { writeChartPng } from './write-png.js';
export { encodeGif, writeGif, type GifOptions } from './gif.js';
export { histogram, type Histogram } from './histogram.js';
export { niceStep, linearTicks, logTicks, formatTick } from './ticks.js';
export { escapeXml, PALETTE } from './svg.js';
