/** The cases domain (SPEC §3–4): intake, reads, and every action on a case. */

import type { Role } from '../../shared/auth/actor.ts';
import { type CaseCommandName, caseCommandNames, caseCommands } from '../../shared/cases/commands.ts';
import { caseIdSchema, intakeSchema } from '../../shared/cases/model.ts';
import { envSchema } from '../../shared/config/env.ts';
import { monthSchema, pageQuerySchema } from '../../shared/http/query.ts';
import { domainModule, type RouteSpec } from '../spec.ts';
import { listQuerySchema } from './query.ts';
import { caseListSchema, caseViewSchema, registerPageSchema } from './responses.ts';

const caseEnv = envSchema('TABLE_NAME');
/** Who reads case records: the customer (own), service staff, the technician (assigned). Not parts clerks or ops. */
const readers: Role[] = ['customer', 'agent', 'dispatcher', 'technician', 'manager'];
const caseParams = { id: caseIdSchema };

type CommandRouteKey = `POST /cases/{id}/${CaseCommandName}`;
export const commandRouteKey = (name: CaseCommandName): CommandRouteKey => `POST /cases/{id}/${name}`;

const commandRoutes = Object.fromEntries(
  caseCommandNames.map((name) => [
    commandRouteKey(name),
    {
      fn: 'case-command',
      summary: caseCommands[name].summary,
      description: `${caseCommands[name].summary}. Send \`If-Match\` with the case's ETag to act only on the version you read.`,
      roles: caseCommands[name].roles,
      params: caseParams,
      body: caseCommands[name].input,
      response: caseViewSchema,
      errors: [404, 409],
      ifMatch: true,
    },
  ]),
) as unknown as Record<
  CommandRouteKey,
  RouteSpec<'case-command'> & { params: typeof caseParams; ifMatch: true }
>;

export const cases = domainModule(
  'cases',
  {
    'case-intake': {
      entry: 'functions/cases/intake.ts',
      description: 'Registers service requests',
      env: caseEnv,
      trigger: { kind: 'http' },
      access: { table: 'write' },
    },
    'case-read': {
      entry: 'functions/cases/read.ts',
      description: 'Reads cases, timelines and the goods register',
      env: caseEnv,
      trigger: { kind: 'http' },
      access: { table: 'read' },
    },
    'case-command': {
      entry: 'functions/cases/command.ts',
      description: 'Runs actions on cases',
      env: caseEnv,
      trigger: { kind: 'http' },
      access: { table: 'write' },
    },
  },
  {
    'POST /cases': {
      fn: 'case-intake',
      summary: 'Register a service request',
      description:
        'Registers a request on any channel. Customers register their own through the portal or app; ' +
        'agents and managers register calls, letters and visits for any customer. With an ' +
        '`Idempotency-Key`, a retry answers 200 with the case the first attempt created.',
      // Reception registers requests; supervisors are handed them to dispatch.
      roles: ['customer', 'agent', 'manager'],
      body: intakeSchema,
      response: caseViewSchema,
      success: [201],
      errors: [422],
      etag: true,
      idempotencyKey: true,
    },
    'GET /cases': {
      fn: 'case-read',
      summary: 'List cases by customer, technician, status or day',
      description:
        'One access pattern per call: staff filter by customer, technician, status or creation day ' +
        '(today when none is given); customers always get their own cases, technicians their open assignments.',
      roles: readers,
      query: listQuerySchema,
      response: caseListSchema,
    },
    'GET /cases/{id}': {
      fn: 'case-read',
      summary: 'Read a case',
      description:
        'Staff and the assigned technician get the full record; the customer gets their view of it.',
      roles: readers,
      params: caseParams,
      response: caseViewSchema,
      errors: [404],
      etag: true,
    },
    'GET /cases/{id}/timeline': {
      fn: 'case-read',
      summary:
        'Every change of a case: who, role, when, what (customers: the visible status changes, technician and arrival window of their own case)',
      roles: readers,
      params: caseParams,
      errors: [404],
    },
    'GET /register/{month}': {
      fn: 'case-read',
      summary: 'Workshop goods in/out register of a month',
      roles: ['agent', 'dispatcher', 'manager'],
      params: { month: monthSchema },
      query: pageQuerySchema,
      response: registerPageSchema,
    },
    ...commandRoutes,
  },
);
