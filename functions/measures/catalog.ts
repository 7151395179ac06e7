/**
 * The measures domain (SPEC §4 daily reports, §10 KPIs): the consumer keeping the daily aggregates, the
 * nightly recompute and evening reports, and `/reports`.
 *
 * Who reads what (SPEC §2, §4): managers and ops read every report; a technician reads their own daily
 * report and writes its note; dispatchers (service supervisors) read technicians' daily reports and the
 * branch roll-up they make each day, not the company's KPIs.
 */
import * as z from 'zod/mini';
import { EVENT_SOURCE } from '../../events/registry.ts';
import { branchIdSchema } from '../../shared/branches/defaults.ts';
import { envSchema } from '../../shared/config/env.ts';
import { limitParam, monthSchema } from '../../shared/http/query.ts';
import { measuredDetailTypes } from '../../shared/measures/contributions.ts';
import { isoDate, lazySchema, text } from '../../shared/validation.ts';
import { domainModule } from '../spec.ts';

/** `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
export const periodSchema = lazySchema(() =>
  z
    .string()
    .check(
      z.maxLength(10),
      z.regex(
        /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/,
        'expected a day YYYY-MM-DD, a month YYYY-MM or a year YYYY',
      ),
    ),
);
/** `?format=csv` answers CSV; so does `Accept: text/csv`. JSON otherwise. */
const format = lazySchema(() => z.optional(z.enum(['json', 'csv'])));
const branchId = z.optional(branchIdSchema);
const technicianParam = lazySchema(() =>
  z
    .string()
    .check(
      z.maxLength(128),
      z.regex(/^[A-Za-z0-9_.:@-]{1,128}$/, 'expected a technician id (or me) of letters, digits and _.:@-'),
    ),
);
const readers = ['manager', 'ops'] as const;
const csv = 'Answers CSV with `?format=csv` or `Accept: text/csv`.';

export const NOTE_MAX_LENGTH = 2000;

export const measures = domainModule(
  'measures',
  {
    'measures-consumer': {
      entry: 'functions/measures/consumer.ts',
      description: 'Adds each domain event to the daily aggregates, exactly once',
      env: envSchema('TABLE_NAME'),
      trigger: {
        kind: 'events',
        rules: [
          {
            name: 'measures',
            description: 'Domain events the daily aggregates count',
            pattern: { source: [EVENT_SOURCE], 'detail-type': measuredDetailTypes },
          },
        ],
      },
      access: { table: 'write' },
    },
    'measures-jobs': {
      entry: 'functions/measures/jobs.ts',
      description: 'Nightly recompute of the previous day (drift found and repaired); evening daily reports',
      env: envSchema('TABLE_NAME'),
      trigger: {
        kind: 'schedule',
        schedules: [
          {
            name: 'measures-nightly-recompute',
            description: "Recomputes yesterday's aggregates from the cases, reports and repairs drift",
            expression: 'cron(30 2 * * ? *)',
            input: { kind: 'recompute' },
          },
          {
            name: 'measures-evening-reports',
            description: "Today's daily reports of every branch, kept as records; the day's KPIs as metrics",
            expression: 'cron(0 19 * * ? *)',
            input: { kind: 'reports' },
          },
        ],
      },
      access: { table: 'write' },
      timeoutSeconds: 300,
    },
    'measures-api': {
      entry: 'functions/measures/api.ts',
      description: 'KPIs, trends, top faults and daily reports from the aggregates',
      env: envSchema('TABLE_NAME'),
      trigger: { kind: 'http' },
      access: { table: 'write' },
    },
  },
  {
    'GET /reports/kpis': {
      fn: 'measures-api',
      summary: 'KPIs of a day, month or year, for a branch (`branchId`) or the company',
      description: `Every SPEC §10 measure with numerator, denominator, value and target. ${csv}`,
      roles: readers,
      query: lazySchema(() => z.strictObject({ period: periodSchema, branchId, format })),
    },
    'GET /reports/trends': {
      fn: 'measures-api',
      summary: 'KPIs per day of a month, or per month of a year',
      description: csv,
      roles: readers,
      query: lazySchema(() => z.strictObject({ period: periodSchema, branchId, format })),
    },
    'GET /reports/faults/{month}': {
      fn: 'measures-api',
      summary: 'The most frequent faults of a month (completed cases per fault)',
      description: csv,
      roles: readers,
      params: { month: monthSchema },
      query: lazySchema(() => z.strictObject({ branchId, limit: limitParam, format })),
    },
    'GET /reports/technicians/{id}/daily/{day}': {
      fn: 'measures-api',
      summary:
        "A technician's daily report: jobs by category A–D, time, parts, visits, their note (`me` for oneself)",
      description: csv,
      roles: ['technician', 'dispatcher', 'manager', 'ops'],
      params: { id: technicianParam, day: lazySchema(() => isoDate()) },
      query: lazySchema(() => z.strictObject({ format })),
      errors: [404],
    },
    'POST /reports/technicians/{id}/daily/{day}/note': {
      fn: 'measures-api',
      summary: "The technician's own note on their daily report (replaces an earlier one)",
      description: 'Only on one’s own report (`me`); a manager may do what technicians may, on their own.',
      roles: ['technician', 'manager'],
      params: { id: technicianParam, day: lazySchema(() => isoDate()) },
      body: lazySchema(() => z.strictObject({ note: text(NOTE_MAX_LENGTH) })),
      errors: [404],
    },
    'GET /reports/branches/{id}/daily/{day}': {
      fn: 'measures-api',
      summary: "The supervisor's daily roll-up of a branch: totals, KPIs and a row per technician",
      description: csv,
      roles: ['dispatcher', 'manager', 'ops'],
      params: { id: branchIdSchema, day: lazySchema(() => isoDate()) },
      query: lazySchema(() => z.strictObject({ format })),
    },
    'GET /reports/headquarters/daily/{day}': {
      fn: 'measures-api',
      summary: 'The branch roll-up for headquarters: every branch of a day, and the company',
      description: csv,
      roles: readers,
      params: { day: lazySchema(() => isoDate()) },
      query: lazySchema(() => z.strictObject({ format })),
    },
  },
);
