import { describe, expect, it } from 'vitest';
import { allEventRules as eventRules } from '../../functions/catalog.ts';
import { matchesPattern } from '../../infra/local/pattern.ts';
import { actorFromClaims } from '../../shared/auth/actor.ts';
import {
  ForbiddenError,
  IdempotencyMismatchError,
  NotFoundError,
  PayloadTooLargeError,
  StateConflictError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  VersionConflictError,
} from '../../shared/errors.ts';
import { problemFor } from '../../shared/http/problem.ts';

describe('errors → problem+json', () => {
  it.each([
    [new ValidationError([{ field: 'zone', message: 'bad' }]), 400],
    [new UnauthorizedError('x'), 401],
    [new ForbiddenError('x'), 403],
    [new NotFoundError('x'), 404],
    [new VersionConflictError('x'), 409],
    [new StateConflictError('x', { caseStatus: 'received' }), 409],
    [new PayloadTooLargeError('x'), 413],
    [new UnsupportedMediaTypeError('x'), 415],
    [new IdempotencyMismatchError('x'), 422],
    [new Error('boom'), 500],
  ])('maps %s to %i', (err, status) => {
    expect(problemFor(err).status).toBe(status);
  });

  it('names invalid fields and never leaks internal error messages', () => {
    expect(problemFor(new ValidationError([{ field: 'customer.phone', message: 'bad' }])).issues).toEqual([
      { field: 'customer.phone', message: 'bad' },
    ]);
    expect(problemFor(new Error('secret stack detail')).detail).not.toContain('secret');
  });

  it('keeps the status even when error details carry a key named status', () => {
    expect(problemFor(new StateConflictError('x', { status: 'received' })).status).toBe(409);
  });
});

describe('claims → actor', () => {
  it.each([
    [
      'API Gateway flattened groups',
      { sub: 'u1', 'cognito:groups': '[agent dispatcher]' },
      ['agent', 'dispatcher'],
    ],
    ['comma-separated groups', { sub: 'u1', 'cognito:groups': '[agent, manager]' }, ['agent', 'manager']],
    ['a real array', { sub: 'u1', 'cognito:groups': ['technician'] }, ['technician']],
    ['unknown groups dropped', { sub: 'u1', 'cognito:groups': '[admin technician]' }, ['technician']],
    ['no groups', { sub: 'u1' }, []],
  ])('reads %s', (_name, claims, roles) => {
    expect(actorFromClaims(claims).roles).toEqual(roles);
  });

  it('refuses claims without a subject', () => {
    expect(() => actorFromClaims({})).toThrow(UnauthorizedError);
  });
});

describe('local bus pattern matching (same patterns as the deployed rules)', () => {
  const event = {
    source: 'aftercare',
    'detail-type': 'Case Opened',
    detail: { zone: 'urban', emergency: true, number: 'SR-1' },
  };

  it.each([
    [{ source: ['aftercare'] }, true],
    [{ source: ['other'] }, false],
    [{ 'detail-type': ['Case Opened', 'Case Updated'] }, true],
    [{ detail: { zone: ['suburban'] } }, false],
    [{ detail: { emergency: [true] } }, true],
    [{ detail: { number: [{ prefix: 'SR-' }] } }, true],
    [{ detail: { zone: [{ 'anything-but': ['urban'] }] } }, false],
    [{ detail: { technicianId: [{ exists: false }] } }, true],
    [{ detail: { technicianId: [{ exists: true }] } }, false],
  ])('pattern %j matches: %s', (pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('routes every case event to the audit rule', () => {
    const audit = eventRules.find((r) => r.name === 'case-activity-audit');
    expect(audit && matchesPattern(audit.pattern, event)).toBe(true);
  });
});
