/**
 * Response headers decided once for every deployment: the security headers the HTTP bundle puts on
 * every answer (JSON, problem or page, the same on AWS and locally), and the CORS configuration the CDK
 * HTTP API and the local gateway both apply.
 */

/**
 * On every response. A JSON API renders nothing, so its policy allows nothing; pages add their own
 * (`HTML_PAGE_HEADERS`). HSTS is ignored on plain-HTTP localhost, as browsers do.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};

/** CORS of the HTTP API: API Gateway answers preflights and decorates responses from this, as does the local gateway. */
export const CORS = {
  /** Origins when the deployment names none (`cdk.json` context `corsOrigins`). */
  defaultOrigins: ['*'],
  allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
  exposeHeaders: ['etag', 'location', 'retry-after'],
  maxAgeSeconds: 86_400,
} as const;

/** The methods CORS allows: exactly those the given routes use (both gateways pass the catalogue's routes). */
export function corsAllowMethods(routes: readonly { method: 'GET' | 'POST' | 'PUT' | 'DELETE' }[]) {
  return [...new Set(routes.map((r) => r.method))].sort();
}
