/**
 * Builds the OpenAPI 3.1 document from the route catalogue and the zod schemas the bundle validates with:
 * every path and query parameter, body, success body, request and response header, and every status a
 * route can answer — those its operation declares, plus those the bundle and the gateway give any route.
 */
import * as z from 'zod/mini';
import type { CatalogRoute } from '../../functions/catalog.ts';
import { roles as allRoles } from '../auth/actor.ts';
import { CORS } from './headers.ts';
import { type ApiServer, PRODUCTION_SERVER, serverObjects } from './openapi-servers.ts';
import { nameOf } from './schema.ts';

type Json = Record<string, unknown>;

/** What each domain is about, for the reference's sections. */
const domainTags: Record<string, string> = {
  platform: 'This document',
  cases: 'Service requests: intake, reads, and every action on a case',
  sla: 'Working-time calendars, SLA policies, milestones, the dispatch queue and measures',
  surveys: 'Next-day survey pages for customers, scorecards and follow-ups for staff',
  complaints: 'Complaints and the supervisor visits they call for',
};

const statusText: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Invalid request: every bad field is named (`path.<name>`, `query.<name>`, or its place in the body)',
  401: 'No valid bearer token',
  403: 'The caller’s role may not do this',
  404: 'No such record, or not one the caller may see',
  409: 'Conflict: the record changed since it was read, or its state does not allow this',
  410: 'The link has expired',
  413: 'Request body too large',
  415: 'Unsupported content type',
  422: 'Idempotency key reused with a different request',
  429: 'Too many requests: retry after the given seconds',
  500: 'Unexpected error (logged; no details are given)',
  503: 'Temporarily unavailable: a dependency (the table) cannot be reached; retry later',
};

/** Integers carry their width: int32 when the bounds fit, int64 otherwise. */
function withIntegerFormats(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) withIntegerFormats(n);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  if (o.type === 'integer' && o.format === undefined) {
    const fits = (v: unknown) => typeof v === 'number' && Math.abs(v) <= 2 ** 31 - 1;
    o.format = fits(o.minimum) && fits(o.maximum) ? 'int32' : 'int64';
  }
  for (const v of Object.values(o)) withIntegerFormats(v);
}

/** JSON Schema of a zod schema, as the request (`input`) or the answer (`output`) sees it. */
function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  withIntegerFormats(rest);
  return rest;
}

const problemRef = { $ref: '#/components/schemas/Problem' };
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Error statuses a route can answer, from what it declares and what the bundle and gateway do. */
function errorStatuses(r: CatalogRoute): number[] {
  const s = new Set<number>(r.errors ?? []);
  const takesInput =
    r.params !== undefined || r.query !== undefined || r.body !== undefined || r.form !== undefined;
  // Unknown query parameters are refused on every route, so any route can answer 400.
  s.add(400);
  if (takesInput && (r.body || r.form)) s.add(413).add(415);
  if (r.roles !== 'public') {
    s.add(401);
    if (allRoles.some((role) => !(r.roles as readonly string[]).includes(role))) s.add(403);
  }
  if (r.ifMatch) s.add(409);
  if (r.idempotencyKey) s.add(422);
  s.add(429).add(500);
  return [...s].sort((a, b) => a - b);
}

function operationId(r: CatalogRoute): string {
  const words = r.path
    .replace(/[{}]/g, '')
    .split(/[/.-]/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1));
  return `${r.method.toLowerCase()}${words.join('')}`;
}

