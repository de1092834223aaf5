import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileExpression, ExpressionError } from '../../src/demo/expression.js';

const at = (src: string, x = 0) => compileExpression(src)(x);

test('arithmetic, precedence and associativity', () => {
  assert.equal(at('1 + 2 * 3'), 7);
  assert.equal(at('(1 + 2) * 3'), 9);
  assert.equal(at('8 / 4 / 2'), 1);
  assert.equal(at('10 - 4 - 3'), 3);
  assert.equal(at('2 ^ 3 ^ 2'), 512); // right-associative
  assert.equal(at('-x^2', 3), -9); // power binds tighter than unary minus
  assert.equal(at('2^-1'), 0.5);
  assert.equal(at('--x', 2), 2);
  assert.equal(at('+x', 2), 2);
  assert.equal(at('1.5e2 + .5 + 2.'), 152.5);
});

test('variable, constants and functions', () => {
  assert.equal(at('x', 4.5), 4.5);
  assert.equal(at('pi'), Math.PI);
  assert.equal(at('e'), Math.E);
  assert.equal(at('PI + X', 1), Math.PI + 1); // case-insensitive
  assert.ok(Math.abs(at('0.5*cos(pi*x)+0.5', 1)) < 1e-15);
  assert.equal(at('round(x + 3.5) / 3', -2.5), 1 / 3);
  assert.equal(at('sqrt(abs(x))', -16), 4);
  assert.ok(Math.abs(at('exp(log(x))', 7) - 7) < 1e-12);
  assert.equal(at('floor(x) + ceil(x)', 1.5), 3);
  assert.equal(at('min(3, x, 5) + max(x, 1)', 2), 4);
  assert.equal(at('sin(0) + tan(0)'), 0);
});

test('error messages name the problem and the column', () => {
  const cases: [string, RegExp][] = [
    ['', /empty expression/],
    ['1 +', /column 4: unexpected end of input/],
    ['2x', /column 2: unexpected 'x' \(use '\*' for multiplication\)/],
    ['(x + 1', /column 7: expected '\)' to close the '\(' at column 1/],
    ['x ** 2', /column 3: unexpected '\*\*' \(use '\^' for powers\)/],
    ['foo(x)', /column 1: unknown name 'foo' \(allowed: x, pi, e, sin/],
    ['sin(1, 2)', /'sin' takes 1 argument, got 2/],
    ['cos x', /expected '\(' after function 'cos'/],
    ['1 $ 2', /column 3: unexpected character '\$'/],
    ['x; process.exit(1)', /unexpected character ';'/],
    ['constructor', /unknown name 'constructor'/],
    ['(1))', /column 4: unexpected '\)'/],
  ];
  for (const [src, re] of cases) {
    assert.throws(() => compileExpression(src), (err: unknown) => {
      assert.ok(err instanceof ExpressionError, `${src}: ${err}`);
      assert.match(err.message, re, src);
      assert.ok(err.message.startsWith(`invalid expression "${src}"`));
      return true;
    });
  }
});

test('deep nesting and huge inputs are refused, not stack overflows', () => {
  assert.throws(() => compileExpression('('.repeat(500) + 'x' + ')'.repeat(500)), /nesting deeper than/);
  assert.throws(() => compileExpression('-'.repeat(500) + 'x'), /nesting deeper than/);
  assert.throws(() => compileExpression('x+'.repeat(2000) + 'x'), /longer than/);
  assert.equal(at('('.repeat(30) + 'x' + ')'.repeat(30), 2), 2);
});
