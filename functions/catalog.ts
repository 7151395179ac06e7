/**
 * Every Lambda function and every HTTP route, as data. The CDK API stack creates one function per
 * entry and one API Gateway route per route; the local server (`infra/local`) imports the same entry
 * files and routes requests by the same route keys. Request schemas here also generate `/openapi.json`.
 */
import type * as z from 'zod/mini';
import { type Role, roles } from '../shared/auth/actor.ts';
import { caseCommandNames, caseCommands } from '../shared/cases/commands.ts';
import { intakeSchema } from '../shared/cases/model.ts';
import { WorkingCalendarSchema } from '../shared/sla/calendar.ts';
import { SlaPolicySchema } from '../shared/sla/policy.ts';

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
    publishesEvents: false,
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
    publishesEvents: false,
  },
  openapi: {
    entry: 'functions/api/openapi.ts',
    description: 'Serves the OpenAPI document',
    writesTable: false,
    publishesEvents: false,
  },
  'sla-api': {
    entry: 'functions/sla/api.ts',
    description: 'SLA calendars and policies, case milestones, the dispatch queue and SLA measures',
    writesTable: true,
    // Its events leave through the table's outbox.
    publishesEvents: false,
  },
  'survey-page': {
    entry: 'functions/surveys/page.ts',
    description: 'Public survey page: shows the card form for a signed link and records the answer once',
    writesTable: true,
    publishesEvents: false,
  },
  'survey-staff': {
    entry: 'functions/surveys/staff.ts',
    description:
      'Survey scorecards, phone follow-ups, flagged replies, survey complaints and supervisor visits',
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
  'sla-clock': {
    entry: 'functions/sla/clock.ts',
    description: 'Keeps SLA milestones, their timers and the dispatch queue in line with each case',
    writesTable: true,
    publishesEvents: false,
  },
  'sla-timer': {
    entry: 'functions/sla/timer.ts',
    description: 'Target of the SLA schedules: escalation ladder and next-morning priority',
    writesTable: true,
    // Its events leave through the table's outbox.
    publishesEvents: false,
  },
} as const satisfies Record<string, FunctionSpec>;

/**
 * Functions started by something other than the API or a domain-event rule (a schedule, an S3
 * notification). The survey stack (`infra/stacks/survey-stack.ts`) creates them with their own
 * environment and grants; locally `infra/local/surveys.ts` invokes the same entries.
 */
export const jobFunctions = {
  'survey-dispatch': {
    entry: 'functions/surveys/dispatch.ts',
    description: "Morning survey run: cards for yesterday's completed cases, phone follow-ups, reminders",
    writesTable: true,
    publishesEvents: false,
  },
  'survey-inbound': {
    entry: 'functions/surveys/inbound.ts',
    description: 'Reads survey e-mail replies stored by SES in S3 and records their answers',
    writesTable: true,
    publishesEvents: false,
  },
} as const satisfies Record<string, FunctionSpec>;

/**
 * Functions fed by the table stream. `event-relay` publishes the domain events that writes put in their
 * items' outbox (`events/outbox.ts`); its event source mapping filters with `outboxStreamFilter`.
 */
export const streamFunctions = {
  'event-relay': {
    entry: 'functions/consumers/event-relay.ts',
    description: 'Relays domain events from the table stream (transactional outbox) to the bus',
    writesTable: false,
    publishesEvents: true,
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
  {
    method: 'GET',
    path: '/cases/{id}/sla',
    fn: 'sla-api',
    summary: 'SLA milestones of a case: due, met, breached, paused minutes, escalations',
    roles: ['agent', 'dispatcher', 'parts_clerk', 'manager', 'ops'],
  },
  {
    method: 'GET',
    path: '/dispatch/queue',
    fn: 'sla-api',
    summary: 'Requests waiting for dispatch: next-morning priority first, then by arrival due time',
    roles: ['dispatcher', 'manager'],
  },
  {
    method: 'GET',
    path: '/sla/branches/{id}/calendar',
    fn: 'sla-api',
    summary: "A branch's working-time calendar",
    roles: ['agent', 'dispatcher', 'parts_clerk', 'manager', 'ops'],
  },
  {
    method: 'POST',
    path: '/sla/branches/{id}/calendar',
    fn: 'sla-api',
    summary:
      "Replace a branch's working-time calendar (hours, weekdays, holidays, make-up days); omitted fields take their defaults",
    roles: ['manager'],
    body: WorkingCalendarSchema,
  },
  {
    method: 'GET',
    path: '/sla/branches/{id}/policy',
    fn: 'sla-api',
    summary: "A branch's SLA policy: time limits, escalation ladder, contacts",
    roles: ['agent', 'dispatcher', 'parts_clerk', 'manager', 'ops'],
  },
  {
    method: 'POST',
    path: '/sla/branches/{id}/policy',
    fn: 'sla-api',
    summary: "Replace a branch's SLA policy; omitted fields take the SPEC defaults",
    roles: ['manager'],
    body: SlaPolicySchema,
  },
  {
    method: 'GET',
    path: '/sla/measures',
    fn: 'sla-api',
    summary: 'On-time rate and average time per milestone type, per branch and month',
    roles: ['manager', 'ops'],
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
  {
    method: 'GET',
    path: '/survey/{token}',
    fn: 'survey-page',
    summary: 'Survey page of a signed card link (HTML, no login)',
    roles: 'public',
  },
  {
    method: 'POST',
    path: '/survey/{token}',
    fn: 'survey-page',
    summary: 'Answer a survey card once (HTML form post)',
    roles: 'public',
  },
  {
    method: 'GET',
    path: '/surveys/scorecard/{month}',
    fn: 'survey-staff',
    summary: 'Technician scorecards of a month and the company average vs the 4.5 target',
    roles: ['manager', 'ops'],
  },
  {
    method: 'GET',
    path: '/surveys/phone-follow-ups',
    fn: 'survey-staff',
    summary: 'Served customers without e-mail, to survey by phone',
    roles: ['agent', 'dispatcher', 'manager'],
  },
  {
    method: 'GET',
    path: '/surveys/flagged-replies',
    fn: 'survey-staff',
    summary: 'Survey e-mail replies a person must read',
    roles: ['agent', 'dispatcher', 'manager'],
  },
  {
    method: 'GET',
    path: '/complaints',
    fn: 'survey-staff',
    summary: 'Open complaints (raised from surveys)',
    roles: ['agent', 'dispatcher', 'manager'],
  },
  {
    method: 'GET',
    path: '/tasks/supervisor-visits',
    fn: 'survey-staff',
    summary: 'Open supervisor visits to complaining customers',
    roles: ['dispatcher', 'manager'],
  },
];

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method} ${r.path}`;
export const allRoles = roles;

/** Stage throttling (requests per second, burst), the same on API Gateway and the local server. */
export const THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;
