/**
 * The local HTTP API: what API Gateway (HTTP API, payload v2) does in front of our handlers — route
 * matching by the catalogue's route keys, JWT validation, throttling, body limits — then the very same
 * handler functions with the event shape Lambda would receive. `/_aws/*` serves the AWS API calls the
 * unchanged SDK clients make when pointed here (EventBridge PutEvents, and more as services arrive).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { CatalogRoute } from '../../functions/catalog.ts';
import { CORS, corsAllowMethods, SECURITY_HEADERS } from '../../shared/http/headers.ts';
import { PROBLEM_CONTENT_TYPE } from '../../shared/http/problem.ts';
import { flattenClaims, type LocalAuth } from './auth.ts';
import { InvocationTimeoutError } from './functions.ts';

/** API Gateway's own payload limit. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

/**
 * Extra local endpoints, all under {@link SIDE_ROUTE_PREFIXES} (`/_aws/...`, `/_local/...`, `/docs`);
 * return false when the path is not theirs. They answer only callers on this machine: the outbox shows
 * survey links, which are credentials.
 */
export type SideRoute = (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<boolean>;

/** Where side routes live: any other path goes straight to the API routes. */
export const SIDE_ROUTE_PREFIXES = ['/_aws/', '/_local/', '/docs'] as const;
const isSidePath = (path: string) => SIDE_ROUTE_PREFIXES.some((p) => path.startsWith(p));

export interface ServerOptions {
  routes: readonly CatalogRoute[];
  /** Invokes the route's function with the API Gateway event. */
  invoke: (fn: string, event: unknown) => Promise<unknown>;
  auth: LocalAuth;
  /** Stage throttling, as configured on the API Gateway stage. */
  throttle: { rateLimit: number; burstLimit: number };
  sideRoutes: SideRoute[];
  /**
   * Shutdown in progress: API routes answer 503 while the local AWS endpoints keep serving the background
   * work that is finishing; `active` counts API requests in flight.
   */
  lifecycle?: { draining: boolean; active: number };
  /** Origins CORS allows (API Gateway's `allowOrigins`). */
  corsOrigins?: readonly string[];
}

interface CompiledRoute {
  spec: CatalogRoute;
  key: string;
  regex: RegExp;
  names: string[];
}

function compile(spec: CatalogRoute): CompiledRoute {
  const names: string[] = [];
  const source = spec.path
    .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
    .replace(/\{(\w+)\}/g, (_m: string, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
  return { spec, key: spec.key, regex: new RegExp(`^${source}$`), names };
}

export function sendProblem(
  res: ServerResponse,
  status: number,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
    ...(extra.headers as Record<string, string>),
  });
  const { headers: _h, ...rest } = extra;
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail, ...rest }));
}

/** A token bucket, like the stage's rate and burst limits. */
function tokenBucket(rate: number, burst: number) {
  let tokens = burst;
  let last = Date.now();
  return () => {
    const t = Date.now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * rate);
    last = t;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

const NO_BODY = Buffer.alloc(0);

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const length = req.headers['content-length'];
  // Most requests (every GET) announce no body: nothing to wait for.
  if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined)
    return NO_BODY;
  const declared = Number(length ?? 0);
  if (declared > GATEWAY_MAX_BODY) return 'too-large';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A path parameter as API Gateway passes it: decoded when it can be, otherwise as sent (the bundle refuses it). */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const isLoopback = (address: string | undefined) =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

/** CORS as API Gateway applies the HTTP API's configuration: preflights answered, responses decorated. */
function corsHeaders(
  origins: readonly string[],
  origin: string | undefined,
): Record<string, string> | undefined {
  if (!origin) return undefined;
  if (origins.includes('*')) return { 'access-control-allow-origin': '*' };
  return origins.includes(origin) ? { 'access-control-allow-origin': origin, vary: 'origin' } : undefined;
}

const textTypes = /^(application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml)|text\/)/i;

