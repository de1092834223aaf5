// Job options: every job takes one options object and validates it with its zod schema, so a
// library call and the CLI get the same defaults and the same errors. Errors name the job, the
// option and what was expected.
import { z } from 'zod';

/** A bad options object: the message lists each bad option with what was expected. */
export class OptionsError extends Error {
  constructor(readonly job: string, readonly problems: readonly string[]) {
    super(`${job}: ${problems.join('; ')}`);
    this.name = 'OptionsError';
  }
}

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** One zod issue as "option 'a.b': expected ..., got ...". */
function describeIssue(issue: z.core.$ZodIssue & { input?: unknown }): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? ` in '${issue.path.join('.')}'` : '';
    return issue.keys.map((k) => `unknown option '${k}'${where}`).join('; ');
  }
  const name = `option '${issue.path.join('.')}'`;
  const what = issue.message.replace(/^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid element): /, '').replace(/"/g, "'");
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${name} is required (${what.replace(/, received undefined$/, '')})`;
  return `${name}: ${what.replace(/, received \w+$/, '')}, got ${show(issue.input)}`;
}

/** Validates `input` with `schema` (defaults filled in); throws an OptionsError naming every bad option. */
export function parseOptions<S extends z.ZodType>(schema: S, job: string, input: unknown): z.output<S> {
  const r = schema.safeParse(input ?? {}, { reportInput: true });
  if (r.success) return r.data;
  throw new OptionsError(job, r.error.issues.map((i) => describeIssue(i)));
}

/** A callback option (not validated beyond being a function). */
export function callback<F extends (...args: never[]) => unknown>() {
  return z.custom<F>((v) => typeof v === 'function', { message: 'expected a function' });
}

/** Progress of a batch of items: `done` of `total` finished. */
export type ProgressFn = (done: number, total: number) => void;
/** One line of status output. */
export type LogFn = (line: string) => void;
/** An item of a batch failed (the batch goes on; the job fails at the end listing the failures). */
export type ItemErrorFn = (input: string, err: Error) => void;

/** The hooks most jobs accept: no output unless given. */
export const batchHooks = {
  onProgress: callback<ProgressFn>().optional(),
  onError: callback<ItemErrorFn>().optional(),
};

export const int = (min: number) => z.int().min(min);

/** The entries of `o` whose value is given: spread over defaults, an explicit undefined keeps the default. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A non-empty list of image files or folders. */
export const inputList = z.array(z.string().min(1)).min(1, { message: 'expected at least one image file or folder' });

/** The default of option `key` of an object schema, or undefined (the CLI shows it in --help). */
export function defaultOf(schema: z.ZodObject, key: string): unknown {
  let s = schema.shape[key] as z.ZodType | undefined;
  while (s) {
    const def = s.def as { type: string; defaultValue?: unknown; innerType?: z.ZodType; in?: z.ZodType };
    if (def.type === 'default') return def.defaultValue;
    s = def.innerType ?? def.in;
  }
  return undefined;
}
