/** The cases domain (SPEC §3–4): intake, reads, and every action on a case. */

import type { Role } from '../../shared/auth/actor.ts';
import { type CaseCommandName, caseCommandNames, caseCommands } from '../../shared/cases/commands.ts';
import { intakeSchema } from '../../shared/cases/model.ts';
import { envSchema } from '../../shared/config/env.ts';
import { domainModule, type RouteSpec } from '../spec.ts';

const caseEnv = envSchema('TABLE_NAME');
/** Who reads case records: the customer (own), service staff, the technician (assigned). Not parts clerks or ops. */
const readers: Role[] = ['customer', 'agent', 'dispatcher', 'technician', 'manager'];

type CommandRouteKey = `POST /cases/{id}/${CaseCommandName}`;
export const commandRouteKey = (name: CaseCommandName): CommandRouteKey => `POST /cases/{id}/${name}`;

const commandRoutes = Object.fromEntries(
  caseCommandNames.map((name) => [
    commandRouteKey(name),
    {
      fn: 'case-command',
      summary: `Case action: ${name}`,
      roles: caseCommands[name].roles,
      body: caseCommands[name].input,
    },
  ]),
) as unknown as Record<CommandRouteKey, RouteSpec<'case-command'>>;

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
      // Reception registers requests; supervisors are handed them to dispatch.
      roles: ['customer', 'agent', 'manager'],
      body: intakeSchema,
    },
    'GET /cases': {
      fn: 'case-read',
      summary: 'List cases by customer, technician, status or day',
      roles: readers,
    },
    'GET /cases/{id}': { fn: 'case-read', summary: 'Read a case', roles: readers },
    'GET /cases/{id}/timeline': {
      fn: 'case-read',
      summary:
        'Every change of a case: who, role, when, what (customers: the visible status changes, technician and arrival window of their own case)',
      roles: readers,
    },
    'GET /register/{month}': {
      fn: 'case-read',
      summary: 'Workshop goods in/out register of a month',
      roles: ['agent', 'dispatcher', 'manager'],
    },
    ...commandRoutes,
  },
);
