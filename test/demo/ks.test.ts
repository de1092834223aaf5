import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chiSquareGof, chiSquareSurvival, chiSquareTest, gammaQ, kolmogorovQ, ksTest, logGamma } from '../../src/demo/ks.js';

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('Kolmogorov survival function matches tabulated critical values', () => {
  close(kolmogorovQ(1.2238), 0.1, 1e-4, 'Q(1.2238)');
  close(kolmogorovQ(1.3581), 0.05, 1e-4, 'Q(1.3581)');
  close(kolmogorovQ(1.6276), 0.01, 1e-4, 'Q(1.6276)');
  close(kolmogorovQ(0.5), 0.9639452436648751, 1e-12, 'Q(0.5)');
  // The two series agree where the implementation switches between them.
  const a = 1 - (Math.sqrt(2 * Math.PI) / 1.18) * [1, 3, 5, 7].reduce((s, k) => s + Math.exp(-(k * k * Math.PI * Math.PI) / (8 * 1.18 * 1.18)), 0);
  close(kolmogorovQ(1.18), a, 1e-12, 'Q(1.18)');
  assert.equal(kolmogorovQ(0), 1);
  assert.ok(kolmogorovQ(5) < 1e-20);
});

test('incomplete gamma and chi-square tails match known values', () => {
  close(logGamma(5), Math.log(24), 1e-13, 'lnG(5)');
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-13, 'lnG(0.5)');
  close(logGamma(100), 359.13420536957540, 1e-9, 'lnG(100)');
  close(chiSquareSurvival(3.841458820694124, 1), 0.05, 1e-10, 'chi2 1 dof');
  close(chiSquareSurvival(18.307038053275146, 10), 0.05, 1e-10, 'chi2 10 dof');
  close(chiSquareSurvival(124.34211340400407, 100), 0.05, 1e-9, 'chi2 100 dof');
  close(chiSquareSurvival(3, 2), Math.exp(-1.5), 1e-14, 'chi2 2 dof is exponential');
  close(gammaQ(1, 0.3), Math.exp(-0.3), 1e-14, 'Q(1, x) = e^-x');
  assert.equal(chiSquareSurvival(0, 3), 1);
});

test('ksTest computes D on both sides of each empirical step', () => {
  const uniform = (x: number) => Math.min(1, Math.max(0, x));
  assert.equal(ksTest([0.5], uniform).statistic, 0.5);
  close(ksTest([0.1, 0.2, 0.9], uniform).statistic, 2 / 3 - 0.2, 1e-15, 'D');
  assert.throws(() => ksTest([], uniform), /at least one sample/);
});

test('chiSquareTest merges sparse cells and handles impossible observations', () => {
  const r = chiSquareTest([1, 0, 2, 10, 10], [1, 1, 1, 10, 10]);
  assert.equal(r.cells, 2); // 1 + 1 + 1 < 5, so the first three cells merge into the fourth
  assert.equal(r.statistic, 0);
  assert.equal(r.pValue, 1);
  assert.equal(chiSquareTest([5, 5, 1], [5, 6, 0]).pValue, 0);
  assert.throws(() => chiSquareTest([1, 2], [1, 2, 3]), /2 observed vs 3 expected/);
});

test('chiSquareGof counts the tails outside the edges', () => {
  const uniform = (x: number) => Math.min(1, Math.max(0, x));
  const samples = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
  const fit = chiSquareGof(samples, uniform, [0, 0.25, 0.5, 0.75, 1]);
  assert.ok(fit.statistic < 1e-9 && fit.pValue > 0.99);
  const shifted = chiSquareGof(samples.map((v) => v + 0.1), uniform, [0, 0.25, 0.5, 0.75, 1]);
  assert.ok(shifted.pValue < 1e-6);
});
