/** Data types of the plotting module: what a chart is made of. All sizes are in pixels. */

/** Numbers as a plain array or any typed array. */
export type Numbers = ArrayLike<number>;

/** A polyline through (x[i], y[i]). Non-finite points (and y <= 0 on a log axis) break the line. */
export interface LineLayer {
  kind: 'line';
  x: Numbers;
  y: Numbers;
  /** Legend text; layers without a label are left out of the legend. */
  label?: string;
  /** Any SVG colour (`#1f77b4`, `red`, `rgb(…)`); defaults to the next palette colour. */
  color?: string;
  /** Stroke width, default 2. */
  width?: number;
  /** SVG `stroke-dasharray`, e.g. `"6 4"`. */
  dash?: string;
}

/** Filled circles at (x[i], y[i]). */
export interface ScatterLayer {
  kind: 'scatter';
  x: Numbers;
  y: Numbers;
  label?: string;
  color?: string;
  /** Circle radius, default 3. */
  radius?: number;
  /** Fill opacity in [0, 1], default 0.8. */
  opacity?: number;
}

/** Bars (a histogram): bar i spans [edges[i], edges[i+1]] with height heights[i]. */
export interface BarsLayer {
  kind: 'bars';
  /** Bin edges, length heights.length + 1, increasing. */
  edges: Numbers;
  heights: Numbers;
  label?: string;
  color?: string;
  /** Fill opacity in [0, 1], default 0.6. */
  opacity?: number;
}

export type Layer = LineLayer | ScatterLayer | BarsLayer;

/** Where the legend box goes. */
export type LegendPosition = 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'none';

/** One chart: axes, grid, legend and data layers. */
export interface ChartSpec {
  /** Image width, default 640. */
  width?: number;
  /** Image height, default 420. */
  height?: number;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Fixed x range; default: the data's range. */
  xRange?: [number, number];
  /** Fixed y range; default: the data's range, padded (and including 0 when there are bars). */
  yRange?: [number, number];
  /** Logarithmic y axis (for loss curves); values <= 0 are dropped. */
  logY?: boolean;
  /** Draw grid lines at the ticks, default true. */
  grid?: boolean;
  /** Legend position, default 'top-right'; shown only when some layer has a label. */
  legend?: LegendPosition;
  /** Background colour, default white. */
  background?: string;
  layers: Layer[];
}

/** Several charts in one image, laid out on a grid, left to right then top to bottom. */
export interface PanelsSpec {
  panels: ChartSpec[];
  /** Charts per row, default all in one row. */
  columns?: number;
  /** Space between charts, default 0. */
  gap?: number;
  /** Title over the whole figure. */
  title?: string;
  background?: string;
}

/** Anything the renderer draws: one chart or a panel grid. */
export type Figure = ChartSpec | PanelsSpec;

/** An RGBA raster: 4 bytes per pixel, rows top to bottom. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}
