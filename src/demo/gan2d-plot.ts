/** Figures of the 2-D GAN demo (drawn with src/plot): real vs generated scatter frames and a summary. */
import type { ChartSpec, LineLayer, PanelsSpec } from '../plot/types.js';
import { PALETTE } from '../plot/index.js';

export type Range2d = { x: [number, number]; y: [number, number] };

/** A square window around all the points, padded by 15% (generated points outside it are clipped). */
export function plotRange(sets: readonly Float32Array[]): Range2d {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const p of sets) {
    for (let i = 0; i + 1 < p.length; i += 2) {
      x0 = Math.min(x0, p[i]);
      x1 = Math.max(x1, p[i]);
      y0 = Math.min(y0, p[i + 1]);
      y1 = Math.max(y1, p[i + 1]);
    }
  }
  if (!(x0 <= x1 && y0 <= y1)) return { x: [-1, 1], y: [-1, 1] };
  const half = 0.575 * Math.max(x1 - x0, y1 - y0, 1e-3);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
}

const xs = (p: Float32Array) => p.filter((_, i) => i % 2 === 0);
const ys = (p: Float32Array) => p.filter((_, i) => i % 2 === 1);

/** Chart size with a square plot box (the margins for title and axis labels differ by 12 px). */
const SIDE = 420;

/** Real (grey) vs generated (coloured) points of one class. */
export function scatterPanel(title: string, real: Float32Array, fake: Float32Array, range: Range2d, color: string): ChartSpec {
  return {
    width: SIDE + 12,
    height: SIDE,
    title,
    xLabel: 'x',
    yLabel: 'y',
    xRange: range.x,
    yRange: range.y,
    legend: 'top-right',
    layers: [
      { kind: 'scatter', x: xs(real), y: ys(real), label: 'real', color: '#8c8c8c', radius: 1.8, opacity: 0.45 },
      { kind: 'scatter', x: xs(fake), y: ys(fake), label: 'generated', color, radius: 1.8, opacity: 0.6 },
    ],
  };
}

const classColor = (c: number) => PALETTE[(c + 1) % PALETTE.length];

function shortLabel(s: string): string {
  return s.length > 32 ? '...' + s.slice(-29) : s;
}

/** One animation frame: a real-vs-generated panel per class, with the step and SWD. */
export function frameFigure(
  labels: string[], reference: Float32Array[], fake: Float32Array[], step: number, steps: number, range: Range2d, swd: number[],
): PanelsSpec {
  return {
    title: `GAN 2-D, step ${step}/${steps}`,
    columns: Math.min(4, labels.length),
    panels: labels.map((l, c) => {
      const title = `${labels.length > 1 ? `class ${c}: ` : ''}${shortLabel(l)}, SWD ${swd[c].toFixed(3)}`;
      return scatterPanel(title, reference[c], fake[c], range, classColor(c));
    }),
  };
}

/** Final points per class, the D and G losses, and the SWD over training. */
export function summaryFigure(
  labels: string[],
  reference: Float32Array[],
  fake: Float32Array[],
  range: Range2d,
  lossD: Float32Array,
  lossG: Float32Array,
  history: { step: number; swd: number[] }[],
): PanelsSpec {
  const steps = Float64Array.from({ length: lossD.length }, (_, i) => i + 1);
  const evalSteps = history.map((h) => h.step);
  const swdLines: LineLayer[] = labels.map((l, c) => ({
    kind: 'line', x: evalSteps, y: history.map((h) => h.swd[c]), label: labels.length > 1 ? `class ${c}` : 'SWD', color: classColor(c),
  }));
  const final = history[history.length - 1];
  const panels: ChartSpec[] = [
    ...labels.map((l, c) => scatterPanel(`${labels.length > 1 ? `class ${c}: ` : ''}${shortLabel(l)} (final)`, reference[c], fake[c], range, classColor(c))),
    {
      width: 520,
      height: SIDE,
      title: 'losses',
      xLabel: 'step',
      yLabel: 'loss',
      legend: 'top-right',
      layers: [
        { kind: 'line', x: steps, y: lossD, label: 'D', color: PALETTE[0], width: 1 },
        { kind: 'line', x: steps, y: lossG, label: 'G', color: PALETTE[1], width: 1 },
      ],
    },
    {
      width: 520,
      height: SIDE,
      title: `sliced Wasserstein to target (final ${final.swd.map((v) => v.toFixed(3)).join(', ')})`,
      xLabel: 'step',
      yLabel: 'SWD',
      logY: true,
      legend: 'top-right',
      layers: swdLines,
    },
  ];
  return { title: `GAN 2-D: ${labels.map(shortLabel).join(' | ')}`, columns: Math.min(4, panels.length), panels };
}
