/**
 * The warranty domain (SPEC §6, §6a): warranty terms and promotions per product line, a unit's warranty
 * per component, billing lines and invoices of cases, maintenance contracts with their renewal run, and
 * returns and exchanges with their answer deadline.
 */
import * as z from 'zod/mini';
import type { Role } from '../../shared/auth/actor.ts';
import { branchIdSchema, DEFAULT_BRANCH_ID } from '../../shared/branches/defaults.ts';
import { caseIdSchema } from '../../shared/cases/model.ts';
import { envSchema, SLA_TIMER_ENV } from '../../shared/config/env.ts';
import { productLine, recordId, serialNumber } from '../../shared/directory/model.ts';
import { cursorParam, limitParam, monthSchema } from '../../shared/http/query.ts';
import { isoDate, lazySchema } from '../../shared/validation.ts';
import {
  callOutcomeSchema,
  cancelInputSchema,
  contractChangeInputSchema,
  contractInputSchema,
  promotionInputSchema,
  renewInputSchema,
  returnApplicationSchema,
  returnDecisionSchema,
  returnReceiptSchema,
  returnRulesInputSchema,
  returnShipmentSchema,
  returnStatuses,
  termsInputSchema,
} from '../../shared/warranty/model.ts';
import { domainModule } from '../spec.ts';

/** Published terms and rules: everyone who deals with customers or takes returns in; not ops. */
const lineReaders: Role[] = ['customer', 'agent', 'dispatcher', 'technician', 'parts_clerk', 'manager'];
/** A unit's warranty and a case's bill: the customer (own), service staff, the assigned technician. */
const caseReaders: Role[] = ['customer', 'agent', 'dispatcher', 'technician', 'manager'];
/** Contracts: the customer (own) and service staff; reception and managers write them. */
const contractReaders: Role[] = ['customer', 'agent', 'dispatcher', 'manager'];
const contractWriters: Role[] = ['agent', 'manager'];
/** Returns: the customer (own), service staff, the parts clerk who takes the unit in. */
const returnReaders: Role[] = ['customer', 'agent', 'dispatcher', 'parts_clerk', 'manager'];

const lineParams = { productLine: lazySchema(() => productLine()) };
const contractId = lazySchema(() =>
  z
    .string()
    .check(z.maxLength(32), z.regex(/^MC-\d{8}-\d{4,12}$/, 'expected a contract number MC-YYYYMMDD-NNNN')),
);
const returnId = lazySchema(() =>
  z
    .string()
    .check(z.maxLength(32), z.regex(/^RT-\d{8}-\d{4,12}$/, 'expected a return number RT-YYYYMMDD-NNNN')),
);

const apiEnv = lazySchema(() => envSchema('TABLE_NAME', ...SLA_TIMER_ENV));

