/**
 * Domain errors. Each names what went wrong in domain terms; `shared/http/problem.ts` maps them to
 * HTTP status codes in one table, so handlers never pick status codes themselves.
 */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** One invalid input field, named by its JSON path (e.g. `customer.phone`). */
export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '), { issues });
  }
}

export class NotFoundError extends DomainError {}

/** Authenticated, but the role may not do this at all. */
export class ForbiddenError extends DomainError {}

export class UnauthorizedError extends DomainError {}

/** The change conflicts with what is stored (HTTP 409); the two kinds below say how. */
export class ConflictError extends DomainError {}

/** The record changed since the caller read it (optimistic locking). */
export class VersionConflictError extends ConflictError {}

/** The action is not allowed in the record's current state. */
export class StateConflictError extends ConflictError {}

/** An idempotency key was reused with a different request body. */
export class IdempotencyMismatchError extends DomainError {}

export class PayloadTooLargeError extends DomainError {}

export class UnsupportedMediaTypeError extends DomainError {}

/** A dependency (the table) cannot be reached right now; retrying later may succeed. */
export class ServiceUnavailableError extends DomainError {}
