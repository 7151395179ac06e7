import { ValidationError } from '../errors.ts';

/** Opaque cursors: the LastEvaluatedKey, base64url JSON. A malformed cursor is the client's error. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodeCursor(
  cursor: string | undefined,
  requiredKeys: readonly string[],
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === 'string') &&
      requiredKeys.every((k) => k in value)
    ) {
      return value as Record<string, string>;
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError([{ field: 'cursor', message: 'not a cursor returned by this API' }]);
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
