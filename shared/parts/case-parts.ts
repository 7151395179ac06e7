/**
 * A case's parts: one line per part in the case's own partition (`PARTUSE#<part>`), written in the
 * same transaction as the ledger entries that move stock on the case, and netted there (consumed minus
 * returned or reversed). The case is read with its lines in one Query; billing prices them at the cost
 * the first consumption recorded. The line's running quantity also guards returns: no more may come back
 * than was consumed on the case.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StateConflictError } from '../errors.ts';
import { parseItem } from '../store/item.ts';
import { queryAll } from '../store/query.ts';
import { update, type Write } from '../store/unit-of-work.ts';
import {
  CASE_PARTS_USE_SCHEMA_VERSION,
  type CasePartsUse,
  casePartsUseSchema,
  type LedgerEntry,
  partsKeys,
} from './model.ts';

/** One line of a case's parts: what was consumed on it, net of returns and reversals. */
export interface CasePartLine {
  partNumber: string;
  name: string;
  model?: string;
  quantity: number;
  unitCost: number;
  value: number;
  entries: { movementId: string; kind: string; quantity: number; at: string; by: string; reason?: string }[];
}

/** Sort keys of the case's part lines, inside the case partition. */
export const CASE_PART_LINE_PREFIX = 'PARTUSE#';

/** A stored line as the repair card shows it (lines stored before v2 knew only the quantity). */
export function casePartLine(u: CasePartsUse): CasePartLine {
  const unitCost = u.unitCost ?? 0;
  return {
    partNumber: u.partNumber,
    name: u.partName ?? u.partNumber,
    ...(u.model ? { model: u.model } : {}),
    quantity: u.quantity,
    unitCost,
    value: Math.round(u.quantity * unitCost * 100) / 100,
    entries: u.entries ?? [],
  };
}

export const parseCasePartLine = (item: Record<string, unknown>): CasePartLine =>
  casePartLine(parseItem(casePartsUseSchema, item));

/**
 * The writes that keep a movement's case lines: for each part whose stock the movement moved on the
 * case (reservations move none), the net quantity and the movement's entry. A negative change must
 * not take the line below zero.
 */
export function casePartLineWrites(caseId: string, entries: readonly LedgerEntry[]): Write[] {
  const byPart = new Map<string, { first: LedgerEntry; delta: number }>();
  for (const e of entries) {
    if (e.onHandDelta === 0) continue;
    const seen = byPart.get(e.partNumber);
    byPart.set(e.partNumber, { first: seen?.first ?? e, delta: (seen?.delta ?? 0) - e.onHandDelta });
  }
  return [...byPart.values()]
    .filter(({ delta }) => delta !== 0)
    .map(({ first: e, delta }) => {
      const entry = {
        movementId: e.movementId,
        kind: e.kind,
        quantity: delta,
        at: e.at,
        by: e.actor.sub,
        ...(e.reason ? { reason: e.reason } : {}),
      };
      return update<never>(
        partsKeys.casePartsUse(caseId, e.partNumber),
        `SET entity = :entity, schemaVersion = :sv, caseId = :case, partNumber = :part, partName = :name,
           unitCost = if_not_exists(unitCost, :cost), entries = list_append(if_not_exists(entries, :none), :entry)
           ${e.model ? ', model = if_not_exists(model, :model)' : ''}
         ADD quantity :d`,
        {
          values: {
            ':entity': 'CasePartsUse',
            ':sv': CASE_PARTS_USE_SCHEMA_VERSION,
            ':case': caseId,
            ':part': e.partNumber,
            ':name': e.partName,
            ':cost': e.unitCost,
            ':none': [],
            ':entry': [entry],
            ':d': delta,
            ...(e.model ? { ':model': e.model } : {}),
            ...(delta < 0 ? { ':n': -delta } : {}),
          },
          ...(delta < 0
            ? {
                condition: 'quantity >= :n',
                onConflict: () =>
                  new StateConflictError(
                    `more ${e.partNumber} would come back than was consumed on case ${caseId}`,
                    { field: 'lines' },
                  ),
              }
            : {}),
        },
      );
    });
}

/** The parts consumed on a case (one Query of its partition's part lines). */
export async function readCaseParts(
  db: DynamoDBDocumentClient,
  tableName: string,
  caseId: string,
): Promise<CasePartLine[]> {
  const items = await queryAll(db, tableName, {
    pk: partsKeys.casePartsUse(caseId, '').pk,
    skPrefix: CASE_PART_LINE_PREFIX,
  });
  return items.map(parseCasePartLine);
}
