/**
 * What the parts domain keeps in a case's partition for the case's own rules: the loaner guard. Every
 * loaner issued against a case adds one to it, every return or write-off takes one away, each in the
 * same transaction as the loaner's change; closing a case checks it is zero in the close transaction,
 * so a case cannot close while its loaner is out, however the two race.
 */
import { StateConflictError } from '../errors.ts';
import { check, update, type Write } from '../store/unit-of-work.ts';
import { CASE_LOANER_GUARD_SCHEMA_VERSION, partsKeys } from './model.ts';

/** Adds `delta` (+1 issued, -1 back or written off) to the loaners out against a case. */
export function loanerGuardChange(caseId: string, delta: 1 | -1): Write {
  return update<never>(
    partsKeys.caseLoanerGuard(caseId),
    'SET entity = :entity, schemaVersion = :sv, caseId = :case ADD #out :d',
    {
      names: { '#out': 'out' },
      values: {
        ':entity': 'CaseLoanerGuard',
        ':sv': CASE_LOANER_GUARD_SCHEMA_VERSION,
        ':case': caseId,
        ':d': delta,
        ...(delta < 0 ? { ':one': 1 } : {}),
      },
      ...(delta < 0
        ? {
            condition: '#out >= :one',
            onConflict: () => new StateConflictError(`no loaner is out against case ${caseId}`),
          }
        : {}),
    },
  );
}

/** The close transaction's condition: no loaner out against the case. */
export function noLoanerOut(caseId: string): Write {
  return check<never>(partsKeys.caseLoanerGuard(caseId), 'attribute_not_exists(pk) OR #out = :zero', {
    names: { '#out': 'out' },
    values: { ':zero': 0 },
    onConflict: () =>
      new StateConflictError(`case ${caseId} has a loaner unit out: take it back before closing the case`, {
        field: 'loaner',
      }),
  });
}
