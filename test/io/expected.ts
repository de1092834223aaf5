/** Compares loaded tensors with tools/fixtures/make_pth.py's expected.json entries, exactly. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { HostTensor } from '../../src/io/host-tensor.js';

export const FIXTURES = new URL('../fixtures/io/', import.meta.url);

export interface Expected {
  dtype: string;
  shape: number[];
  values: (number | string)[];
}

export function loadExpected(file: string): Record<string, Expected> {
  const all = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as Record<string, Record<string, Expected>>;
  return all[file];
}

/** Values as expected.json writes them: int64 as decimal strings, everything else as numbers. */
export function plainValues(t: HostTensor): (number | string)[] {
  return t.data instanceof BigInt64Array ? Array.from(t.data, String) : Array.from(t.data as ArrayLike<number>);
}

export function assertTensorsMatch(got: Map<string, HostTensor>, want: Record<string, Expected>): void {
  assert.deepEqual([...got.keys()].sort(), Object.keys(want).sort());
  for (const [name, w] of Object.entries(want)) {
    const t = got.get(name)!;
    assert.equal(t.dtype, w.dtype, `${name} dtype`);
    assert.deepEqual(t.shape, w.shape, `${name} shape`);
    assert.deepEqual(plainValues(t), w.values, `${name} values`);
  }
}
