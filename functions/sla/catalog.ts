/** The SLA domain (SPEC §4): branch calendars and policies, milestones, timers, escalation, dispatch queue. */

import * as z from 'zod/mini';
import { EVENT_SOURCE } from '../../events/registry.ts';
import { branchIdSchema, DEFAULT_BRANCH_ID } from '../../shared/branches/defaults.ts';
import { caseIdSchema } from '../../shared/cases/model.ts';
import { envSchema, SLA_TIMER_ENV } from '../../shared/config/env.ts';
import { cursorParam, limitParam, monthSchema } from '../../shared/http/query.ts';
import { WorkingCalendarSchema } from '../../shared/sla/calendar.ts';
import { SlaPolicySchema } from '../../shared/sla/policy.ts';
import { morningTimerName, type TimerPayload } from '../../shared/sla/timers.ts';
import { isoDate, lazySchema } from '../../shared/validation.ts';
import { domainModule } from '../spec.ts';
import { warrantySchedules } from '../warranty/schedules.ts';

/** Service staff read settings and milestones; parts clerks and ops do not. */
const settingsReaders = ['agent', 'dispatcher', 'manager'] as const;
const defaultMorning: TimerPayload = { kind: 'morning', branchId: DEFAULT_BRANCH_ID };
const branchParams = { id: branchIdSchema };
/** `?branchId=` (the main branch when absent). */
const branchQuery = z.optional(branchIdSchema);

export const sla = domainModule(
  'sla',
  {
    'sla-api': {
      entry: 'functions/sla/api.ts',
      description: 'SLA calendars and policies, case milestones, the dispatch queue and SLA measures',
      env: envSchema('TABLE_NAME'),
      trigger: { kind: 'http' },
      // Its events leave through the table's outbox.
      access: { table: 'write' },
    },
    'sla-clock': {
      entry: 'functions/sla/clock.ts',
      description: 'Keeps SLA milestones, their timers and the dispatch queue in line with each case',
      env: lazySchema(() => envSchema('TABLE_NAME', ...SLA_TIMER_ENV)),
      trigger: {
        kind: 'events',
        rules: [
          {
            name: 'sla-clock',
            description:
              'Keeps SLA milestones, timers and the dispatch queue in line with cases and calendars',
            pattern: {
              source: [EVENT_SOURCE],
              'detail-type': ['Case Opened', 'Case Updated', 'SLA Calendar Changed'],
            },
          },
        ],
      },
      access: { table: 'write', timers: 'manage' },
      timeoutSeconds: 30,
    },
    'sla-timer': {
      entry: 'functions/sla/timer.ts',
      description:
        'Target of the timer group: SLA escalation ladder, next-morning priority, complaint steps, return deadlines, warranty runs',
      env: lazySchema(() =>
        envSchema('TABLE_NAME', 'SLA_SCHEDULE_GROUP', 'MAIL_FROM', 'SES_CONFIGURATION_SET'),
      ),
      trigger: {
        kind: 'timers',
        schedules: [
          {
            // Branches with their own calendar get theirs from the clock (on `SLA Calendar Changed`).
            name: morningTimerName(DEFAULT_BRANCH_ID),
            description: `Next-morning priority for requests not dispatched on their day (branch ${DEFAULT_BRANCH_ID})`,
            expression: 'cron(0 8 * * ? *)',
            input: defaultMorning,
          },
          // The warranty domain's recurring runs share the timer group's target (declared there).
          ...warrantySchedules,
        ],
      },
      // Its events leave through the table's outbox; escalations are e-mailed.
      access: { table: 'write', timers: 'delete', mail: 'send' },
      // The warranty renewal run mails its notices one by one: more than an escalation step needs.
      timeoutSeconds: 120,
    },
  },
  {
    'GET /cases/{id}/sla': {
      fn: 'sla-api',
      summary: 'SLA milestones of a case: due, met, breached, paused minutes, escalations',
      roles: settingsReaders,
      params: { id: caseIdSchema },
      errors: [404],
    },
    'GET /dispatch/queue': {
      fn: 'sla-api',
      summary: 'Requests waiting for dispatch: next-morning priority first, then by arrival due time',
      roles: ['dispatcher', 'manager'],
      query: lazySchema(() =>
        z.strictObject({ branchId: branchQuery, limit: limitParam, cursor: cursorParam }),
      ),
    },
    'GET /dispatch/board': {
      fn: 'sla-api',
      summary:
        "A branch's dispatch board: unassigned requests (priority first; the first `limit`, default 100, with `unassignedNextCursor` to read on from `/dispatch/queue`) and each technician's open load, with customer, address, zone, symptoms, product and SLA due times",
      roles: ['dispatcher', 'manager'],
      query: lazySchema(() => z.strictObject({ branchId: branchQuery, limit: limitParam })),
    },
    'GET /technicians/{id}/day': {
      fn: 'sla-api',
      summary:
        "A technician's jobs of a day (`?day=`, default today in branch time; `me` for oneself), completed ones included, in order",
      roles: ['technician', 'dispatcher', 'manager'],
      params: {
        id: lazySchema(() =>
          z
            .string()
            .check(
              z.maxLength(128),
              z.regex(
                /^[A-Za-z0-9_.:@-]{1,128}$/,
                'expected a technician id (or me) of letters, digits and _.:@-',
              ),
            ),
        ),
      },
      query: lazySchema(() => z.strictObject({ day: z.optional(isoDate()) })),
    },
    'GET /sla/branches/{id}/calendar': {
      fn: 'sla-api',
      summary: "A branch's working-time calendar",
      roles: settingsReaders,
      params: branchParams,
    },
    'POST /sla/branches/{id}/calendar': {
      fn: 'sla-api',
      summary:
        "Replace a branch's working-time calendar (hours, weekdays, holidays, make-up days); omitted fields take their defaults",
      roles: ['manager'],
      params: branchParams,
      body: WorkingCalendarSchema,
    },
    'GET /sla/branches/{id}/policy': {
      fn: 'sla-api',
      summary: "A branch's SLA policy: time limits, escalation ladder, contacts",
      roles: settingsReaders,
      params: branchParams,
    },
    'POST /sla/branches/{id}/policy': {
      fn: 'sla-api',
      summary: "Replace a branch's SLA policy; omitted fields take the SPEC defaults",
      roles: ['manager'],
      params: branchParams,
      body: SlaPolicySchema,
    },
    'GET /sla/measures': {
      fn: 'sla-api',
      summary: 'On-time rate and average time per milestone type, per branch and month',
      roles: ['manager', 'ops'],
      query: lazySchema(() => z.strictObject({ branchId: branchQuery, month: z.optional(monthSchema) })),
    },
  },
);
