// Learning-rate schedules equal the reference's formulas; snake_case options are accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LrScheduler } from '../../src/train/scheduler.js';
import { normalizeArgv } from '../../src/cli/aliases.js';

const base = { lr: 0.0002, nEpochs: 100, nEpochsDecay: 100, epochCount: 1, lrDecayIters: 50 };

test('linear: constant for n_epochs, then linear decay to 0 over n_epochs_decay (reference lambda_rule)', () => {
  const s = new LrScheduler({ ...base, policy: 'linear' });
  const rule = (e: number) => 0.0002 * (1 - Math.max(0, e + 1 - 100) / 101);
  for (const e of [1, 50, 99, 100, 101, 150, 200]) assert.ok(Math.abs(s.rateAt(e) - rule(e)) < 1e-12, `epoch ${e}`);
  assert.equal(s.rateAt(1), 0.0002);
  assert.ok(s.rateAt(200) < 0.0002 / 50);
});

test('step, cosine and plateau policies', () => {
  const step = new LrScheduler({ ...base, policy: 'step' });
  assert.ok(Math.abs(step.rateAt(49) - 0.0002) < 1e-12);
  assert.ok(Math.abs(step.rateAt(50) - 0.00002) < 1e-12);
  const cos = new LrScheduler({ ...base, policy: 'cosine' });
  assert.ok(Math.abs(cos.rateAt(50) - 0.0001) < 1e-9);
  const plateau = new LrScheduler({ ...base, policy: 'plateau' });
  plateau.observe(1);
  for (let i = 0; i < 6; i++) plateau.observe(1);
  assert.ok(Math.abs(plateau.rateAt(10) - 0.0002 * 0.2) < 1e-12);
  assert.throws(() => new LrScheduler({ ...base, policy: 'exp' as never }), /--lr-policy exp: unknown; choose linear, step, plateau, cosine/);
});

test("the reference's snake_case options map to kebab-case; values stay untouched", () => {
  assert.deepEqual(normalizeArgv(['node', 'img2img', 'train', '--n_epochs', '5', '--lambda_L1=50', '--name', 'my_run', '--', '--not_an_option']),
    ['node', 'img2img', 'train', '--n-epochs', '5', '--lambda-L1=50', '--name', 'my_run', '--', '--not_an_option']);
});
