import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { chartToRgba, chartToSvg, renderChart, type ChartSpec } from '../../src/plot/index.js';

/** Bounding box of pixels close to an RGB colour. */
function findColor(img: { width: number; height: number; rgba: Uint8Array }, rgb: [number, number, number], tol = 40) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, count = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = 4 * (y * img.width + x);
      if (Math.abs(img.rgba[i] - rgb[0]) + Math.abs(img.rgba[i + 1] - rgb[1]) + Math.abs(img.rgba[i + 2] - rgb[2]) <= tol) {
        count++;
        minX = Math.min(minX, x); maxX = Math.max(maxX, x);
        minY = Math.min(minY, y); maxY = Math.max(maxY, y);
      }
    }
  }
  return { count, minX, minY, maxX, maxY };
}

test('renderChart gives a PNG of the requested size', async () => {
  const png = await renderChart({ width: 320, height: 200, title: 'size', layers: [{ kind: 'line', x: [0, 1, 2], y: [1, 4, 9], label: 'sq' }] });
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 320);
  assert.equal(meta.height, 200);
});

test('a red line at y=0.75 is drawn across the upper part of the plot, a blue dot lower left', async () => {
  const spec: ChartSpec = {
    width: 400, height: 300, xRange: [0, 1], yRange: [0, 1], grid: false, legend: 'none',
    layers: [
      { kind: 'line', x: [0, 1], y: [0.75, 0.75], color: '#ff0000', width: 4 },
      { kind: 'scatter', x: [0.25], y: [0.25], color: '#0000ff', radius: 6, opacity: 1 },
    ],
  };
  const img = await chartToRgba(spec);
  assert.equal(img.rgba.length, 400 * 300 * 4);
  const red = findColor(img, [255, 0, 0]);
  assert.ok(red.count > 500, `red pixels: ${red.count}`);
  assert.ok(red.maxX - red.minX > 0.75 * 400, `red spans x ${red.minX}..${red.maxX}`);
  assert.ok(red.maxY - red.minY <= 6, `red line is thin: rows ${red.minY}..${red.maxY}`);
  assert.ok(red.minY > 0.15 * 300 && red.maxY < 0.4 * 300, `red line rows ${red.minY}..${red.maxY} should be about a quarter down`);
  const blue = findColor(img, [0, 0, 255]);
  assert.ok(blue.count > 50, `blue pixels: ${blue.count}`);
  assert.ok(blue.maxX < 200 && blue.minY > 150, `blue dot at x ${blue.minX}..${blue.maxX}, y ${blue.minY}..${blue.maxY}`);
});

test('bars fill their bins from zero', async () => {
  const img = await chartToRgba({ width: 300, height: 200, grid: false, legend: 'none', layers: [{ kind: 'bars', edges: [0, 1, 2], heights: [0, 2], color: '#00ff00', opacity: 1 }] });
  const green = findColor(img, [0, 255, 0]);
  assert.ok(green.count > 1000);
  assert.ok(green.minX > 150, `only the right bin has height, green starts at x=${green.minX}`);
});

test('panels sit side by side, with room for the figure title', async () => {
  const png = await renderChart({
    title: 'two panels',
    gap: 10,
    panels: [
      { width: 300, height: 200, layers: [{ kind: 'line', x: [0, 1], y: [0, 1] }] },
      { width: 250, height: 240, layers: [{ kind: 'bars', edges: [0, 1, 2], heights: [3, 1] }] },
    ],
  });
  const meta = await sharp(png).metadata();
  assert.equal(meta.width, 300 + 10 + 250);
  assert.ok(meta.height! >= 240 && meta.height! < 300, `height ${meta.height}`);
});

test('log-y drops non-positive values and puts ticks at decades', async () => {
  const spec: ChartSpec = { logY: true, layers: [{ kind: 'line', x: [0, 1, 2, 3, 4], y: [100, 10, 0, -1, 0.01], label: 'loss' }] };
  const svg = chartToSvg(spec);
  for (const t of ['>100<', '>10<', '>1<', '>0.1<', '>0.01<']) assert.ok(svg.includes(t), `tick label ${t}`);
  const meta = await sharp(await renderChart(spec)).metadata();
  assert.equal(meta.width, 640);
});

test('text is escaped; odd titles and empty layers still render', async () => {
  const spec: ChartSpec = { title: `a <b> & "c" 'd' \u0001`, xLabel: '</svg>', layers: [{ kind: 'line', x: [], y: [], label: '<&>' }] };
  const svg = chartToSvg(spec);
  assert.ok(svg.includes('a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;'));
  assert.ok(!svg.includes('\u0001'));
  assert.equal((svg.match(/<\/svg>/g) ?? []).length, 1);
  const meta = await sharp(await renderChart(spec)).metadata();
  assert.equal(meta.height, 420);
});

test('the renderer draws text (a font is available)', async () => {
  const blank = await chartToRgba({ width: 300, height: 120, grid: false, legend: 'none', xRange: [0, 1], yRange: [0, 1], layers: [] });
  const titled = await chartToRgba({ width: 300, height: 120, grid: false, legend: 'none', xRange: [0, 1], yRange: [0, 1], title: 'HELLO WORLD', layers: [] });
  let diff = 0;
  for (let i = 0; i < blank.rgba.length; i += 4) if (blank.rgba[i] !== titled.rgba[i]) diff++;
  assert.ok(diff > 50, `title changed ${diff} pixels`);
});

test('bad specs fail with clear errors', async () => {
  await assert.rejects(renderChart({ width: 0, layers: [] }), /width must be an integer/);
  await assert.rejects(renderChart({ xRange: [1, 1], layers: [] }), /xRange must be/);
  await assert.rejects(renderChart({ logY: true, yRange: [0, 1], layers: [] }), /positive on a log axis/);
  await assert.rejects(renderChart({ layers: [{ kind: 'bars', edges: [0, 1], heights: [1, 2] }] }), /edges must have/);
});

test('long series stay small: a 100k-point loss curve is decimated per pixel column', async () => {
  const x = Array.from({ length: 100000 }, (_, i) => i);
  const y = x.map((i) => 1 / (1 + i / 1000) * (1 + 0.3 * Math.sin(i)));
  const svg = chartToSvg({ width: 400, height: 300, logY: true, layers: [{ kind: 'line', x, y }] });
  assert.ok(svg.length < 60000, `svg is ${svg.length} chars`);
  const meta = await sharp(await renderChart({ width: 400, height: 300, logY: true, layers: [{ kind: 'line', x, y }] })).metadata();
  assert.equal(meta.width, 400);
});
