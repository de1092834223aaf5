import assert from 'node:assert/strict';

/** Largest |a - b| relative to the reference's scale: max|a-b| / max(1, max|b|). */
export function relMaxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length, `length ${actual.length} != ${expected.length}`);
  let err = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return err / scale;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  const e = relMaxError(actual, expected);
  assert.ok(e <= tol, `${what}: relative max error ${e.toExponential(2)} > ${tol}`);
}
