import { ValidationError } from '../errors.ts';

/**
 * Opaque cursors: the LastEvaluatedKey, base64url JSON. A cursor is accepted only for the list it came
 * from — exactly that list's key attributes, its partition, its sort-key range — so a forged, edited or
 * foreign cursor is the client's error (400), never a store error, and never reaches another partition.
 */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/** What a cursor of one list must look like. */
export interface CursorShape {
  /** Exactly these attributes, each a string. */
  keys: readonly string[];
  /** This attribute holds the partition being listed… */
  partitionKey: string;
  partition: string;
  /** …and this one a sort key within the listed range (starting with `sortPrefix`, when given). */
  sortKey: string;
  sortPrefix?: string;
}

/** DynamoDB keys are at most 2 KB (partition) and 1 KB (sort); an attribute beyond that is forged. */
const MAX_KEY_LENGTH = 2048;

const refused = () =>
  new ValidationError([
    {
      field: 'query.cursor',
      message: 'not a cursor of this list: pass the nextCursor of the previous page unchanged',
    },
  ]);

export function decodeCursor(
  cursor: string | undefined,
  shape: CursorShape,
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused();
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw refused();
  const entries = Object.entries(value);
  const expected = new Set(shape.keys);
  if (entries.length !== expected.size) throw refused();
  for (const [k, v] of entries) {
    if (!expected.has(k) || typeof v !== 'string' || v.length === 0 || v.length > MAX_KEY_LENGTH)
      throw refused();
  }
  const key = value as Record<string, string>;
  if (key[shape.partitionKey] !== shape.partition) throw refused();
  if (shape.sortPrefix !== undefined && !key[shape.sortKey]?.startsWith(shape.sortPrefix)) throw refused();
  return key;
}

/** What a caller asks of a list: how many, and from where the previous page ended. */
export interface PageQuery {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}
