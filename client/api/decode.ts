// Checks of the server's JSON answers, written out instead of a validation library: the UI needs a dozen
// checks (string, number, object, array, union…), and a library would be most of the first download's code
// for them (zod was ~60 kB of it). Each decoder checks an `unknown` value and returns it typed, or throws a
// DecodeError saying where and what was wrong; the schemas in schemas.ts and accessSchemas.ts are built from
// them the way they were built with zod, and stay tied to their contract types (contract.ts).

/** One place where a value does not fit: `path` is `users[3].active`, `expected` says what was wanted. */
export interface DecodeIssue {
  path: string;
  expected: string;
}

/** Every place where an answer does not fit its decoder (names the fields, never echoes their values). */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly issues: readonly DecodeIssue[];

  constructor(issues: readonly DecodeIssue[]) {
    const shown = issues
      .slice(0, 5)
      .map((issue) => `${issue.path === '' ? '(root)' : issue.path}: expected ${issue.expected}`);
    const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
    super(`${shown.join('; ')}${more}`);
    this.issues = issues;
  }
}

const fail = (path: string, expected: string) => new DecodeError([{ path, expected }]);

/** Runs every check, then throws one DecodeError with all their issues (if any). */
function collecting(run: (check: (step: () => void) => void) => void): void {
  const issues: DecodeIssue[] = [];
  run((step) => {
    try {
      step();
    } catch (err: unknown) {
      if (!(err instanceof DecodeError)) throw err;
      issues.push(...err.issues);
    }
  });
  if (issues.length > 0) throw new DecodeError(issues);
}

export type SafeParseResult<T> = { success: true; data: T } | { success: false; error: DecodeError };

/**
 * Checks a JSON value and returns it as `Out`. `In` is what it accepts (for the contract checks; it differs
 * from `Out` where a decoder reads leniently: an id given as a number is returned as a string).
 */
export interface Decoder<Out, In = Out> {
  /** The value as `Out`; throws a DecodeError. `path` names the value in the error. */
  decode(value: unknown, path: string): Out;
  parse(value: unknown): Out;
  safeParse(value: unknown): SafeParseResult<Out>;
  /** Type only: never set. */
  readonly input?: In;
}

/** What a decoder returns. */
export type Infer<D> = D extends Decoder<infer Out, unknown> ? Out : never;
/** What a decoder accepts. */
export type InputOf<D> = D extends Decoder<unknown, infer In> ? In : never;

function decoder<Out, In = Out>(decode: (value: unknown, path: string) => Out): Decoder<Out, In> {
  return {
    decode,
    parse: (value) => decode(value, ''),
    safeParse(value) {
      try {
        return { success: true, data: decode(value, '') };
      } catch (err: unknown) {
        if (err instanceof DecodeError) return { success: false, error: err };
        throw err;
      }
    },
  };
}

const at = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

export function string(options: { min?: number } = {}): Decoder<string> {
  const min = options.min ?? 0;
  const expected = min > 0 ? `a string of at least ${min} characters` : 'a string';
  return decoder((value, path) => {
    if (typeof value !== 'string' || value.length < min) throw fail(path, expected);
    return value;
  });
}

export function number(options: { int?: boolean; min?: number } = {}): Decoder<number> {
  const { int = false, min } = options;
  const expected = `${int ? 'an integer' : 'a number'}${min === undefined ? '' : ` ≥ ${min}`}`;
  return decoder((value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw fail(path, expected);
    if ((int && !Number.isInteger(value)) || (min !== undefined && value < min)) throw fail(path, expected);
    return value;
  });
}

export function boolean(): Decoder<boolean> {
  return decoder((value, path) => {
    if (typeof value !== 'boolean') throw fail(path, 'a boolean');
    return value;
  });
}

/** One of the given words (or other primitive values). */
export function oneOf<const T extends readonly (string | number | boolean)[]>(values: T): Decoder<T[number]> {
  const expected = `one of ${values.map((value) => JSON.stringify(value)).join(', ')}`;
  return decoder((value, path) => {
    const found = values.find((allowed) => allowed === value);
    if (found === undefined) throw fail(path, expected);
    return found;
  });
}

export function nullable<Out, In>(inner: Decoder<Out, In>): Decoder<Out | null, In | null> {
  return decoder((value, path) => (value === null ? null : inner.decode(value, path)));
}