export function createLocalServer(opts: ServerOptions): Server {
  const byMethod = new Map<string, CompiledRoute[]>();
  for (const route of opts.routes.map(compile))
    byMethod.set(route.spec.method, [...(byMethod.get(route.spec.method) ?? []), route]);
  const allow = tokenBucket(opts.throttle.rateLimit, opts.throttle.burstLimit);
  const origins = opts.corsOrigins ?? CORS.defaultOrigins;
  // The verifier keeps a verified token's payload; its claims in API Gateway's shape are kept with it.
  const flatClaims = new WeakMap<object, Record<string, string>>();

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('[local api] internal error', err);
      if (!res.headersSent)
        sendProblem(res, 500, 'internal error', 'the local gateway failed; see the console');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const cors = corsHeaders(origins, req.headers.origin);
    if (cors) for (const [k, v] of Object.entries(cors)) res.setHeader(k, v);
    if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.writeHead(204, {
        ...(cors
          ? {
              'access-control-allow-methods': corsAllowMethods(opts.routes).join(','),
              'access-control-allow-headers': CORS.allowHeaders.join(','),
              'access-control-max-age': String(CORS.maxAgeSeconds),
            }
          : {}),
      });
      res.end();
      return;
    }
    if (cors) res.setHeader('access-control-expose-headers', CORS.exposeHeaders.join(','));
    const body = await readBody(req);
    if (body === 'too-large') {
      // The rest of the body is never read: close the connection rather than leave it for the next request.
      res.shouldKeepAlive = false;
      return sendProblem(res, 413, 'payload too large', 'request body exceeds 10 MB', {
        headers: { connection: 'close' },
      });
    }
    if (isSidePath(url.pathname) && isLoopback(req.socket.remoteAddress)) {
      for (const side of opts.sideRoutes) if (await side(req, body, res)) return;
    }

    let match: { route: CompiledRoute; params: Record<string, string> } | undefined;
    for (const route of byMethod.get(method) ?? []) {
      const m = route.regex.exec(url.pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => {
        params[n] = decodeParam(m[i + 1] ?? '');
      });
      match = { route, params };
      break;
    }
    if (!match) return sendProblem(res, 404, 'not found', `no route ${method} ${url.pathname}`);
    if (opts.lifecycle?.draining)
      return sendProblem(res, 503, 'service unavailable', 'the local runtime is shutting down', {
        headers: { connection: 'close', 'retry-after': '5' },
      });
    if (!allow())
      return sendProblem(res, 429, 'too many requests', 'rate limit exceeded; retry later', {
        headers: { 'retry-after': '1' },
      });

    let claims: Record<string, string> | undefined;
    if (match.route.spec.roles !== 'public') {
      const header = req.headers.authorization ?? '';
      const token = /^Bearer\s+(.+)$/i.exec(header)?.[1];
      const challenge = { headers: { 'www-authenticate': 'Bearer' } };
      if (!token)
        return sendProblem(res, 401, 'unauthorized', 'send Authorization: Bearer <token>', challenge);
      try {
        const payload = await opts.auth.verify(token);
        claims = flatClaims.get(payload);
        if (!claims) {
          claims = flattenClaims(payload);
          flatClaims.set(payload, claims);
        }
      } catch {
        // Like API Gateway: which check failed (signature, issuer, audience, expiry) is not the caller's to learn.
        return sendProblem(res, 401, 'unauthorized', 'the token is invalid or has expired', challenge);
      }
    }

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
    }
    const isText = body.length === 0 || textTypes.test(headers['content-type'] ?? '');
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const now = new Date();
    const event = {
      version: '2.0',
      routeKey: match.route.key,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(match.route.names.length ? { pathParameters: match.params } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'localhost',
        http: {
          method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: match.route.key,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: !isText,
    };
    let result: APIGatewayProxyResultV2;
    if (opts.lifecycle) opts.lifecycle.active++;
    try {
      result = (await opts.invoke(match.route.spec.fn, event)) as APIGatewayProxyResultV2;
    } catch (err) {
      // API Gateway answers 504 when the integration (the Lambda) runs out of time.
      if (err instanceof InvocationTimeoutError)
        return sendProblem(
          res,
          504,
          'gateway timeout',
          `${err.functionId} did not answer within its ${err.timeoutSeconds} s timeout`,
        );
      throw err;
    } finally {
      if (opts.lifecycle) opts.lifecycle.active--;
    }
    if (
      typeof result === 'string' ||
      result === undefined ||
      result === null ||
      !('statusCode' in (result as object))
    ) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(typeof result === 'string' ? result : JSON.stringify(result));
      return;
    }
    const r = result as Exclude<APIGatewayProxyResultV2, string>;
    const outHeaders: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) outHeaders[k] = String(v);
    if (r.cookies?.length) outHeaders['set-cookie'] = r.cookies;
    res.writeHead(r.statusCode ?? 200, outHeaders);
    res.end(r.body ? (r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body) : undefined);
  }
}
