import { z } from 'zod';
import { ProblemException } from './problem';

/**
 * Keyset pagination cursors: the sort key of the last row of a page, as base64url JSON. Opaque to
 * callers (they only pass it back); decoded strictly, so a tampered cursor is a 400 rather than a
 * query with surprising input.
 */
export interface CursorCodec<K> {
  encode(key: K): string;
  /** Throws a 400 problem (field `cursor`) when the value is not a cursor this codec made. */
  decode(cursor: string): K;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not valid (pass back the nextCursor of a previous page unchanged)');
    this.name = 'InvalidCursorError';
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function cursorCodec<S extends z.ZodType>(schema: S): CursorCodec<z.output<S>> {
  return {
    encode: (key) => Buffer.from(JSON.stringify(schema.parse(key)), 'utf8').toString('base64url'),
    decode: (cursor) => {
      try {
        return decodeStrict(schema, cursor);
      } catch (e) {
        if (e instanceof InvalidCursorError) {
          throw ProblemException.validation([{ location: 'query', field: 'cursor', message: e.message }]);
        }
        throw e;
      }
    },
  };
}

function decodeStrict<S extends z.ZodType>(schema: S, cursor: string): z.output<S> {
  if (!BASE64URL.test(cursor)) throw new InvalidCursorError();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidCursorError();
  return parsed.data;
}

/** A page of a keyset-paginated list: `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Builds a page from rows fetched with `LIMIT limit + 1`: the extra row only says there is more, it is
 * not returned, and the cursor points at the last row that is.
 */
export function toPage<R, T, K>(
  rows: R[],
  limit: number,
  codec: CursorCodec<K>,
  keyOf: (row: R) => K,
  view: (row: R) => T,
): Page<T> {
  const hasMore = rows.length > limit;
  const shown = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: shown.map(view),
    nextCursor: hasMore ? codec.encode(keyOf(shown[shown.length - 1])) : null,
  };
}