/** Absent, `undefined` or `null` (a server writing `null` for a field it leaves out means the same). */
export function nullish<Out, In>(inner: Decoder<Out, In>): Decoder<Out | null | undefined, In | null | undefined> {
  return decoder((value, path) => (value === null || value === undefined ? value : inner.decode(value, path)));
}

export function optional<Out, In>(inner: Decoder<Out, In>): Decoder<Out | undefined, In | undefined> {
  return decoder((value, path) => (value === undefined ? undefined : inner.decode(value, path)));
}

export function array<Out, In>(item: Decoder<Out, In>): Decoder<Out[], In[]> {
  return decoder((value, path) => {
    if (!Array.isArray(value)) throw fail(path, 'an array');
    const result: Out[] = [];
    collecting((check) =>
      value.forEach((entry: unknown, index) => check(() => result.push(item.decode(entry, at(path, index))))),
    );
    return result;
  });
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An object with any keys, each value checked by `item`. */
export function record<Out, In>(item: Decoder<Out, In>): Decoder<Record<string, Out>, Record<string, In>> {
  return decoder((value, path) => {
    if (!isPlainObject(value)) throw fail(path, 'an object');
    const result: Record<string, Out> = {};
    collecting((check) => {
      for (const [key, entry] of Object.entries(value)) check(() => (result[key] = item.decode(entry, at(path, key))));
    });
    return result;
  });
}

type Shape = Record<string, Decoder<unknown, unknown>>;
type Flat<T> = { [K in keyof T]: T[K] } & {};
/** Keys whose decoder accepts `undefined` are optional, as in the contract types. */
type OptionalKeys<S extends Shape> = { [K in keyof S]: undefined extends InputOf<S[K]> ? K : never }[keyof S];
type ObjectOut<S extends Shape> = Flat<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> }
>;
type ObjectIn<S extends Shape> = Flat<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: InputOf<S[K]> } & { [K in OptionalKeys<S>]?: InputOf<S[K]> }
>;

/**
 * An object with at least the shape's fields. Not strict: fields the UI does not know are left out of the
 * result instead of failing the answer, so the server may add fields. An absent optional field stays absent.
 */
export function object<S extends Shape>(shape: S): Decoder<ObjectOut<S>, ObjectIn<S>> {
  const entries = Object.entries(shape);
  return decoder((value, path) => {
    if (!isPlainObject(value)) throw fail(path, 'an object');
    const result: Record<string, unknown> = {};
    collecting((check) => {
      for (const [key, field] of entries) {
        check(() => {
          const decoded = field.decode(value[key], at(path, key));
          if (decoded !== undefined) result[key] = decoded;
        });
      }
    });
    // The loop above built exactly the shape's fields, each checked by its decoder.
    return result as ObjectOut<S>;
  });
}

type AnyDecoder = Decoder<unknown, unknown>;

/** The first of `options` that accepts the value. */
export function union<const D extends readonly [AnyDecoder, ...AnyDecoder[]]>(
  options: D,
): Decoder<Infer<D[number]>, InputOf<D[number]>> {
  return decoder((value, path) => {
    const failures: DecodeError[] = [];
    for (const option of options) {
      try {
        // The options' output types make up the union's; TypeScript cannot follow the loop over the tuple.
        return option.decode(value, path) as Infer<D[number]>;
      } catch (err: unknown) {
        if (!(err instanceof DecodeError)) throw err;
        failures.push(err);
      }
    }
    // The option that got furthest into the value (the right `kind`, a wrong field) explains it best.
    const depth = (error: DecodeError) => Math.max(...error.issues.map((issue) => issue.path.length));
    throw failures.reduce((best, failure) => (depth(failure) > depth(best) ? failure : best));
  });
}

/** The value `inner` returns, changed by `change` (e.g. an id given as a number or a string, kept as a string). */
export function map<Out, In, R>(inner: Decoder<Out, In>, change: (value: Out) => R): Decoder<R, In> {
  return decoder((value, path) => change(inner.decode(value, path)));
}

/** A decoder defined later (a recursive shape: a department's children are departments). */
export function lazy<Out, In>(get: () => Decoder<Out, In>): Decoder<Out, In> {
  return decoder((value, path) => get().decode(value, path));
}
