/**
 * The middleware bundle of every HTTP function (API Gateway HTTP API, payload v2): the function's
 * environment validated, one operation per route key (typed: a route without an operation, or an
 * operation without a route, fails the type check), the route's roles enforced, body limits and parsing,
 * the caller from the JWT authorizer's claims, structured logs and EMF metrics, and every error as
 * problem+json (or as a page, for public HTML routes).
 */
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import * as z from 'zod/mini';
import type { DomainModule, RouteKey, RouteSpec, RoutesOf } from '../../functions/spec.ts';
import { type Actor, actorFromClaims, hasRole } from '../auth/actor.ts';
import {
  ForbiddenError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors.ts';
import { type EnvOf, functionEnv } from '../runtime/function-env.ts';
import { beginInvocation, endInvocation, log } from '../runtime/observability.ts';
import { lazySchema, parseInput } from '../validation.ts';
import { SECURITY_HEADERS } from './headers.ts';
import { PROBLEM_CONTENT_TYPE, type Problem, problemFor } from './problem.ts';

/** Requests larger than this are refused before parsing (API Gateway allows 10 MB; we need far less). */
export const MAX_BODY_BYTES = 64 * 1024;

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

export interface HttpRequest<
  Env = Record<string, string>,
  Params = Record<string, string>,
  Query = Record<string, string | undefined>,
> {
  /** The caller; reading it on a request without a verified token is a 401. */
  readonly actor: Actor;
  /**
   * Parsed JSON body (an object, valid against the route's `body` schema), or undefined when the
   * request had none.
   */
  readonly body: unknown;
  /** Path parameters, validated against the route's `params`. */
  readonly params: Params;
  /** Query parameters, validated against the route's `query` (none allowed when it has none). */
  readonly query: Query;
  readonly headers: Record<string, string>;
  readonly routeKey: RouteKey;
  readonly method: string;
  /** The function's validated environment. */
  readonly env: Env;
  /**
   * The raw `application/x-www-form-urlencoded` body (empty when there is none). Read on demand, so a
   * handler can refuse a bad link before it looks at what was posted to it.
   * @throws UnsupportedMediaTypeError, PayloadTooLargeError
   */
  readForm(): string;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  /** A body sent as it is (e.g. CSV), with its `content-type`; instead of the JSON `body`. */
  text?: { contentType: string; body: string };
  headers?: Record<string, string>;
}

export interface HtmlResult {
  status: number;
  html: string;
  headers?: Record<string, string>;
}

/**
 * Headers of every HTML page: no caching (the URL is a credential), no referrer (it would leak the URL to
 * any site linked from the page), and a policy that allows nothing but the page's own inline styles and
 * forms posting back to the same origin — the pages have no scripts at all.
 */
export const HTML_PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function rawBody(event: HttpEvent): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  return raw;
}

/** The request's media type, refused unless `accepts` it. */
function requireMediaType(event: HttpEvent, accepts: (type: string) => boolean, expected: string): void {
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!accepts(type))
    throw new UnsupportedMediaTypeError(`send ${expected}, not ${type || 'no content type'}`);
}

function parseJsonBody(event: HttpEvent): unknown {
  const raw = rawBody(event);
  if (raw === undefined) return undefined;
  requireMediaType(event, (t) => t === 'application/json' || t.endsWith('+json'), 'application/json');
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'body is not valid JSON' }]);
  }
}

/** Routes that declare no query string take none. */
const noQuery = lazySchema(() => z.strictObject({}));

/** The route's path and query schemas as objects, built once per route. */
const inputSchemas = new WeakMap<RouteSpec, { params: z.ZodMiniType; query: z.ZodMiniType }>();
function schemasOf(route: RouteSpec) {
  let schemas = inputSchemas.get(route);
  if (!schemas) {
    schemas = { params: z.strictObject(route.params ?? {}), query: route.query ?? noQuery };
    inputSchemas.set(route, schemas);
  }
  return schemas;
}

/**
 * Everything the route declares, checked before the operation runs: path parameters (`path.<name>`),
 * query (`query.<name>`), and a JSON body that must be an object valid against the route's schema.
 * An absent body is left to the operation (actions without fields take none).
 */
function validatedInput(route: RouteSpec, event: HttpEvent, body: unknown) {
  const schemas = schemasOf(route);
  const params = parseInput(schemas.params, event.pathParameters ?? {}, 'path.') as Record<string, unknown>;
  const query = parseInput(schemas.query, event.queryStringParameters ?? {}, 'query.') as Record<
    string,
    unknown
  >;
  if (route.body && body !== undefined) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      const got = body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
      throw new ValidationError([{ field: '(body)', message: `expected a JSON object, got ${got}` }]);
    }
    parseInput(route.body, body);
  }
  return { params, query };
}

function readForm(event: HttpEvent): string {
  const raw = rawBody(event);
  if (raw === undefined) return '';
  requireMediaType(
    event,
    (t) => t === 'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded',
  );
  return raw;
}

