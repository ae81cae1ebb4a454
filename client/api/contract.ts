import type { Decoder, InputOf } from './decode';

/** A schema whose input type covers `T`; otherwise a type no schema has, so the call below fails. */
type AcceptingEvery<T, S extends Decoder<unknown, unknown>> = [T] extends [InputOf<S>]
  ? S
  : { 'accepts every value of its contract': T };

/**
 * Ties a response schema to its type in common/api, so drift on either side fails the type check:
 * what the schema parses must be a `T` (a field of `T` it leaves out or types differently fails), and it must
 * accept every `T` (a field it requires that `T` lacks, or a value it refuses that `T` allows, fails). The
 * schema keeps its own output type, which may be narrower (ids as strings, unknown kinds as `other`).
 *
 * `export const meSchema = tiedTo<ApiMe>()(d.object({ ... }))` (two calls: TypeScript infers the schema's type
 * only when `T` is not given in the same call).
 */
export function tiedTo<T>() {
  return <S extends Decoder<T, unknown>>(schema: S & AcceptingEvery<T, S>): S => schema;
}
