/**
 * Every Lambda function and every HTTP route, as data. The CDK API stack creates one function per
 * entry and one API Gateway route per route; the local server (`infra/local`) imports the same entry
 * files and routes requests by the same route keys. Request schemas here also generate `/openapi.json`.
 */
import type * as z from 'zod/mini';
import { type Role, roles } from '../shared/auth/actor.ts';
import { caseCommandNames, caseCommands } from '../shared/cases/commands.ts';
import { intakeSchema } from '../shared/cases/model.ts';

export interface FunctionSpec {
  /** Source file, relative to the repo root; exports `handler`. */
  entry: string;
  description: string;
  /** Needs write access to the table (read access is always granted to table users). */
  writesTable: boolean;
  publishesEvents: boolean;
}

export const httpFunctions = {
  'case-intake': {
    entry: 'functions/api/case-intake.ts',
    description: 'Registers service requests',
    writesTable: true,
    publishesEvents: true,
  },
  'case-read': {
    entry: 'functions/api/case-read.ts',
    description: 'Reads cases, timelines and the goods register',
    writesTable: false,
    publishesEvents: false,
  },
  'case-command': {
    entry: 'functions/api/case-command.ts',
    description: 'Runs actions on cases',
    writesTable: true,
    publishesEvents: true,
  },
  openapi: {
    entry: 'functions/api/openapi.ts',
    description: 'Serves the OpenAPI document',
    writesTable: false,
    publishesEvents: false,
  },
} as const satisfies Record<string, FunctionSpec>;
export type HttpFunctionId = keyof typeof httpFunctions;

export const consumerFunctions = {
  audit: {
    entry: 'functions/consumers/audit.ts',
    description: 'Logs case events for ops',
    writesTable: false,
    publishesEvents: false,
  },
} as const satisfies Record<string, FunctionSpec>;

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  fn: HttpFunctionId;
  summary: string;
  /** Roles that may call it at all (others get 403); ownership rules may still answer 404. */
  roles: readonly Role[] | 'public';
  body?: z.ZodMiniType;
}

const readers: Role[] = ['customer', 'agent', 'dispatcher', 'technician', 'parts_clerk', 'manager', 'ops'];

export const routes: RouteSpec[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    fn: 'openapi',
    summary: 'This API as OpenAPI 3.1',
    roles: 'public',
  },
  {
    method: 'POST',
    path: '/cases',
    fn: 'case-intake',
    summary: 'Register a service request',
    roles: ['customer', 'agent', 'dispatcher', 'manager'],
    body: intakeSchema,
  },
  {
    method: 'GET',
    path: '/cases',
    fn: 'case-read',
    summary: 'List cases by customer, technician, status or day',
    roles: readers,
  },
  { method: 'GET', path: '/cases/{id}', fn: 'case-read', summary: 'Read a case', roles: readers },
  {
    method: 'GET',
    path: '/cases/{id}/timeline',
    fn: 'case-read',
    summary: 'Every change of a case: who, role, when, what',
    roles: ['agent', 'dispatcher', 'technician', 'parts_clerk', 'manager', 'ops'],
  },
  {
    method: 'GET',
    path: '/register/{month}',
    fn: 'case-read',
    summary: 'Workshop goods in/out register of a month',
    roles: ['agent', 'dispatcher', 'parts_clerk', 'manager', 'ops'],
  },
  ...caseCommandNames.map(
    (name): RouteSpec => ({
      method: 'POST',
      path: `/cases/{id}/${name}`,
      fn: 'case-command',
      summary: `Case action: ${name}`,
      roles: caseCommands[name].roles,
      body: caseCommands[name].input,
    }),
  ),
];

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method} ${r.path}`;
export const allRoles = roles;

/** Stage throttling (requests per second, burst), the same on API Gateway and the local server. */
export const THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;
