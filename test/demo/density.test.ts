import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gridCdfAt, gridMoments, tabulateDensity } from '../../src/demo/density.js';
import { parseDensityCsv } from '../../src/demo/density-csv.js';
import { defaultCdf, defaultPdf } from '../../src/demo/density-default.js';
import { resolveDensity } from '../../src/demo/density-source.js';

let dir = '';
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the default density is the stated formula, normalized by 3.5', () => {
  const formula = (x: number) => (x < 0 ? Math.round(x + 3.5) / 3 : 0.5 * Math.cos(Math.PI * x) + 0.5);
  for (const x of [-3, -2.7, -2, -1.5, -1, -0.2, 0, 0.3, 1, 1.7, 2, 3]) {
    assert.ok(Math.abs(defaultPdf(x) - formula(x) / 3.5) < 1e-15, `x=${x}`);
  }
  assert.equal(defaultPdf(-2.5), 1 / 3 / 3.5);
  assert.equal(defaultPdf(-0.5), 1 / 3.5);
  assert.equal(defaultPdf(0), 1 / 3.5);
  assert.ok(Math.abs(defaultPdf(1)) < 1e-16);
  assert.equal(defaultPdf(-3.01), 0);
  assert.equal(defaultPdf(3.01), 0);
});

test('the default density integrates to 1, and its CDF is the integral', () => {
  // Midpoint rule on a fine grid: independent of the tabulation code.
  const m = 600000;
  const h = 6 / m;
  let total = 0;
  for (let i = 0; i < m; i++) {
    total += defaultPdf(-3 + (i + 0.5) * h) * h;
    if (i % 100000 === 99999) {
      const x = -3 + (i + 1) * h;
      assert.ok(Math.abs(defaultCdf(x) - total) < 1e-6, `cdf(${x}) = ${defaultCdf(x)}, integral ${total}`);
    }
  }
  assert.ok(Math.abs(total - 1) < 1e-9, `integral ${total}`);
  assert.equal(defaultCdf(-3), 0);
  assert.equal(defaultCdf(3), 1);
  assert.ok(Math.abs(defaultCdf(0) - 2 / 3.5) < 1e-15);
});

test('tabulation: grid density integrates to 1 and matches the exact CDF', async () => {
  const d = await resolveDensity(undefined);
  assert.equal(d.x.length, 2001);
  assert.equal(d.x[0], -3);
  assert.equal(d.x[2000], 3);
  assert.equal(d.cdf[2000], 1);
  for (const x of [-2.5, -1.2, 0, 0.5, 2.2]) {
    assert.ok(Math.abs(gridCdfAt(d, x) - defaultCdf(x)) < 2e-4, `x=${x}`);
    assert.equal(d.cdfAt(x), defaultCdf(x)); // exact CDF is used for testing
  }
  const { mean } = gridMoments(d);
  assert.ok(Math.abs(mean - -0.0527) < 1e-3, `mean ${mean}`);
});

test('expression densities are checked: negative, non-finite, zero total', async () => {
  const d = await resolveDensity('exp(-x^2/2)', { grid: 501 });
  assert.ok(Math.abs(gridCdfAt(d, 0) - 0.5) < 1e-9);
  await assert.rejects(resolveDensity('x'), /pdf "x": density is negative at x=-3/);
  await assert.rejects(resolveDensity('1/abs(x)', { grid: 3 }), /density is not finite at x=0/);
  await assert.rejects(resolveDensity('0*x'), /integrates to 0/);
  await assert.rejects(resolveDensity('2 x'), /invalid expression "2 x" at column 3/);
  assert.throws(() => tabulateDensity(() => 1, 0, 1, 1, { label: 't' }), /grid needs/);
});

test('CSV: header optional, comments, linear interpolation', async () => {
  dir = await mkdtemp(join(tmpdir(), 'density-csv-'));
  const path = join(dir, 'tri.csv');
  await writeFile(path, 'x,density\n# a triangle\n0,0\n1,2\n\n2,0\n');
  const d = await resolveDensity(path, { grid: 2001 });
  assert.equal(d.lo, 0);
  assert.equal(d.hi, 2);
  assert.ok(Math.abs(gridCdfAt(d, 1) - 0.5) < 1e-12);
  assert.ok(Math.abs(gridCdfAt(d, 0.5) - 0.125) < 1e-6);
  // A file without a CSV extension is read when the argument is not an expression.
  const plain = join(dir, 'density-points');
  await writeFile(plain, '0,1\n1,1\n');
  assert.equal((await resolveDensity(plain)).hi, 1);
  const noHeader = parseDensityCsv('0;1\n1;1\n', 'semi.csv');
  assert.deepEqual(noHeader.x, [0, 1]);
});

test('CSV errors name the file and line', async () => {
  const bad: [string, RegExp][] = [
    ['x,p\n0,1\n1,abc\n', /^bad\.csv:3: expected two numbers "x,density", got "1,abc"$/],
    ['0,1\nx,p\n', /^bad\.csv:2: expected two numbers/],
    ['0,1\n1,2,3\n', /^bad\.csv:2: expected two numbers/],
    ['0,1\n1,-0.5\n2,1\n', /^bad\.csv:2: density must be >= 0, got -0\.5$/],
    ['0,1\n2,1\n1,1\n', /^bad\.csv:3: x values must be strictly increasing, got 1 after 2$/],
    ['0,1\n1e999,1\n', /^bad\.csv:2: values must be finite/],
    ['0,0\n1,0\n2,0\n', /^bad\.csv: density integrates to 0 over \[0, 2\]/],
    ['x,density\n0,1\n', /^bad\.csv: need at least 2 data rows/],
  ];
  for (const [text, re] of bad) {
    assert.throws(() => parseDensityCsv(text, 'bad.csv'), (err: Error) => (assert.match(err.message, re, JSON.stringify(text)), true));
  }
  await assert.rejects(resolveDensity('/nonexistent/dir/p.csv'), /cannot read density CSV \/nonexistent\/dir\/p\.csv: ENOENT/);
});
