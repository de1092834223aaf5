/**
 * A small, safe parser for math expressions in one variable `x` (used for `--pdf`).
 * It compiles to closures over a fixed set of operations: no eval, no Function, no property access.
 *
 * Grammar (usual precedence; `^` is right-associative and binds tighter than unary minus, so
 * `-x^2` is `-(x^2)` and `2^-1` is 0.5):
 *
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?
 *   primary := number | 'x' | 'pi' | 'e' | name '(' expr (',' expr)* ')' | '(' expr ')'
 */

/** An error in an expression, with the 1-based column where it was found. */
export class ExpressionError extends Error {
  constructor(
    readonly source: string,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`invalid expression "${source}" at column ${column}: ${reason}`);
    this.name = 'ExpressionError';
  }
}

type Fn = (x: number) => number;

const FUNCTIONS: Record<string, { arity: 1 | 'n'; f: (...a: number[]) => number }> = {
  sin: { arity: 1, f: Math.sin },
  cos: { arity: 1, f: Math.cos },
  tan: { arity: 1, f: Math.tan },
  exp: { arity: 1, f: Math.exp },
  log: { arity: 1, f: Math.log },
  sqrt: { arity: 1, f: Math.sqrt },
  abs: { arity: 1, f: Math.abs },
  round: { arity: 1, f: Math.round },
  floor: { arity: 1, f: Math.floor },
  ceil: { arity: 1, f: Math.ceil },
  min: { arity: 'n', f: Math.min },
  max: { arity: 'n', f: Math.max },
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

/** Longest accepted source and deepest nesting: keeps hostile input from exhausting the stack. */
const MAX_LENGTH = 2000;
const MAX_DEPTH = 64;

interface Token {
  kind: 'num' | 'name' | 'op' | 'end';
  text: string;
  value: number;
  col: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ kind: 'num', text: num[0], value: Number(num[0]), col: i + 1 });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z_0-9]*/.exec(src.slice(i));
    if (name) {
      out.push({ kind: 'name', text: name[0], value: NaN, col: i + 1 });
      i += name[0].length;
      continue;
    }
    if ('+-*/^(),'.includes(c)) {
      if (c === '*' && src[i + 1] === '*') throw new ExpressionError(src, i + 1, "unexpected '**' (use '^' for powers)");
      out.push({ kind: 'op', text: c, value: NaN, col: i + 1 });
      i++;
      continue;
    }
    throw new ExpressionError(src, i + 1, `unexpected character '${c}'`);
  }
  out.push({ kind: 'end', text: 'end of input', value: NaN, col: src.length + 1 });
  return out;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  private peek(): Token {
    return this.toks[this.pos];
  }

  private fail(t: Token, reason: string): never {
    throw new ExpressionError(this.src, t.col, reason);
  }

  private unexpected(t: Token): never {
    if (t.kind === 'end') this.fail(t, 'unexpected end of input');
    // "2x" or "(x)(x)": a value right after a value; say how to write it.
    const prev = this.toks[this.pos - 1];
    const endsValue = prev && (prev.kind === 'num' || prev.kind === 'name' || prev.text === ')');
    const startsValue = t.kind === 'num' || t.kind === 'name' || t.text === '(';
    this.fail(t, `unexpected '${t.text}'${endsValue && startsValue ? " (use '*' for multiplication)" : ''}`);
  }

  private eatOp(op: string): boolean {
    const t = this.peek();
    if (t.kind === 'op' && t.text === op) {
      this.pos++;
      return true;
    }
    return false;
  }

  parse(): Fn {
    const f = this.expr();
    const t = this.peek();
    if (t.kind !== 'end') this.unexpected(t);
    return f;
  }

  private nest<T>(t: Token, f: () => T): T {
    if (++this.depth > MAX_DEPTH) this.fail(t, `nesting deeper than ${MAX_DEPTH}`);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private expr(): Fn {
    let left = this.term();
    for (;;) {
      if (this.eatOp('+')) {
        const [a, b] = [left, this.term()];
        left = (x) => a(x) + b(x);
      } else if (this.eatOp('-')) {
        const [a, b] = [left, this.term()];
        left = (x) => a(x) - b(x);
      } else return left;
    }
  }

  private term(): Fn {
    let left = this.unary();
    for (;;) {
      if (this.eatOp('*')) {
        const [a, b] = [left, this.unary()];
        left = (x) => a(x) * b(x);
      } else if (this.eatOp('/')) {
        const [a, b] = [left, this.unary()];
        left = (x) => a(x) / b(x);
      } else return left;
    }
  }

  private unary(): Fn {
    const t = this.peek();
    if (this.eatOp('-')) {
      const a = this.nest(t, () => this.unary());
      return (x) => -a(x);
    }
    if (this.eatOp('+')) return this.nest(t, () => this.unary());
    return this.power();
  }

  private power(): Fn {
    const base = this.primary();
    const t = this.peek();
    if (!this.eatOp('^')) return base;
    const exp = this.nest(t, () => this.unary());
    return (x) => base(x) ** exp(x);
  }

  private primary(): Fn {
    const t = this.peek();
    if (t.kind === 'num') {
      this.pos++;
      const v = t.value;
      return () => v;
    }
    if (t.kind === 'op' && t.text === '(') {
      this.pos++;
      const inner = this.nest(t, () => this.expr());
      if (!this.eatOp(')')) this.fail(this.peek(), `expected ')' to close the '(' at column ${t.col}`);
      return inner;
    }
    if (t.kind === 'name') {
      this.pos++;
      const name = t.text.toLowerCase();
      if (name === 'x') return (x) => x;
      if (Object.hasOwn(CONSTANTS, name)) {
        const v = CONSTANTS[name];
        return () => v;
      }
      if (Object.hasOwn(FUNCTIONS, name)) return this.call(t, name);
      this.fail(t, `unknown name '${t.text}' (allowed: x, pi, e, ${Object.keys(FUNCTIONS).join(', ')})`);
    }
    this.unexpected(t);
  }

  private call(t: Token, name: string): Fn {
    const { arity, f } = FUNCTIONS[name];
    if (!this.eatOp('(')) this.fail(this.peek(), `expected '(' after function '${name}'`);
    const args = this.nest(t, () => {
      const list = [this.expr()];
      while (this.eatOp(',')) list.push(this.expr());
      return list;
    });
    if (!this.eatOp(')')) this.fail(this.peek(), `expected ')' or ',' in call to '${name}'`);
    if (arity === 1 && args.length !== 1) this.fail(t, `'${name}' takes 1 argument, got ${args.length}`);
    if (arity === 1) {
      const a = args[0];
      return (x) => f(a(x));
    }
    return (x) => f(...args.map((a) => a(x)));
  }
}

/**
 * Compiles an expression in `x` to a function. Throws {@link ExpressionError} naming the column
 * and reason for bad input. Names are case-insensitive.
 *
 * @example compileExpression('0.5*cos(pi*x) + 0.5')(1) // 0
 */
export function compileExpression(source: string): (x: number) => number {
  if (source.length > MAX_LENGTH) throw new ExpressionError(source.slice(0, 40) + '...', MAX_LENGTH + 1, `longer than ${MAX_LENGTH} characters`);
  if (source.trim() === '') throw new ExpressionError(source, 1, 'empty expression');
  return new Parser(source, tokenize(source)).parse();
}
