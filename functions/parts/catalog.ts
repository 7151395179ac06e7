/**
 * The parts domain (SPEC §5, §4 loaners): catalogue, locations, stock and its ledger, movements,
 * requisitions, counts, alerts and purchase suggestions, ABC classes, loaners and tools.
 *
 * Roles (SPEC §2): the parts clerk keeps the catalogue and locations, receives, transfers, scraps and
 * counts; technicians requisition, reserve and consume on their own cases from their own van, return
 * parts, and read their van's stock; supervisors (dispatchers) approve requisitions and counts; managers
 * may do all of it, approve above the supervisor's limit, approve purchases and override ABC classes;
 * ops read.
 */
import * as z from 'zod/mini';
import { EVENT_SOURCE } from '../../events/registry.ts';
import type { Role } from '../../shared/auth/actor.ts';
import { envSchema } from '../../shared/config/env.ts';
import { cursorParam, limitParam, monthSchema, pageQuerySchema } from '../../shared/http/query.ts';
import {
  abcOverrideSchema,
  caseRef,
  consumptionSchema,
  countInputSchema,
  countLinesSchema,
  decisionSchema,
  issueSchema,
  locationInputSchema,
  partInputSchema,
  partNumber,
  partsId,
  receiptSchema,
  requisitionInputSchema,
  requisitionStatuses,
  reservationSchema,
  returnSchema,
  reversalSchema,
  scrapSchema,
  serial,
  stockSettingsSchema,
  toolInputSchema,
  toolIssueSchema,
  toolLostSchema,
  toolReturnSchema,
  transferSchema,
} from '../../shared/parts/model.ts';
import { lazySchema } from '../../shared/validation.ts';
import { domainModule } from '../spec.ts';

/** Who reads the catalogue: every staff role (reception quotes parts too). */
const catalogueReaders: Role[] = ['agent', 'dispatcher', 'technician', 'parts_clerk', 'manager', 'ops'];
/** Who reads stock, the ledger, requisitions and tools (technicians: their own van, cases and requisitions). */
const stockReaders: Role[] = ['dispatcher', 'technician', 'parts_clerk', 'manager', 'ops'];
/** The parts desk's reads: counts, alerts, movements, overdue tools. */
const deskReaders: Role[] = ['dispatcher', 'parts_clerk', 'manager', 'ops'];
const clerks: Role[] = ['parts_clerk', 'manager'];
const supervisors: Role[] = ['dispatcher', 'manager'];

const partParams = { partNumber: lazySchema(() => partNumber()) };
const idParams = { id: lazySchema(() => partsId()) };
const serialParams = { serial: lazySchema(() => serial()) };
const movement = { success: [201], errors: [404, 409, 422] } as const;

