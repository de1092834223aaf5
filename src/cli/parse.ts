// What every command shares: option parsers that reject bad text with a message naming what was
// expected, --help texts that show the jobs' schema defaults (defaults are written only there),
// and job errors reworded with the command's flag names.
import { InvalidArgumentError, type Command } from 'commander';
import type { z } from 'zod';
import { defaultOf, OptionsError } from '../util/options.js';

/** commander parsers that reject bad values with a message naming what was expected. */
export const int = (min = 0) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got '${v}'`);
  return n;
};

export const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${v}'`);
  return n;
};

export const oneOf = <T extends string>(values: readonly T[]) => (v: string): T => {
  if (!values.includes(v as T)) throw new InvalidArgumentError(`expected one of ${values.join(', ')}, got '${v}'`);
  return v as T;
};

/** Turns a parser that throws plain Errors into a commander option parser (its message becomes the usage error). */
export function wrapParse<T>(parse: (s: string) => T): (s: string) => T {
  return (s) => {
    try {
      return parse(s);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

/** A repeatable option's values in order. */
export const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** "text (default: X)" with X read from the job's schema, so --help never restates a default. */
export function withDefault(schema: z.ZodObject, key: string, text: string): string {
  const d = defaultOf(schema, key);
  if (d === undefined) return text;
  return `${text} (default: ${Array.isArray(d) ? d.join(',') : String(d)})`;
}

/** A job's options error with the command's flags in place of option names ('nEpochs' -> --n-epochs). */
export function withFlagNames(err: unknown, cmd: Command | undefined): unknown {
  if (!(err instanceof OptionsError) || !cmd) return err;
  const flags = new Map(cmd.options.filter((o) => o.long && !o.negate).map((o) => [o.attributeName(), o.long!]));
  for (const o of cmd.options) if (o.negate && !flags.has(o.attributeName())) flags.set(o.attributeName(), o.long!);
  const reword = (p: string) => p.replace(/option '([\w.]+)'/g, (m, name: string) => flags.get(name.replace(/^runtime\./, '')) ?? m);
  const e = new OptionsError(cmd.name(), err.problems.map(reword));
  e.message = `${commandPath(cmd)}: ${e.problems.join('; ')}`;
  return e;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
