/**
 * Stored items of the measures: daily aggregates (counters only), the markers that make each event count
 * once, the technicians' notes on their daily report and the evening's report snapshots.
 *
 * | item | pk | sk | index (access pattern) |
 * |---|---|---|---|
 * | day aggregate | `MEASURE#COMPANY` / `MEASURE#B#<branch>` / `MEASURE#T#<tech>` | `DAY#<yyyy-mm-dd>` | gsi2 `MEASUREDAY#<day>` / `B#<branch>` or `T#<branch>#<tech>` (a day's branches; a branch's technicians of a day); technicians' also gsi4 `MEASUREMONTH#<yyyy-mm>` / `<tech>#<day>` (every technician's days of a month: the survey scorecard) |
 * | applied-event marker | `MEASURED#<event key>` | `MARK` | — (TTL `expiresAt`) |
 * | technician's note | `MEASURE#T#<tech>` | `NOTE#<day>` | |
 * | report snapshot | `MEASURE#B#<branch>` | `REPORT#<day>` | |
 *
 * A month is one Query (`DAY#<yyyy-mm>` prefix), a year one Query (`DAY#<yyyy>` prefix).
 */
import * as z from 'zod/mini';
import type { ItemKind } from '../store/item.ts';
import { Index, indexKeys, key } from '../store/table.ts';
import { lazySchema } from '../validation.ts';

export const DAY_MEASURE_SCHEMA_VERSION = 1;
export const MEASURE_MARKER_SCHEMA_VERSION = 1;
export const TECHNICIAN_NOTE_SCHEMA_VERSION = 1;
export const DAILY_REPORT_SCHEMA_VERSION = 1;

/** Counter attributes are stored as `n.<counter name>`, so an item's counters are found by name. */
export const COUNTER_PREFIX = 'n.';

/** Whose numbers an aggregate holds. */
export type Scope =
  | { kind: 'company' }
  | { kind: 'branch'; branchId: string }
  | { kind: 'technician'; technicianId: string; branchId: string };

export const scopeId = (s: Scope): string =>
  s.kind === 'company' ? 'COMPANY' : s.kind === 'branch' ? key('B', s.branchId) : key('T', s.technicianId);

export const dayMeasureSchema = lazySchema(() =>
  z.looseObject({
    entity: z.literal('DayMeasure'),
    schemaVersion: z.literal(DAY_MEASURE_SCHEMA_VERSION),
    scope: z.string(),
    day: z.string(),
    branchId: z.optional(z.string()),
    technicianId: z.optional(z.string()),
  }),
);

export const markerSchema = lazySchema(() =>
  z.object({
    entity: z.literal('MeasureMarker'),
    schemaVersion: z.literal(MEASURE_MARKER_SCHEMA_VERSION),
    eventKey: z.string(),
    detailType: z.string(),
    appliedAt: z.string(),
    expiresAt: z.number(),
  }),
);

export const technicianNoteSchema = lazySchema(() =>
  z.object({
    entity: z.literal('TechnicianNote'),
    schemaVersion: z.literal(TECHNICIAN_NOTE_SCHEMA_VERSION),
    technicianId: z.string(),
    day: z.string(),
    note: z.string(),
    updatedAt: z.string(),
  }),
);

export const dailyReportSchema = lazySchema(() =>
  z.object({
    entity: z.literal('DailyReport'),
    schemaVersion: z.literal(DAILY_REPORT_SCHEMA_VERSION),
    branchId: z.string(),
    day: z.string(),
    generatedAt: z.string(),
    report: z.record(z.string(), z.unknown()),
  }),
);

/** Every stored kind of the measures, for the schema version test. */
export const measureItemKinds: ItemKind[] = [
  { entity: 'DayMeasure', version: DAY_MEASURE_SCHEMA_VERSION, schema: dayMeasureSchema },
  { entity: 'MeasureMarker', version: MEASURE_MARKER_SCHEMA_VERSION, schema: markerSchema },
  { entity: 'TechnicianNote', version: TECHNICIAN_NOTE_SCHEMA_VERSION, schema: technicianNoteSchema },
  { entity: 'DailyReport', version: DAILY_REPORT_SCHEMA_VERSION, schema: dailyReportSchema },
];

const partition = (s: Scope | string) => key('MEASURE', typeof s === 'string' ? s : scopeId(s));
const monthOf = (month: string) => key('MEASUREMONTH', month);

export const measureKeys = {
  partition,
  day: (s: Scope, day: string) => ({ pk: partition(s), sk: key('DAY', day) }),
  /** Sort key prefix of a period: `2026-11-20`, `2026-11` or `2026`. */
  period: (period: string) => key('DAY', period),
  /** gsi2 of branch and technician day items: a day's branches, a branch's technicians of a day. */
  dayIndex: (s: Scope, day: string) =>
    s.kind === 'company'
      ? {}
      : indexKeys(
          Index.byStatus,
          key('MEASUREDAY', day),
          s.kind === 'branch' ? key('B', s.branchId) : key('T', s.branchId, s.technicianId),
        ),
  /** gsi4 of technician day items: every technician's days of a month. */
  monthIndex: (s: Scope, day: string) =>
    s.kind === 'technician' ? indexKeys(Index.byDay, monthOf(day.slice(0, 7)), key(s.technicianId, day)) : {},
  monthOf,
  dayOf: (day: string) => key('MEASUREDAY', day),
  branchesPrefix: key('B', ''),
  techniciansPrefix: (branchId: string) => key('T', branchId, ''),
  marker: (eventKey: string) => ({ pk: key('MEASURED', eventKey), sk: 'MARK' }),
  note: (technicianId: string, day: string) => ({
    pk: partition({ kind: 'technician', technicianId, branchId: '' }),
    sk: key('NOTE', day),
  }),
  report: (branchId: string, day: string) => ({
    pk: partition({ kind: 'branch', branchId }),
    sk: key('REPORT', day),
  }),
};

/** The counters of a stored day aggregate. */
export function countersOf(item: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(item))
    if (k.startsWith(COUNTER_PREFIX) && typeof v === 'number') out[k.slice(COUNTER_PREFIX.length)] = v;
  return out;
}