export const parts = domainModule(
  'parts',
  {
    'parts-api': {
      entry: 'functions/parts/api.ts',
      description:
        'Parts catalogue, stock and its ledger, movements, requisitions, counts, loaners and tools',
      env: envSchema('TABLE_NAME'),
      trigger: { kind: 'http' },
      // Its movement events leave through the table's outbox.
      access: { table: 'write' },
      // A crowd on one stock item is served in turn (each loser retries from a fresh read): give the
      // last of them time, within API Gateway's 30 s.
      timeoutSeconds: 28,
    },
    'parts-alerts': {
      entry: 'functions/parts/alerts.ts',
      description:
        'Tells the parts clerks about a reorder or overstock crossing, once, with a purchase suggestion',
      env: envSchema('TABLE_NAME', 'MAIL_FROM', 'SES_CONFIGURATION_SET'),
      trigger: {
        kind: 'events',
        rules: [
          {
            name: 'parts-alerts',
            description: 'Reorder and overstock crossings to the parts clerks',
            pattern: { source: [EVENT_SOURCE], 'detail-type': ['Stock Level Crossed'] },
          },
        ],
      },
      access: { table: 'write', mail: 'send' },
      timeoutSeconds: 30,
    },
    'parts-jobs': {
      entry: 'functions/parts/jobs.ts',
      description: 'Daily stock-alert backstop and overdue reminders; monthly ABC classes and safety stock',
      env: envSchema('TABLE_NAME', 'MAIL_FROM', 'SES_CONFIGURATION_SET'),
      trigger: {
        kind: 'schedule',
        schedules: [
          {
            name: 'parts-daily',
            description: 'Stock alerts a failed delivery missed; reminders for overdue loaners and tools',
            expression: 'cron(0 7 * * ? *)',
            input: { job: 'daily' },
          },
          {
            name: 'parts-monthly',
            description: 'ABC classes from the last 365 days; safety stock of wear parts',
            expression: 'cron(0 2 1 * ? *)',
            input: { job: 'monthly' },
          },
        ],
      },
      access: { table: 'write', mail: 'send' },
      timeoutSeconds: 300,
    },
  },
  {
    'GET /parts/catalogue': {
      fn: 'parts-api',
      summary: 'The parts catalogue, by part number, with ABC classes',
      roles: catalogueReaders,
      query: pageQuerySchema,
    },
    'GET /parts/catalogue/{partNumber}': {
      fn: 'parts-api',
      summary:
        'A part: compatibility, unit, cost, wear flag, suppliers, ABC class (override flagged when it disagrees)',
      roles: catalogueReaders,
      params: partParams,
      errors: [404],
      etag: true,
    },
    'POST /parts/catalogue/{partNumber}': {
      fn: 'parts-api',
      summary: 'Create or replace a part',
      roles: clerks,
      params: partParams,
      body: partInputSchema,
      errors: [409],
      ifMatch: true,
    },
    'POST /parts/catalogue/{partNumber}/abc-override': {
      fn: 'parts-api',
      summary: "Override a part's ABC class (kept across monthly runs, flagged while it disagrees)",
      roles: ['manager'],
      params: partParams,
      body: abcOverrideSchema,
      errors: [404, 409],
    },
    'GET /parts/locations': {
      fn: 'parts-api',
      summary: 'Stock locations: branch warehouses and technicians’ vans',
      roles: stockReaders,
      query: pageQuerySchema,
    },
    'POST /parts/locations/{id}': {
      fn: 'parts-api',
      summary: 'Create or replace a stock location',
      roles: clerks,
      params: idParams,
      body: locationInputSchema,
      errors: [409],
      ifMatch: true,
    },
    'GET /parts/stock': {
      fn: 'parts-api',
      summary:
        'Stock by part (`?partNumber=`, every location) or by location (`?locationId=`): on hand, reserved, available, levels',
      roles: stockReaders,
      query: lazySchema(() =>
        z.strictObject({
          partNumber: z.optional(partNumber()),
          locationId: z.optional(partsId()),
          limit: limitParam,
          cursor: cursorParam,
        }),
      ),
      errors: [404],
    },
    'POST /parts/stock/{partNumber}/{locationId}': {
      fn: 'parts-api',
      summary: "Set a stock item's reorder and overstock levels",
      roles: clerks,
      params: { partNumber: lazySchema(() => partNumber()), locationId: lazySchema(() => partsId()) },
      body: stockSettingsSchema,
      errors: [404, 409],
    },
    'GET /parts/alerts': {
      fn: 'parts-api',
      summary: 'Stock items at or below their reorder point, or above their overstock level',
      roles: deskReaders,
    },
    'GET /parts/ledger': {
      fn: 'parts-api',
      summary:
        'Ledger entries by part, location (each optionally `?month=`), case, or month alone — one Query each, with sequence and balances after',
      roles: stockReaders,
      query: lazySchema(() =>
        z.strictObject({
          partNumber: z.optional(partNumber()),
          locationId: z.optional(partsId()),
          caseId: z.optional(caseRef()),
          month: z.optional(monthSchema),
          limit: limitParam,
          cursor: cursorParam,
        }),
      ),
      errors: [404],
    },
    'GET /parts/movements/{id}': {
      fn: 'parts-api',
      summary: 'A movement with its ledger positions',
      roles: deskReaders,
      params: idParams,
      errors: [404],
    },
    'POST /parts/receipts': {
      fn: 'parts-api',
      summary: 'Receive goods from a supplier (with the purchase reference)',
      roles: clerks,
      body: receiptSchema,
      ...movement,
    },
    'POST /parts/transfers': {
      fn: 'parts-api',
      summary: 'Transfer stock between locations (all lines or none)',
      roles: clerks,
      body: transferSchema,
      ...movement,
    },
    'POST /parts/scrap': {
      fn: 'parts-api',
      summary: 'Scrap stock, with the reason',
      roles: clerks,
      body: scrapSchema,
      ...movement,
    },
    'POST /parts/reservations': {
      fn: 'parts-api',
      summary: 'Reserve stock for a case (technicians: their own case, on their van)',
      roles: ['technician', 'parts_clerk', 'manager'],
      body: reservationSchema,
      ...movement,
    },
    'POST /parts/consumptions': {
      fn: 'parts-api',
      summary:
        'Consume parts on a case: name, model, quantity, reason (technicians: their own case, from their van)',
      roles: ['technician', 'manager'],
      body: consumptionSchema,
      ...movement,
    },
    'POST /parts/returns': {
      fn: 'parts-api',
      summary: 'Return parts to stock (from a case: never more than was consumed on it)',
      roles: ['technician', 'parts_clerk', 'manager'],
      body: returnSchema,
      ...movement,
    },
    'POST /parts/movements/{id}/reverse': {
      fn: 'parts-api',
      summary: 'Reverse a movement by a new one with the opposite quantities',
      roles: clerks,
      params: idParams,
      body: reversalSchema,
      ...movement,
    },
    'POST /parts/requisitions': {
      fn: 'parts-api',
      summary: 'Requisition parts from a warehouse to one’s van (for a case, optionally)',
      roles: ['technician', 'manager'],
      body: requisitionInputSchema,
      success: [201],
      errors: [404, 409],
    },
    'GET /parts/requisitions': {
      fn: 'parts-api',
      summary: 'Requisitions by status (`?status=`, default pending); technicians get their own',
      roles: stockReaders,
      query: lazySchema(() =>
        z.strictObject({
          status: z.optional(z.enum(requisitionStatuses)),
          limit: limitParam,
          cursor: cursorParam,
        }),
      ),
    },
    'GET /parts/requisitions/{id}': {
      fn: 'parts-api',
      summary: 'A requisition',
      roles: stockReaders,
      params: idParams,
      errors: [404],
    },
    'POST /parts/requisitions/{id}/decide': {
      fn: 'parts-api',
      summary: 'Approve or reject a requisition (above the supervisor’s limit: managers only)',
      roles: supervisors,
      params: idParams,
      body: decisionSchema,
      errors: [404, 409],
    },
    'POST /parts/requisitions/{id}/issue': {
      fn: 'parts-api',
      summary: 'Issue an approved requisition: warehouse → van, one movement',
      roles: clerks,
      params: idParams,
      body: issueSchema,
      errors: [404, 409],
    },
    'POST /parts/counts': {
      fn: 'parts-api',
      summary: 'Open a stock count of a location: book quantities snapshotted',
      roles: clerks,
      body: countInputSchema,
      success: [201],
      errors: [409],
    },
    'GET /parts/counts/{id}': {
      fn: 'parts-api',
      summary: 'A stock count and its lines',
      roles: deskReaders,
      params: idParams,
      errors: [404],
    },
    'POST /parts/counts/{id}/lines': {
      fn: 'parts-api',
      summary: 'Enter counted (physical) quantities',
      roles: clerks,
      params: idParams,
      body: countLinesSchema,
      errors: [404, 409],
    },
    'POST /parts/counts/{id}/approve': {
      fn: 'parts-api',
      summary: 'Approve a count: adjusts items unmoved since the snapshot, flags moved ones for recount',
      roles: supervisors,
      params: idParams,
      body: issueSchema,
      errors: [404, 409],
    },
    'GET /parts/purchase-suggestions': {
      fn: 'parts-api',
      summary: 'Purchase suggestions from reorder levels and lead times (`?status=`, default pending)',
      roles: ['parts_clerk', 'manager', 'ops'],
      query: lazySchema(() =>
        z.strictObject({
          status: z.optional(z.enum(['pending', 'approved', 'rejected'])),
          limit: limitParam,
          cursor: cursorParam,
        }),
      ),
    },
    'POST /parts/purchase-suggestions/{id}/decide': {
      fn: 'parts-api',
      summary: 'Approve a purchase suggestion into a purchase request, or reject it',
      roles: ['manager'],
      params: {
        id: lazySchema(() =>
          z
            .string()
            .check(z.maxLength(200), z.regex(/^PS-[A-Za-z0-9_.:-]{1,190}$/, 'expected a suggestion id')),
        ),
      },
      body: decisionSchema,
      errors: [404, 409],
    },
    'POST /parts/tools/{serial}': {
      fn: 'parts-api',
      summary: 'Register a loaner unit or valuable tool by serial number',
      roles: clerks,
      params: serialParams,
      body: toolInputSchema,
      success: [201],
      errors: [409],
    },
    'GET /parts/tools/{serial}': {
      fn: 'parts-api',
      summary: 'A loaner or tool: status, holder, expected return, history',
      roles: stockReaders,
      params: serialParams,
      errors: [404],
    },
    'POST /parts/tools/{serial}/issue': {
      fn: 'parts-api',
      summary: 'Issue a loaner to a customer against their case, or a tool to a technician',
      roles: ['technician', 'parts_clerk', 'manager'],
      params: serialParams,
      body: toolIssueSchema,
      errors: [404, 409],
    },
    'POST /parts/tools/{serial}/return': {
      fn: 'parts-api',
      summary: 'Take back a loaner or tool',
      roles: ['technician', 'parts_clerk', 'manager'],
      params: serialParams,
      body: toolReturnSchema,
      errors: [404, 409],
    },
    'POST /parts/tools/{serial}/lost': {
      fn: 'parts-api',
      summary: 'Write off a lost loaner or tool at its value',
      roles: clerks,
      params: serialParams,
      body: toolLostSchema,
      errors: [404, 409],
    },
    'GET /parts/overdue-tools': {
      fn: 'parts-api',
      summary: 'Loaners and tools out past their expected return date',
      roles: deskReaders,
    },
  },
);
