/**
 * Errors → HTTP, in one table. Bodies are `application/problem+json` (RFC 9457); validation problems
 * list every bad field by name.
 */
import {
  DomainError,
  ForbiddenError,
  IdempotencyMismatchError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  StateConflictError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  VersionConflictError,
} from '../errors.ts';

const statusTable: Array<[new (...args: never[]) => DomainError, number, string]> = [
  [ValidationError, 400, 'invalid-request'],
  [UnauthorizedError, 401, 'unauthorized'],
  [ForbiddenError, 403, 'forbidden'],
  [NotFoundError, 404, 'not-found'],
  [VersionConflictError, 409, 'version-conflict'],
  [StateConflictError, 409, 'state-conflict'],
  [PayloadTooLargeError, 413, 'payload-too-large'],
  [UnsupportedMediaTypeError, 415, 'unsupported-media-type'],
  [IdempotencyMismatchError, 422, 'idempotency-key-reused'],
  [ServiceUnavailableError, 503, 'service-unavailable'],
];

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The problem document for an error; unknown errors become an opaque 500 (details go to the log only). */
export function problemFor(err: unknown): Problem {
  if (err instanceof DomainError) {
    const row = statusTable.find(([cls]) => err instanceof cls);
    if (row) {
      const [, status, slug] = row;
      return {
        ...err.details,
        type: `https://aftercare.example/problems/${slug}`,
        title: slug.replaceAll('-', ' '),
        status,
        detail: err.message,
      };
    }
  }
  return {
    type: 'about:blank',
    title: 'internal error',
    status: 500,
    detail: 'something went wrong on our side; it has been logged',
  };
}