function jsonResult(
  status: number,
  body: unknown,
  contentType: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { ...SECURITY_HEADERS, 'content-type': contentType, 'cache-control': 'no-store', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

function logProblem(problem: Problem, error: unknown, where: { function: string; route: string }): void {
  // The function and route ride on the line itself: locally one process hosts concurrent invocations.
  if (problem.status >= 500) log().error('request failed', { ...where, error: error as Error });
  else log().info('request refused', { ...where, status: problem.status, detail: problem.detail });
}

type Renderer = (problem: Problem, event: HttpEvent) => APIGatewayProxyStructuredResultV2;

const problemJson: Renderer = (problem, event) =>
  jsonResult(problem.status, { ...problem, instance: event.rawPath }, PROBLEM_CONTENT_TYPE);

/** A plain error page: the problem's title and detail, escaped. */
export function errorPage(problem: Problem): string {
  const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(problem.title)}</title></head><body><main><h1>${esc(problem.title)}</h1><p>${esc(problem.detail)}</p></main></body></html>`;
}

/** The bundle around one function's operations; `render` shapes every answer and every error. */
function bundle<M extends DomainModule, F extends keyof M['functions'] & string, R>(
  module: M,
  fn: F,
  ops: Record<string, (req: HttpRequest<never, never, never>) => Promise<R>>,
  render: (result: R) => APIGatewayProxyStructuredResultV2,
  renderProblem: Renderer,
) {
  const env = functionEnv(module, fn) as () => Record<string, string>;
  return middy<HttpEvent, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use({
      onError: (request) => {
        const problem = problemFor(request.error);
        logProblem(problem, request.error, { function: fn, route: request.event.routeKey });
        request.response = renderProblem(problem, request.event);
        endInvocation();
      },
    })
    .handler(async (event) => {
      beginInvocation({ function: fn, route: event.routeKey });
      const routeKey = event.routeKey as RouteKey;
      const route = module.routes[routeKey];
      const op = ops[routeKey];
      // API Gateway routes only the declared keys to this function; anything else is a wiring bug.
      if (!route || !op) throw new Error(`${fn} serves no route ${routeKey}`);
      let actor: Actor | undefined;
      const claims = event.requestContext?.authorizer?.jwt?.claims;
      if (route.roles !== 'public') {
        actor = actorFromClaims(claims);
        if (!hasRole(actor, route.roles))
          throw new ForbiddenError(`${routeKey} is for ${route.roles.join(', ')}`);
      }
      const body = route.roles === 'public' && !route.body ? undefined : parseJsonBody(event);
      const { params, query } = validatedInput(route, event, body);
      const request: HttpRequest<Record<string, string>, unknown, unknown> = {
        get actor() {
          actor ??= actorFromClaims(claims);
          return actor;
        },
        body,
        params,
        query,
        headers: (event.headers ?? {}) as Record<string, string>,
        routeKey,
        method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
        env: env(),
        readForm: () => readForm(event),
      };
      const result = render(await op(request as HttpRequest<never, never, never>));
      endInvocation();
      return result;
    });
}

/** The validated path parameters of a route, typed from its `params`. */
export type ParamsOf<R> = R extends { params: infer P extends Record<string, z.ZodMiniType> }
  ? { [K in keyof P]: z.output<P[K]> }
  : Record<string, never>;
/** The validated query of a route, typed from its `query`. */
export type QueryOf<R> = R extends { query: infer Q extends z.ZodMiniType }
  ? z.output<Q>
  : Record<string, never>;

/** The operations of one HTTP function: exactly one per route key the catalogue gives it. */
export type Operations<M extends DomainModule, F extends keyof M['functions'] & string, R> = {
  [K in RoutesOf<M, F>]: (
    req: HttpRequest<EnvOf<M, F>, ParamsOf<M['routes'][K]>, QueryOf<M['routes'][K]>>,
  ) => Promise<R>;
};

/** Wraps a JSON API function: its operations answer `{ status, body, headers }`. */
export function httpRoutes<M extends DomainModule, F extends keyof M['functions'] & string>(
  module: M,
  fn: F,
  ops: Operations<M, F, HttpResult>,
) {
  return bundle(
    module,
    fn,
    ops as Record<string, (req: HttpRequest<never, never, never>) => Promise<HttpResult>>,
    (r) =>
      r.text
        ? {
            statusCode: r.status,
            headers: {
              ...SECURITY_HEADERS,
              'content-type': r.text.contentType,
              'cache-control': 'no-store',
              ...r.headers,
            },
            body: r.text.body,
          }
        : jsonResult(r.status, r.body, 'application/json', r.headers),
    problemJson,
  );
}

/** Wraps a function serving HTML pages (public links): answers and errors are pages. */
export function htmlRoutes<M extends DomainModule, F extends keyof M['functions'] & string>(
  module: M,
  fn: F,
  ops: Operations<M, F, HtmlResult>,
  renderError: (problem: Problem) => string = errorPage,
) {
  return bundle(
    module,
    fn,
    ops as Record<string, (req: HttpRequest<never, never, never>) => Promise<HtmlResult>>,
    (r) => ({ statusCode: r.status, headers: { ...HTML_PAGE_HEADERS, ...r.headers }, body: r.html }),
    (problem) => ({
      statusCode: problem.status,
      headers: { ...HTML_PAGE_HEADERS },
      body: renderError(problem),
    }),
  );
}
