import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floatTensor } from '../../src/io/host-tensor.js';
import { checkStateDict } from '../../src/io/state-check.js';

const expected = new Map<string, number[]>([
  ['conv.weight', [4, 3, 3, 3]],
  ['conv.bias', [4]],
  ['fc.weight', [2, 4]],
  ['fc.bias', [2]],
]);

test('a matching state dict passes', () => {
  const got = new Map([...expected].map(([k, s]) => [k, floatTensor(s)]));
  assert.doesNotThrow(() => checkStateDict(expected, got, 'ok.pth'));
});

test('one error lists missing, unexpected and mismatched names and the source', () => {
  const got = new Map([
    ['conv.weight', floatTensor([4, 3, 5, 5])],
    ['conv.bias', floatTensor([4])],
    ['fc.weight', floatTensor([4, 2])],
    ['extra.running_mean', floatTensor([4])],
  ]);
  assert.throws(() => checkStateDict(expected, got, 'ckpt/latest_net_G.pth'), (err: Error) => {
    const m = err.message;
    assert.match(m, /^state dict from ckpt\/latest_net_G\.pth does not match the model:/);
    assert.match(m, /missing keys \(1\): fc\.bias/);
    assert.match(m, /unexpected keys \(1\): extra\.running_mean/);
    assert.match(m, /conv\.weight: expected \[4, 3, 3, 3\] got \[4, 3, 5, 5\]/);
    assert.match(m, /fc\.weight: expected \[2, 4\] got \[4, 2\]/);
    assert.doesNotMatch(m, /hint/);
    return true;
  });
});

test('hints at stripModulePrefix for DataParallel checkpoints', () => {
  const got = new Map([...expected].map(([k, s]) => [`module.${k}`, floatTensor(s)]));
  assert.throws(() => checkStateDict(expected, got, 'dp.pth'), /missing keys \(4\)[^]*hint: keys start with 'module\.'/);
});
