import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { runCdfDemo } from '../../src/demo/cdf.js';
import { sampleInverseCdf } from '../../src/demo/cdf-sample.js';
import { tabulateDensity } from '../../src/demo/density.js';
import { defaultCdf } from '../../src/demo/density-default.js';
import { resolveDensity } from '../../src/demo/density-source.js';
import { chiSquareGof, ksTest } from '../../src/demo/ks.js';
import { createRng } from '../../src/util/rng.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cdf-demo-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const edges60 = Array.from({ length: 61 }, (_, i) => -3 + i * 0.1);

test('10000 samples of the default density pass KS and chi-square at level 0.01, and the PNG is written', async () => {
  const out = join(dir, 'sub', 'demo-cdf.png');
  const r = await runCdfDemo({ n: 10000, bins: 60, seed: 1, out });
  assert.ok(r.ks.pValue > 0.01, `KS D=${r.ks.statistic} p=${r.ks.pValue}`);
  assert.ok(r.chiSquare.pValue > 0.01, `chi2=${r.chiSquare.statistic} dof=${r.chiSquare.dof} p=${r.chiSquare.pValue}`);
  assert.ok(r.chiSquare.dof >= 50, `dof ${r.chiSquare.dof}`);
  assert.ok(r.min >= -3 && r.max <= 3);
  assert.ok(Math.abs(r.sampleMean - r.mean) < 4 * (r.std / 100), `mean ${r.sampleMean} vs ${r.mean}`);
  const meta = await sharp(out).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 1120); // two 560-px panels
});

test('a wrong density fails the KS test (and chi-square)', async () => {
  // Same support and total mass, but the left part flat instead of a staircase.
  const wrong = tabulateDensity((x) => (x < 0 ? 2 / 3 : 0.5 * Math.cos(Math.PI * x) + 0.5), -3, 3, 2001, { label: 'flat-left' });
  const samples = sampleInverseCdf(wrong, 10000, createRng(1));
  const ks = ksTest(samples, defaultCdf);
  assert.ok(ks.pValue < 0.01, `KS should reject: D=${ks.statistic} p=${ks.pValue}`);
  assert.ok(chiSquareGof(samples, defaultCdf, edges60).pValue < 0.01);
  // And samples of the right density tested against a uniform law are rejected too.
  const right = sampleInverseCdf(await resolveDensity(undefined), 10000, createRng(2));
  assert.ok(ksTest(right, (x) => Math.min(1, Math.max(0, (x + 3) / 6))).pValue < 0.01);
});

test('KS p-values are calibrated: roughly uniform over seeds for the true density', async () => {
  const d = await resolveDensity(undefined);
  const ps = Array.from({ length: 40 }, (_, seed) => ksTest(sampleInverseCdf(d, 1000, createRng(100 + seed)), defaultCdf).pValue);
  const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
  assert.ok(mean > 0.35 && mean < 0.65, `mean p ${mean}`);
  assert.ok(ps.filter((p) => p < 0.01).length <= 3, `rejections ${ps.filter((p) => p < 0.01).length}`);
});

test('no samples where the density is zero (flat CDF segments)', async () => {
  const d = await resolveDensity('max(0, abs(x) - 1)', { grid: 601 }); // zero on [-1, 1]
  const samples = sampleInverseCdf(d, 20000, createRng(5));
  const h = 6 / 600;
  for (const v of samples) assert.ok(Math.abs(v) >= 1 - 1e-9, `sample ${v} inside the zero region`);
  assert.ok(ksTest(samples, d.cdfAt).pValue > 0.01);
  // Uniform draws that land exactly on a flat CDF level map past the flat part.
  const mid = d.cdf[300];
  const fixed = sampleInverseCdf(d, 3, { random: (() => { const us = [0, mid, 1 - 2 ** -32]; let i = 0; return () => us[i++]; })() });
  assert.ok(fixed[0] >= -3 && fixed[0] < -3 + h);
  assert.ok(fixed[1] >= 1 - 1e-9, `u on the flat level gave ${fixed[1]}`);
  assert.ok(fixed[2] <= 3 && fixed[2] > 3 - h);
  assert.throws(() => sampleInverseCdf(d, 1, { random: () => 1 }), /\[0, 1\)/);
});

test('sampling is reproducible from the seed', async () => {
  const d = await resolveDensity('exp(-x^2/2)', { grid: 801 });
  assert.deepEqual(sampleInverseCdf(d, 50, createRng(9)), sampleInverseCdf(d, 50, createRng(9)));
  assert.notDeepEqual(sampleInverseCdf(d, 50, createRng(9)), sampleInverseCdf(d, 50, createRng(10)));
});

test('runCdfDemo reports bad input clearly and writes nothing', async () => {
  const out = join(dir, 'bad.png');
  await assert.rejects(runCdfDemo({ pdf: 'sin(', out }), /invalid expression "sin\("/);
  await assert.rejects(runCdfDemo({ n: 0, out }), /n must be a positive integer/);
  await assert.rejects(sharp(out).metadata());
});
