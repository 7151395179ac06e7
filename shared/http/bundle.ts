/**
 * The middleware bundle of every HTTP function (API Gateway HTTP API, payload v2): structured logs,
 * body limits and parsing, the caller from the JWT authorizer's claims, and errors as problem+json.
 * Functions declare only their own logic: `httpHandler(async (req) => ({ status: 200, body }))`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type Actor, actorFromClaims } from '../auth/actor.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.ts';
import { PROBLEM_CONTENT_TYPE, type Problem, problemFor } from './problem.ts';

export const logger = new Logger();

/** Requests larger than this are refused before parsing (API Gateway allows 10 MB; we need far less). */
export const MAX_BODY_BYTES = 64 * 1024;

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

export interface HttpRequest {
  actor: Actor;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  routeKey: string;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

function parseBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(`send application/json, not ${type || 'no content type'}`);
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError([{ field: '(body)', message: 'body is not valid JSON' }]);
  }
}

function json(
  status: number,
  body: unknown,
  contentType: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': contentType, 'cache-control': 'no-store', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}

const problemDetails = (): middy.MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2> => ({
  onError: (request) => {
    const problem = problemFor(request.error);
    if (problem.status >= 500) logger.error('request failed', { error: request.error as Error });
    else logger.info('request refused', { status: problem.status, detail: problem.detail });
    request.response = json(
      problem.status,
      { ...problem, instance: request.event.rawPath },
      PROBLEM_CONTENT_TYPE,
    );
  },
});

/** Wraps one route's logic in the HTTP bundle. */
export function httpHandler(fn: (req: HttpRequest) => Promise<HttpResult>) {
  return middy<HttpEvent, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(problemDetails())
    .handler(async (event) => {
      logger.appendKeys({ route: event.routeKey });
      const body = parseBody(event);
      const actor = actorFromClaims(event.requestContext?.authorizer?.jwt?.claims);
      const result = await fn({
        actor,
        body,
        params: (event.pathParameters ?? {}) as Record<string, string>,
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        headers: (event.headers ?? {}) as Record<string, string>,
        routeKey: event.routeKey,
      });
      return json(result.status, result.body, 'application/json', result.headers);
    });
}

/* ------------------------------------------------------------------------------------------------
 * Public HTML pages (routes with `roles: 'public'`): no caller identity, form posts, HTML answers.
 * ---------------------------------------------------------------------------------------------- */

export interface PublicHtmlRequest {
  method: string;
  /**
   * The raw `application/x-www-form-urlencoded` body (empty when there is none). Read on demand, so a
   * handler can refuse a bad link before it looks at what was posted to it.
   * @throws UnsupportedMediaTypeError, PayloadTooLargeError
   */
  readForm(): string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  routeKey: string;
}

export interface HtmlResult {
  status: number;
  html: string;
  headers?: Record<string, string>;
}

/**
 * Headers of every public page: no caching (the URL is a credential), no referrer (it would leak the
 * URL to any site linked from the page), and a policy that allows nothing but the page's own inline
 * styles and forms posting back to the same origin — the pages have no scripts at all.
 */
export const HTML_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function parseForm(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined || event.body === null || event.body === '') return '';
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/x-www-form-urlencoded') {
    throw new UnsupportedMediaTypeError(
      `send application/x-www-form-urlencoded, not ${type || 'no content type'}`,
    );
  }
  return raw;
}

/** A plain error page: the problem's title and detail, escaped. */
function defaultErrorPage(problem: Problem): string {
  const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(problem.title)}</title></head><body><main><h1>${esc(problem.title)}</h1><p>${esc(problem.detail)}</p></main></body></html>`;
}

const htmlProblems = (
  render: (problem: Problem) => string,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: (request) => {
    // The same error table as the JSON API; only the body is a page instead of problem+json.
    const problem = problemFor(request.error);
    if (problem.status >= 500) logger.error('request failed', { error: request.error as Error });
    else logger.info('request refused', { status: problem.status, detail: problem.detail });
    request.response = {
      statusCode: problem.status,
      headers: { ...HTML_PAGE_HEADERS },
      body: render(problem),
    };
  },
});

/** Wraps a public HTML route's logic in the bundle; `renderError` draws the page for a domain error. */
export function publicHtmlHandler(
  fn: (req: PublicHtmlRequest) => Promise<HtmlResult>,
  renderError: (problem: Problem) => string = defaultErrorPage,
) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(htmlProblems(renderError))
    .handler(async (event) => {
      logger.appendKeys({ route: event.routeKey });
      const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
      const result = await fn({
        method,
        readForm: () => parseForm(event),
        params: (event.pathParameters ?? {}) as Record<string, string>,
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        headers: (event.headers ?? {}) as Record<string, string>,
        routeKey: event.routeKey,
      });
      return {
        statusCode: result.status,
        headers: { ...HTML_PAGE_HEADERS, ...result.headers },
        body: result.html,
      };
    });
}
