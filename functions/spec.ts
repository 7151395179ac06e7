/**
 * How a domain declares its functions and routes. Each domain's `catalog.ts` lists its functions — entry
 * file, environment schema, trigger, what it may touch — and its routes; `functions/catalog.ts` gathers
 * the domains. The CDK stacks and the local runtime derive everything from these declarations: bundles,
 * environment, grants, event rules, schedules, API routes and the OpenAPI document.
 */
import type * as z from 'zod/mini';
import type { EventPattern } from '../events/rules.ts';
import type { Role } from '../shared/auth/actor.ts';
import type { EnvSchema } from '../shared/config/env.ts';

/** A rule on the domain bus delivering to the function (through an SQS queue with a DLQ). */
export interface EventRuleSpec {
  /** Stable name, unique across the catalogue; also the construct id. */
  name: string;
  description: string;
  pattern: EventPattern;
}

/** A named recurring schedule (EventBridge Scheduler), the same name in the cloud and locally. */
export interface ScheduleSpec {
  /** Unique within its group. */
  name: string;
  description: string;
  /** Scheduler expression, e.g. `cron(0 8 * * ? *)`, evaluated in the deployment's default timezone. */
  expression: string;
  /** The function's input. */
  input: Record<string, unknown>;
}

/**
 * A Step Functions state machine whose definition is an ASL file in the repository: CDK deploys it with
 * `DefinitionBody.fromFile` and the local runtime executes the same file.
 */
export interface WorkflowSpec {
  /** Unique across the catalogue: construct id, local state machine name, what `access.workflow` names. */
  name: string;
  description: string;
  /** The ASL file (JSONPath), relative to the repo root. */
  definitionFile: string;
  /** The `${Name}` placeholder of the definition that stands for its task function's ARN. */
  taskFunctionSubstitution: string;
}

/** What starts a function. */
export type Trigger =
  /** API Gateway routes (declared in the domain's `routes`). */
  | { kind: 'http' }
  /** Domain events matching the rules. */
  | { kind: 'events'; rules: readonly EventRuleSpec[] }
  /** Recurring schedules in the job schedule group. */
  | { kind: 'schedule'; schedules: readonly ScheduleSpec[] }
  /**
   * The target of the one-time schedules other functions create at run time in the timer group, and of
   * the named recurring ones listed here (same group).
   */
  | { kind: 'timers'; schedules: readonly ScheduleSpec[] }
  /** New table items carrying an outbox (the table stream). */
  | { kind: 'stream' }
  /** Raw e-mail stored by SES receiving in the inbound bucket under `prefix`. */
  | { kind: 'inbound-mail'; prefix: string }
  /**
   * Cognito's pre token generation trigger (event version 2) of the user pool: shapes the claims of every
   * ID and access token the pool issues. Deployed with the pool (Identity stack), not with the API; it
   * does not run locally, where there is no Cognito and the token command mints tokens directly.
   */
  | { kind: 'identity-token' }
  /** The task function of a workflow: its Task states invoke it (plain and `.waitForTaskToken`). */
  | { kind: 'workflow-task'; workflow: WorkflowSpec };

/** The resources a function may touch; grants (CDK) follow from this and nothing else. */
export interface Access {
  table?: 'read' | 'write';
  /** PutEvents on the domain bus. */
  bus?: 'publish';
  /** SLA timers: `manage` creates and deletes one-time schedules, `delete` only removes them. */
  timers?: 'manage' | 'delete';
  /** Sends e-mail through the SES identity and configuration set. */
  mail?: 'send';
  /** Reads (S3 GetObject) raw inbound e-mail under its trigger's prefix. */
  inboundMail?: 'read';
  /** Uses the survey link key. */
  surveyKey?: 'use';
  /** Reads a user of the pool with its second factors (`cognito-idp:AdminGetUser`), nothing else. */
  users?: 'read-mfa';
  /**
   * A workflow of the catalogue, by name: `start` starts executions (`states:StartExecution` on it),
   * `respond` answers its waiting task tokens (`SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`).
   */
  workflow?: { name: string; may: readonly ('start' | 'respond')[] };
}

