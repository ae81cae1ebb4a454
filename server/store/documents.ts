import type { Keyv } from 'keyv';
import type { z } from 'zod';
import { AppError, StoreUnavailableError } from '../errors.js';

/**
 * The one storage boundary: JSON documents by key over the injected Keyv. Every failure of the store, and
 * every document this version cannot parse, leaves here as a StoreUnavailableError (503): a failed read never
 * becomes "nothing stored", a decision, or a 500. Repositories build on this and never touch Keyv.
 */
export class Documents {
  readonly #keyv: Keyv;

  constructor(deps: { keyv: Keyv }) {
    this.#keyv = deps.keyv;
  }

  /** The document under `key` parsed with `schema`; undefined when there is none. */
  get<S extends z.ZodType>(key: string, schema: S): Promise<z.output<S> | undefined> {
    return guard(async () => {
      const raw: unknown = await this.#keyv.get(key);
      return raw === undefined || raw === null ? undefined : schema.parse(raw);
    });
  }

  /** The documents under `keys`, in order, each parsed with `schema` (undefined where there is none). */
  getMany<S extends z.ZodType>(keys: readonly string[], schema: S): Promise<(z.output<S> | undefined)[]> {
    return guard(async () => {
      const rows: unknown[] = await this.#keyv.getMany([...keys]);
      return rows.map((raw) => (raw === undefined || raw === null ? undefined : schema.parse(raw)));
    });
  }

  /** The document as stored, unparsed (for a purge that must work whatever an older version wrote). */
  getRaw(key: string): Promise<unknown> {
    return guard(() => this.#keyv.get(key));
  }

  set(key: string, value: unknown): Promise<void> {
    return guard(async () => {
      await this.#keyv.set(key, value);
    });
  }

  delete(key: string): Promise<void> {
    return guard(async () => {
      await this.#keyv.delete(key);
    });
  }

  deleteMany(keys: readonly string[]): Promise<void> {
    return guard(async () => {
      if (keys.length > 0) await this.#keyv.deleteMany([...keys]);
    });
  }

  /**
   * Every stored document whose key starts with `prefix`, unparsed. Keyv has no key-prefix query, so this
   * walks the whole store (SQLite and memory can iterate; a backend that cannot yields nothing).
   */
  async *scan(prefix: string): AsyncGenerator<[key: string, value: unknown]> {
    const iterator = this.#keyv.iterator;
    if (iterator === undefined) return;
    try {
      for await (const entry of iterator.call(this.#keyv, undefined)) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !entry[0].startsWith(prefix)) continue;
        yield [entry[0], entry[1]];
      }
    } catch (error: unknown) {
      throw unavailable(error);
    }
  }

  /** Resolves when the store answers a read (readiness). */
  ping(): Promise<void> {
    return guard(async () => {
      await this.#keyv.get('readyz');
    });
  }

  disconnect(): Promise<void> {
    return this.#keyv.disconnect();
  }
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    throw unavailable(error);
  }
}

function unavailable(error: unknown): AppError {
  return error instanceof AppError ? error : new StoreUnavailableError(undefined, { cause: error });
}
