/**
 * A case's parts, from the ledger: the entries written with a case id, read with one Query on the
 * by-case index, netted per part (consumed minus returned or reversed). The case read shows them as the
 * repair card's parts, and billing can price them at the cost the ledger recorded.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseItem } from '../store/item.ts';
import { queryAll } from '../store/query.ts';
import { Index } from '../store/table.ts';
import { type LedgerEntry, ledgerEntrySchema, partsKeys } from './model.ts';

/** One line of a case's parts: what was consumed on it, net of returns and reversals, from the ledger. */
export interface CasePartLine {
  partNumber: string;
  name: string;
  model?: string;
  quantity: number;
  unitCost: number;
  value: number;
  entries: { movementId: string; kind: string; quantity: number; at: string; by: string; reason?: string }[];
}

/** The parts consumed on a case, from its ledger entries (one Query): the repair card's parts. */
export function casePartLines(entries: readonly LedgerEntry[]): CasePartLine[] {
  const byPart = new Map<string, CasePartLine>();
  for (const e of entries) {
    if (e.onHandDelta === 0) continue; // reservations move nothing on the case
    const line = byPart.get(e.partNumber) ?? {
      partNumber: e.partNumber,
      name: e.partName,
      ...(e.model ? { model: e.model } : {}),
      quantity: 0,
      unitCost: e.unitCost,
      value: 0,
      entries: [],
    };
    line.quantity -= e.onHandDelta;
    line.value = Math.round(line.quantity * line.unitCost * 100) / 100;
    line.entries.push({
      movementId: e.movementId,
      kind: e.kind,
      quantity: -e.onHandDelta,
      at: e.at,
      by: e.actor.sub,
      ...(e.reason ? { reason: e.reason } : {}),
    });
    byPart.set(e.partNumber, line);
  }
  return [...byPart.values()];
}

/** The parts consumed on a case (one Query). */
export async function readCaseParts(
  db: DynamoDBDocumentClient,
  tableName: string,
  caseId: string,
): Promise<CasePartLine[]> {
  const items = await queryAll(db, tableName, {
    index: Index.byAssignee,
    pk: partsKeys.ledgerByCase(caseId),
  });
  return casePartLines(items.map((i) => parseItem(ledgerEntrySchema, i)));
}