export interface FunctionSpec<S extends EnvSchema = EnvSchema> {
  /** Source file, relative to the repo root; exports `handler`. */
  entry: string;
  description: string;
  /** The schema the function validates its environment with at cold start. */
  env: S;
  trigger: Trigger;
  access: Access;
  /** @default 10 seconds (API Gateway gives up after 30) */
  timeoutSeconds?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** `METHOD /path/{param}`, as API Gateway names routes. */
export type RouteKey = `${HttpMethod} /${string}`;

export interface RouteSpec<F extends string = string> {
  /** The function serving the route. */
  fn: F;
  summary: string;
  /** What the operation does, for the API reference (the summary is used when absent). */
  description?: string;
  /** Roles that may call it at all (others get 403, enforced by the HTTP bundle); ownership rules may still answer 404. */
  roles: readonly Role[] | 'public';
  /**
   * One schema per `{name}` of the path (checked by {@link domainModule}); the HTTP bundle validates them
   * before the operation runs (400 naming `path.<name>`), so no store sees a key it could not hold.
   */
  params?: Record<string, z.ZodMiniType>;
  /** The query string (a strict object: unknown parameters are refused, named `query.<name>`). */
  query?: z.ZodMiniType;
  /** The JSON body: the bundle refuses anything but an object when this is set. */
  body?: z.ZodMiniType;
  /** An HTML form body (documentation only: the page parses it and answers with the form). */
  form?: z.ZodMiniType;
  /** The success body, documented and checked by the contract test. */
  response?: z.ZodMiniType;
  /** Answers HTML pages (public links) rather than JSON. */
  html?: true;
  /** Success statuses besides the default 200 (e.g. 201 for creates). */
  success?: readonly number[];
  /** Error statuses the operation itself answers beyond those the bundle and gateway give every route. */
  errors?: readonly number[];
  /** Takes `If-Match` (optimistic locking) and answers the record's `ETag`. */
  ifMatch?: true;
  /** Answers the record's `ETag` (without taking `If-Match`). */
  etag?: true;
  /** Takes an `Idempotency-Key`; a key reused with another body is a 422. */
  idempotencyKey?: true;
}

/** A domain: its functions and its routes (route key → spec). */
export interface DomainModule<
  Fns extends Record<string, FunctionSpec> = Record<string, FunctionSpec>,
  Routes extends Record<RouteKey, RouteSpec<keyof Fns & string>> = Record<
    RouteKey,
    RouteSpec<keyof Fns & string>
  >,
> {
  name: string;
  functions: Fns;
  routes: Routes;
}

/** Declares a domain module, checking that every route names one of the domain's HTTP functions. */
export function domainModule<
  const Fns extends Record<string, FunctionSpec>,
  const Routes extends Record<RouteKey, RouteSpec<keyof Fns & string>>,
>(name: string, functions: Fns, routes: Routes): DomainModule<Fns, Routes> {
  for (const [key, route] of Object.entries(routes) as [string, RouteSpec][]) {
    const fn = functions[route.fn];
    if (fn?.trigger.kind !== 'http')
      throw new Error(`${name}: route ${key} names ${route.fn}, which is not an HTTP function of ${name}`);
    const inPath = [...key.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort();
    const declared = Object.keys(route.params ?? {}).sort();
    if (inPath.join() !== declared.join())
      throw new Error(
        `${name}: route ${key} declares path parameters [${declared}], its path has [${inPath}]`,
      );
  }
  return { name, functions, routes };
}

/** The route keys a function serves. */
export type RoutesOf<M extends DomainModule, F extends keyof M['functions']> = {
  [K in keyof M['routes']]: M['routes'][K] extends RouteSpec<infer G> ? (G extends F ? K : never) : never;
}[keyof M['routes']] &
  RouteKey;

export const splitRouteKey = (key: string): { method: HttpMethod; path: string } => {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path };
};