export const warranty = domainModule(
  'warranty',
  {
    'warranty-api': {
      entry: 'functions/warranty/api.ts',
      description: 'Warranty terms, unit warranty, billing and invoices, maintenance contracts, returns',
      env: apiEnv,
      trigger: { kind: 'http' },
      // Changes leave their events through the table's outbox; a return sets its answer deadline's timers.
      access: { table: 'write', timers: 'manage' },
    },
  },
  {
    'GET /warranty/lines/{productLine}': {
      fn: 'warranty-api',
      summary: "A product line's published warranty terms, promotions and return and exchange rules",
      roles: lineReaders,
      params: lineParams,
    },
    'POST /warranty/lines/{productLine}/terms': {
      fn: 'warranty-api',
      summary: "Replace a product line's warranty terms: parts and labour per component class, start basis",
      roles: ['manager'],
      params: lineParams,
      body: termsInputSchema,
      ifMatch: true,
      errors: [409],
    },
    'POST /warranty/lines/{productLine}/promotions': {
      fn: 'warranty-api',
      summary: 'Record a promotion that extends or changes a term for units bought between two dates',
      roles: ['manager'],
      params: lineParams,
      body: promotionInputSchema,
      success: [201],
      errors: [409],
    },
    'POST /warranty/lines/{productLine}/return-rules': {
      fn: 'warranty-api',
      summary:
        "Publish a product line's return and exchange rules: days since purchase, conditions, answer time",
      roles: ['manager'],
      params: lineParams,
      body: returnRulesInputSchema,
      errors: [409],
    },
    'GET /warranty/units/{id}': {
      fn: 'warranty-api',
      summary:
        "A unit's warranty per component on a day (`?on=`, default today), and the contract covering it",
      roles: caseReaders,
      params: { id: lazySchema(() => serialNumber()) },
      query: lazySchema(() => z.strictObject({ on: z.optional(isoDate()) })),
      errors: [404],
    },
    'GET /cases/{id}/billing': {
      fn: 'warranty-api',
      summary:
        "A case's billing lines (labour, each part) categorized warranty / contract / paid, totals, invoice",
      roles: caseReaders,
      params: { id: caseIdSchema },
      errors: [404, 409],
    },
    'POST /cases/{id}/invoice': {
      fn: 'warranty-api',
      summary: "Issue the invoice of a case's paid lines (once; no payment is processed)",
      roles: ['agent', 'technician', 'manager'],
      params: { id: caseIdSchema },
      body: lazySchema(() => z.strictObject({})),
      success: [201],
      errors: [404, 409],
    },
    'POST /contracts': {
      fn: 'warranty-api',
      summary: 'Record a maintenance contract: customer, units, term, inclusions, price, service person',
      roles: contractWriters,
      body: contractInputSchema,
      success: [201],
      errors: [409],
    },
    'GET /contracts': {
      fn: 'warranty-api',
      summary: "A customer's contracts (`?customerId=`; customers get their own)",
      roles: contractReaders,
      query: lazySchema(() =>
        z.strictObject({ customerId: z.optional(recordId()), limit: limitParam, cursor: cursorParam }),
      ),
    },
    'GET /contracts/{id}': {
      fn: 'warranty-api',
      summary: 'A maintenance contract with its terms and status',
      roles: contractReaders,
      params: { id: contractId },
      errors: [404],
    },
    'POST /contracts/{id}': {
      fn: 'warranty-api',
      summary: 'Change a contract (units, end, inclusions, price, service person, reminders) with a reason',
      roles: contractWriters,
      params: { id: contractId },
      body: contractChangeInputSchema,
      ifMatch: true,
      errors: [404, 409],
    },
    'POST /contracts/{id}/renew': {
      fn: 'warranty-api',
      summary: 'Renew a contract: the next term follows the current one',
      roles: contractWriters,
      params: { id: contractId },
      body: renewInputSchema,
      ifMatch: true,
      errors: [404, 409],
    },
    'POST /contracts/{id}/cancel': {
      fn: 'warranty-api',
      summary: 'Cancel a contract, with a reason',
      roles: contractWriters,
      params: { id: contractId },
      body: cancelInputSchema,
      errors: [404, 409],
    },
    'GET /tasks/renewals': {
      fn: 'warranty-api',
      summary: "A service person's contract renewal follow-ups (`?assigneeId=`, default me)",
      roles: ['agent', 'dispatcher', 'manager'],
      query: lazySchema(() =>
        z.strictObject({ assigneeId: z.optional(recordId()), limit: limitParam, cursor: cursorParam }),
      ),
    },
    'GET /warranty/courtesy-calls': {
      fn: 'warranty-api',
      summary: "A branch's courtesy call list of a month: its customers' units in their free warranty",
      roles: ['agent', 'dispatcher', 'manager'],
      query: lazySchema(() =>
        z.strictObject({
          branchId: z._default(branchIdSchema, DEFAULT_BRANCH_ID),
          month: z.optional(monthSchema),
          limit: limitParam,
          cursor: cursorParam,
        }),
      ),
    },
    'POST /warranty/courtesy-calls/{branchId}/{month}/{serial}': {
      fn: 'warranty-api',
      summary: 'Record how a courtesy call went',
      roles: ['agent', 'manager'],
      params: { branchId: branchIdSchema, month: monthSchema, serial: lazySchema(() => serialNumber()) },
      body: callOutcomeSchema,
      errors: [404, 409],
    },
    'POST /returns': {
      fn: 'warranty-api',
      summary:
        'Apply for a return or exchange (customers: their own units); checked against the published rules',
      roles: ['customer', 'agent', 'manager'],
      body: returnApplicationSchema,
      success: [201],
    },
    'GET /returns': {
      fn: 'warranty-api',
      summary:
        'Return applications by status (`?status=`, default awaiting an answer); customers get their own',
      roles: returnReaders,
      query: lazySchema(() =>
        z.strictObject({
          status: z.optional(z.enum(returnStatuses)),
          limit: limitParam,
          cursor: cursorParam,
        }),
      ),
    },
    'GET /returns/{id}': {
      fn: 'warranty-api',
      summary: 'A return or exchange: rules check, deadline, decision, shipping, receipt',
      roles: returnReaders,
      params: { id: returnId },
      errors: [404],
    },
    'POST /returns/{id}/decide': {
      fn: 'warranty-api',
      summary: 'Answer an application: approve or reject, with the cause and the responsible department',
      roles: ['dispatcher', 'manager'],
      params: { id: returnId },
      body: returnDecisionSchema,
      ifMatch: true,
      errors: [404, 409],
    },
    'POST /returns/{id}/ship': {
      fn: 'warranty-api',
      summary: 'Record the shipping of an approved return or exchange',
      roles: ['agent', 'dispatcher', 'manager'],
      params: { id: returnId },
      body: returnShipmentSchema,
      errors: [404, 409],
    },
    'POST /returns/{id}/receive': {
      fn: 'warranty-api',
      summary: 'Take a returned unit in: into stock or scrap through the parts ledger',
      roles: ['parts_clerk', 'manager'],
      params: { id: returnId },
      body: returnReceiptSchema,
      errors: [404, 409],
    },
  },
);
