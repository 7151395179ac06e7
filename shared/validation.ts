import * as z from 'zod/mini';
import { ValidationError } from './errors.ts';

const quoteList = (values: readonly unknown[]) =>
  values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');

const units: Record<string, string> = { string: 'characters', array: 'items', set: 'items', file: 'bytes' };

/**
 * What a client reads when a value is refused: what was expected. Messages a schema states itself
 * (`'expected a month YYYY-MM'`) win; this fills in the rest (zod/mini ships no messages of its own).
 */
function explain(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `required: expected ${issue.expected}`;
      return `expected ${issue.expected === 'int' ? 'a whole number' : issue.expected}, got ${
        issue.input === null ? 'null' : Array.isArray(issue.input) ? 'array' : typeof issue.input
      }`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${quoteList(issue.values)}`
        : `expected one of ${quoteList(issue.values)}`;
    case 'too_big':
      return typeof issue.maximum === 'number' && issue.origin in units
        ? `expected at most ${issue.maximum} ${units[issue.origin]}`
        : `expected at most ${String(issue.maximum)}`;
    case 'too_small':
      return typeof issue.minimum === 'number' && issue.origin in units
        ? issue.minimum === 1 && issue.origin === 'string'
          ? 'expected a non-empty text'
          : `expected at least ${issue.minimum} ${units[issue.origin]}`
        : `expected at least ${String(issue.minimum)}`;
    case 'invalid_format':
      return `expected ${issue.format === 'regex' ? 'a value of the documented pattern' : `a valid ${issue.format}`}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_union':
      return 'expected one of the documented shapes';
    default:
      return 'invalid value';
  }
}

/**
 * Parses `input` with `schema`; on failure throws a ValidationError naming every bad field, each name
 * prefixed with `where` (`path.`, `query.`; nothing for the body).
 */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown, where = ''): z.infer<S> {
  const result = z.safeParse(schema, input, { error: explain });
  if (result.success) return result.data as z.infer<S>;
  throw new ValidationError(
    result.error.issues.flatMap((issue) => {
      // Unknown keys are reported on the parent; name the key itself so the client sees which field.
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map((key) => {
        const path = [...issue.path, ...(key === undefined ? [] : [key])].map(String).join('.');
        return {
          field: path ? `${where}${path}` : where ? where.replace(/\.$/, '') : '(body)',
          message: key === undefined ? issue.message : `unknown field '${key}'`,
        };
      });
    }),
  );
}

let lazyBuilt = 0;

/**
 * A schema built on its first use instead of when its module is imported. Every schema declared at module
 * scope is wrapped in this (all but single calls such as `z.string()` or `z.enum(list)`, which cost no
 * more than the stand-in), so a function's cold start does not build the schemas of every module it
 * imports, only those its invocations use. The value stands in for the schema in every way (parse with
 * it, compose it, read its shape, generate its JSON Schema): each access goes to the schema, built once.
 */
export function lazySchema<S extends z.ZodMiniType>(build: () => S): S {
  let schema: S | undefined;
  const built = (): S => {
    if (!schema) {
      schema = build();
      lazyBuilt++;
    }
    return schema;
  };
  return new Proxy({} as S, {
    get: (_, key) => Reflect.get(built(), key),
    set: (_, key, value) => Reflect.set(built(), key, value),
    has: (_, key) => Reflect.has(built(), key),
    ownKeys: () => Reflect.ownKeys(built()),
    // The stand-in owns none of the schema's properties, so it may only report them as configurable.
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(built(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(built(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(built(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(built()),
  });
}

/** Who is told: an e-mail address, or a staff member whose address the directory keeps. */
export const contactSchema = lazySchema(() =>
  z.union([
    z.email().check(z.maxLength(254)),
    z.strictObject({
      staffId: z
        .string()
        .check(z.maxLength(128), z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'expected a staff id')),
    }),
  ]),
);
export type Contact = z.infer<typeof contactSchema>;

/** How many {@link lazySchema}s have been built so far: none, right after a function is imported. */
export const lazySchemasBuilt = (): number => lazyBuilt;

/** Tabs and line breaks are text; other C0 control characters are not. */
function noControlCharacters(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/** Trimmed text of bounded length: the default for every free-text field. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .check(
      z.trim(),
      z.minLength(min),
      z.maxLength(max),
      z.refine(noControlCharacters, 'control characters are not allowed'),
    );

/** A local calendar date `YYYY-MM-DD` that exists. */
export const isoDate = () =>
  z.string().check(
    z.maxLength(10),
    z.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD'),
    z.refine(
      (s) =>
        !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
      'not a real date',
    ),
  );

/** An ISO-8601 instant with offset, e.g. `2026-11-22T09:30:00+08:00`. */
export const isoInstant = () => z.iso.datetime({ offset: true });