function parameters(r: CatalogRoute): Json[] {
  const out: Json[] = [];
  for (const [name, schema] of Object.entries(r.params ?? {})) {
    out.push({
      name,
      in: 'path',
      required: true,
      description: `The ${name} of the record`,
      schema: jsonSchema(schema, 'input'),
    });
  }
  if (r.query) {
    const q = jsonSchema(r.query, 'input');
    const required = new Set((q.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((q.properties as Record<string, Json>) ?? {})) {
      out.push({
        name,
        in: 'query',
        required: required.has(name),
        description: queryDescriptions[name] ?? `Filter by ${name}`,
        schema,
      });
    }
  }
  if (r.ifMatch) out.push({ $ref: '#/components/parameters/IfMatch' });
  if (r.idempotencyKey) out.push({ $ref: '#/components/parameters/IdempotencyKey' });
  return out;
}

const queryDescriptions: Record<string, string> = {
  limit: 'Items per page, 1–100 (25 when absent)',
  cursor: 'The `nextCursor` of the previous page of the same list, unchanged',
  month: 'A month `YYYY-MM`',
  branchId: 'A branch id (the main branch when absent)',
  lang: 'Language of the page (`en` or Chinese, the default)',
  level: 'Level 1–4 to preselect for every item (one-click links in the card)',
};

function responseSchema(schema: z.ZodMiniType, components: Record<string, Json>): Json {
  const name = nameOf(schema);
  if (!name) return jsonSchema(schema, 'output');
  components[name] ??= jsonSchema(schema, 'output');
  return { $ref: `#/components/schemas/${name}` };
}

function operation(r: CatalogRoute, components: Record<string, Json>): Json {
  const params = parameters(r);
  const whoMay =
    r.roles === 'public' ? 'Public: no token.' : `Roles: ${r.roles.join(', ')}. Managers act as themselves.`;
  const responses: Record<string, Json> = {};
  for (const status of [...(r.success ?? []), 200]) {
    const headers: Record<string, unknown> = {
      'Access-Control-Allow-Origin': headerRef('Access-Control-Allow-Origin'),
    };
    if (r.etag || r.ifMatch) headers.ETag = headerRef('ETag');
    if (status === 201) headers.Location = headerRef('Location');
    responses[String(status)] = {
      description:
        status === 200 && r.success?.includes(201)
          ? 'OK: the record an earlier request created'
          : statusText[status],
      headers,
      content: r.html
        ? { 'text/html': { schema: { type: 'string', maxLength: 65_536 } } }
        : {
            'application/json': {
              schema: r.response ? responseSchema(r.response, components) : { type: 'object' },
            },
          },
    };
  }
  for (const status of errorStatuses(r)) {
    const headers: Record<string, unknown> = {
      'Access-Control-Allow-Origin': headerRef('Access-Control-Allow-Origin'),
    };
    if (status === 429) headers['Retry-After'] = headerRef('RetryAfter');
    responses[String(status)] = {
      description: statusText[status],
      headers,
      content: r.html
        ? { 'text/html': { schema: { type: 'string', maxLength: 65_536 } } }
        : { 'application/problem+json': { schema: problemRef } },
    };
  }
  const body = r.body
    ? { 'application/json': { schema: jsonSchema(r.body, 'input') } }
    : r.form
      ? { 'application/x-www-form-urlencoded': { schema: jsonSchema(r.form, 'input') } }
      : undefined;
  return {
    operationId: operationId(r),
    tags: [r.domain],
    summary: r.summary,
    description: `${r.description ?? r.summary}. ${whoMay}`.replace(/\.\. /, '. '),
    security: r.roles === 'public' ? [] : [{ jwt: [] }],
    ...(params.length ? { parameters: params } : {}),
    // Actions whose fields are all optional may be sent without a body.
    ...(body
      ? { requestBody: { required: r.body ? !z.safeParse(r.body, {}).success : true, content: body } }
      : {}),
    responses,
  };
}

export interface OpenApiOptions {
  /** Where the API is reached (the production server when absent). */
  servers?: ApiServer[];
}

export function openApiDocument(routes: readonly CatalogRoute[], opts: OpenApiOptions = {}): Json {
  const paths: Record<string, Json> = {};
  const schemas: Record<string, Json> = {};
  for (const r of routes) {
    paths[r.path] = { ...paths[r.path], [r.method.toLowerCase()]: operation(r, schemas) };
  }
  const servers = opts.servers ?? [PRODUCTION_SERVER];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Aftercare API',
      version: '1.0.0',
      description:
        'After-sales service: service requests, dispatch under working-time SLAs, workshop repairs, ' +
        'next-day surveys and complaints. Errors are `application/problem+json` (RFC 9457). Updates take ' +
        '`If-Match` with the record’s `ETag`; creates take an `Idempotency-Key`.',
      contact: {
        name: 'Aftercare service team',
        email: 'service@aftercare.example',
        url: 'https://aftercare.example',
      },
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: serverObjects(servers),
    security: [{ jwt: [] }],
    tags: [...new Set(routes.map((r) => r.domain))].map((name) => ({
      name,
      description: domainTags[name] ?? name,
    })),
    components: {
      securitySchemes: {
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An identity-provider access token (Cognito on AWS, the local signer under `npm start`); roles ' +
            'are its groups. Tokens are verified following RFC8725: fixed algorithms, issuer, audience and expiry.',
        },
      },
      parameters: {
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: false,
          description: 'Act only if the record is still at this version (its `ETag`); 409 otherwise',
          schema: { type: 'string', maxLength: 16, pattern: '^(W/)?"?\\d{1,12}"?$' },
        },
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Retries with the same key answer with the record the first attempt created (24 hours)',
          schema: { type: 'string', minLength: 8, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]{8,128}$' },
        },
      },
      headers: {
        ETag: {
          description: 'The record’s version, for `If-Match`',
          schema: { type: 'string', maxLength: 16, pattern: '^"\\d{1,12}"$' },
        },
        Location: {
          description: 'Where the created record is read',
          schema: { type: 'string', format: 'uri-reference', maxLength: 256 },
        },
        RetryAfter: {
          description: 'Seconds to wait before retrying',
          schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 3600 },
        },
        'Access-Control-Allow-Origin': {
          description: `CORS: the allowed origin (sent when the request has an Origin); exposes ${CORS.exposeHeaders.join(', ')}`,
          schema: { type: 'string', maxLength: 256 },
        },
      },
      schemas: {
        ...schemas,
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string', format: 'uri', maxLength: 256 },
            title: { type: 'string', maxLength: 128 },
            status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599 },
            detail: { type: 'string', maxLength: 4096 },
            instance: { type: 'string', format: 'uri-reference', maxLength: 2048 },
            field: {
              type: 'string',
              maxLength: 256,
              description: 'The one field at fault, when there is one',
            },
            issues: {
              type: 'array',
              maxItems: 200,
              description: 'Every invalid field',
              items: {
                type: 'object',
                required: ['field', 'message'],
                properties: {
                  field: { type: 'string', maxLength: 256 },
                  message: { type: 'string', maxLength: 1024 },
                },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
