/**
 * Property: a request to any route with exactly one part broken — a path parameter, a query parameter,
 * a body field, the whole body, or a header — is answered with a 4xx (problem+json, or the error page of
 * a public HTML route), never a 5xx, and writes nothing. The broken values are generated from the
 * route's own schemas (their JSON Schema, as the OpenAPI document gives them), so a new route or field
 * is fuzzed without touching this file.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { allRoutes, type CatalogRoute } from '../../functions/catalog.ts';
import { intake, useTestSystem } from '../support/system.ts';

type Json = Record<string, any>;
const sys = useTestSystem({ throttle: { rateLimit: 100_000, burstLimit: 100_000 } });
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 12);

let caseId: string;
beforeAll(async () => {
  caseId = (await (await sys().as('agent')).post('/cases', intake())).body.id;
});

const toJson = (schema: z.ZodMiniType): Json =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

/** A valid request body for each route that takes one, so only the broken part is wrong. */
const validBodies: Record<string, unknown> = {
  'POST /cases': intake(),
  'POST /complaints': { channel: 'hotline', customerId: 'c-1', subject: 'quality', text: 'Leaks' },
  'POST /complaints/{id}/report': { summary: 'Called the customer' },
  'POST /complaints/{id}/investigations/{area}': { findings: 'Order matches', orderNumber: 'PO-1' },
  'POST /complaints/{id}/analysis': {
    report: 'Cracked fitting',
    cause: 'quality',
    responsibility: 'Supplier',
  },
  'POST /complaints/{id}/actions': {
    corrective: [{ action: 'Replace', owner: 'Li Wei', deadline: '2026-12-01' }],
    preventive: [{ action: 'Inspect', owner: 'QA', deadline: '2026-12-15' }],
  },
  'POST /complaints/{id}/decision': { remedy: 'Free replacement', amount: 100 },
  'POST /complaints/{id}/customer-answer': { method: 'phone', message: 'We replace it', satisfied: true },
  'POST /complaints/{id}/publish': {
    problemType: 'Leak',
    causeDetail: 'Fitting',
    handling: 'Replaced',
    lessons: 'Test',
  },
  'POST /complaint-settings': { maxRounds: 2 },
  'POST /cases/{id}/assign': { technicianId: 'tech-1' },
  'POST /cases/{id}/arrive': { idShown: true, faultConfirmed: true },
  'POST /cases/{id}/diagnose': { plan: 'on_site', findings: 'Blown fuse' },
  'POST /cases/{id}/record-work': { description: 'Replaced fuse', minutes: 20 },
  'POST /cases/{id}/sign-off': { customerName: 'Wang Fang' },
  'POST /cases/{id}/resolve-remotely': {
    guidance: 'Reset',
    entry: { productLine: 'air-conditioner', code: 'E1' },
  },
  'POST /cases/{id}/hold': { reason: 'customer', note: 'Away' },
  'POST /cases/{id}/workshop-check-in': { itemDescription: 'Unit', condition: 'Scratched' },
  'POST /cases/{id}/repair-card': { description: 'Fan', minutes: 30, finished: true },
  'POST /cases/{id}/inspect': { result: 'pass' },
  'POST /cases/{id}/workshop-return': { customerSignature: 'Wang Fang' },
  'POST /cases/{id}/categorize': { category: 'B', reason: 'Contract' },
  'POST /cases/{id}/quote': { lines: [{ description: 'Labour', amount: 80 }] },
  'POST /cases/{id}/charge': { lines: [{ description: 'Labour', amount: 80 }] },
  'POST /cases/{id}/cancel': { reason: 'Fixed itself' },
  'POST /cases/{id}/update-details': { zone: 'suburban', reason: 'Moved' },
  'POST /knowledge/entries': {
    code: 'FZ-1',
    productLines: ['air-conditioner'],
    title: 'Fuzz entry',
    symptoms: ['noise'],
    cause: 'Loose panel.',
    steps: [{ text: 'Press the panel.', imageUrl: 'https://example.com/a.png' }],
    audience: 'public',
    language: 'en',
    status: 'published',
  },
  'POST /knowledge/entries/{productLine}/{code}': {
    productLines: ['air-conditioner'],
    title: 'Fuzz entry',
    symptoms: ['noise'],
    cause: 'Loose panel.',
    steps: [{ text: 'Press the panel.' }],
    audience: 'public',
    language: 'en',
    status: 'published',
    wizard: {
      start: 'a',
      nodes: [{ id: 'a', question: 'Noise?', answers: [{ id: 'yes', label: 'Yes', advice: 'Press it.' }] }],
    },
  },
  'POST /knowledge/entries/{productLine}/{code}/feedback': { helpful: true },
  'POST /reports/technicians/{id}/daily/{day}/note': { note: 'Lift out of order' },
  'POST /parts/catalogue/{partNumber}': {
    name: 'Fan motor',
    productLines: ['air-conditioner'],
    unit: 'piece',
    unitCost: 50,
    suppliers: [{ id: 'sup-1', name: 'Parts Co.', grade: 'A', leadTimeDays: 3 }],
  },
  'POST /parts/catalogue/{partNumber}/abc-override': { abcClass: 'A', reason: 'Critical' },
  'POST /parts/locations/{id}': { name: 'Store', kind: 'warehouse', branchId: 'main' },
  'POST /parts/stock/{partNumber}/{locationId}': { reorderLevel: 2, overstockLevel: 20 },
  'POST /parts/receipts': {
    movementId: 'fz-1',
    locationId: 'wh',
    lines: [{ partNumber: 'P-1', quantity: 1 }],
    purchaseReference: 'PO-1',
  },
  'POST /parts/transfers': {
    movementId: 'fz-2',
    fromLocationId: 'wh',
    toLocationId: 'van',
    lines: [{ partNumber: 'P-1', quantity: 1 }],
  },
  'POST /parts/scrap': {
    movementId: 'fz-3',
    locationId: 'wh',
    lines: [{ partNumber: 'P-1', quantity: 1 }],
    reason: 'Broken',
  },
  'POST /parts/reservations': {
    movementId: 'fz-4',
    locationId: 'van',
    caseId: 'SR-20261122-0001',
    lines: [{ partNumber: 'P-1', quantity: 1 }],
  },
  'POST /parts/consumptions': {
    movementId: 'fz-5',
    caseId: 'SR-20261122-0001',
    locationId: 'van',
    lines: [{ partNumber: 'P-1', quantity: 1 }],
    reason: 'Worn',
  },
  'POST /parts/returns': {
    movementId: 'fz-6',
    locationId: 'van',
    lines: [{ partNumber: 'P-1', quantity: 1 }],
    reason: 'Unused',
  },
  'POST /parts/movements/{id}/reverse': { movementId: 'fz-7', reason: 'Twice' },
  'POST /parts/requisitions': {
    requisitionId: 'REQ-1',
    fromLocationId: 'wh',
    lines: [{ partNumber: 'P-1', quantity: 1 }],
  },
  'POST /parts/requisitions/{id}/decide': { approve: true },
  'POST /parts/requisitions/{id}/issue': {},
  'POST /parts/counts': { countId: 'CNT-1', locationId: 'wh' },
  'POST /parts/counts/{id}/lines': { lines: [{ partNumber: 'P-1', counted: 3 }] },
  'POST /parts/counts/{id}/approve': {},
  'POST /parts/purchase-suggestions/{id}/decide': { approve: true },
  'POST /parts/tools/{serial}': { kind: 'tool', name: 'Vacuum pump', homeLocationId: 'wh', value: 900 },
  'POST /parts/tools/{serial}/issue': { technicianId: 'tech-1', expectedReturn: '2099-12-31' },
  'POST /parts/tools/{serial}/return': {},
  'POST /parts/tools/{serial}/lost': { reason: 'Left on site' },
  'POST /cases/{id}/invoice': {},
  'POST /warranty/lines/{productLine}/terms': {
    default: { parts: { months: 12, startBasis: 'purchase' }, labour: { months: 6 } },
    classes: [
      {
        componentClass: 'compressor',
        parts: { months: 60, startBasis: 'installation' },
        labour: { months: 12 },
      },
    ],
    labourRatePerHour: 150,
    currency: 'CNY',
  },
  'POST /warranty/lines/{productLine}/promotions': {
    id: 'FZ-PROMO',
    name: 'One more year',
    componentClass: 'compressor',
    coverage: 'parts',
    months: 24,
    extendMonths: 12,
    startBasis: 'installation',
    purchasedFrom: '2026-01-01',
    purchasedTo: '2026-03-31',
  },
  'POST /warranty/lines/{productLine}/return-rules': {
    returnDays: 7,
    exchangeDays: 15,
    conditions: ['unopened', 'defective'],
    decisionWorkingDays: 3,
    notes: 'Keep the box',
  },
  'POST /contracts': {
    customerId: 'cust-fuzz',
    units: ['SN-FUZZ'],
    branchId: 'main',
    start: '2026-01-01',
    end: '2027-01-01',
    inclusions: { labour: true, parts: true, visitsPerYear: 2, responseHours: 4 },
    price: 800,
    currency: 'CNY',
    servicePersonId: 'agent-fuzz',
    reminderDays: [90],
  },
  'POST /contracts/{id}': {
    units: ['SN-FUZZ'],
    end: '2027-02-01',
    inclusions: { labour: true, parts: false },
    price: 900,
    servicePersonId: 'agent-fuzz',
    reminderDays: [60],
    reason: 'Moved',
  },
  'POST /contracts/{id}/renew': { months: 12, price: 820 },
  'POST /contracts/{id}/cancel': { reason: 'Moved away' },
  'POST /returns': {
    serialNumber: 'SN-FUZZ',
    kind: 'return',
    condition: 'defective',
    reason: 'Noisy',
    branchId: 'main',
  },
  'POST /returns/{id}/decide': {
    decision: 'approve',
    note: 'Faulty',
    cause: 'product_quality',
    department: 'rnd_production',
    responsiblePerson: 'Line 3 QA',
  },
  'POST /returns/{id}/ship': { carrier: 'SF Express', trackingNumber: 'SF1' },
  'POST /warranty/courtesy-calls/{branchId}/{month}/{serial}': { outcome: 'all_well', note: 'Fine' },
  'POST /returns/{id}/receive': { disposition: 'stock', locationId: 'main-store', note: 'Boxed' },
};
const validParams = (): Record<string, string> => ({
  id: caseId,
  month: '2026-11',
  token: 'abcdefghij.1.x',
  productLine: 'air-conditioner',
  code: 'E1',
  day: '2026-11-20',
  area: 'sales',
});

/** Values a string schema refuses: the wrong type, too long, outside its pattern or its values. */
function badString(s: Json, asText: boolean): fc.Arbitrary<unknown> {
  const options: fc.Arbitrary<unknown>[] = [];
  if (typeof s.maxLength === 'number')
    options.push(fc.integer({ min: 1, max: 300 }).map((n) => 'x'.repeat((s.maxLength as number) + n)));
  if (typeof s.pattern === 'string') {
    const re = new RegExp(s.pattern as string, 'u');
    options.push(fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }).filter((v) => !re.test(v)));
    options.push(
      fc.constantFrom('%E0%A4%A', 'a b', 'x/y', '<script>', '..', '\u0000').filter((v) => !re.test(v)),
    );
  }
  if (Array.isArray(s.enum)) options.push(fc.string({ maxLength: 12 }).filter((v) => !s.enum.includes(v)));
  if (!asText) options.push(fc.constantFrom<unknown>(42, true, null, [], { $ne: null }));
  return fc.oneof(...options);
}

/** Values a JSON Schema refuses (for body fields), or undefined when none can be told for sure. */
function badValue(s: Json): fc.Arbitrary<unknown> | undefined {
  switch (s.type) {
    case 'string':
      return badString(s, false);
    case 'integer':
      return fc.oneof(
        fc.constantFrom<unknown>('7', null, true, 1.5),
        ...(typeof s.maximum === 'number' ? [fc.constant(s.maximum + 1)] : []),
        ...(typeof s.minimum === 'number' ? [fc.constant(s.minimum - 1)] : []),
      );
    case 'number':
      return fc.oneof(
        fc.constantFrom<unknown>('7', null, true, []),
        ...(typeof s.maximum === 'number' ? [fc.constant(s.maximum + 1)] : []),
      );
    case 'boolean':
      return fc.constantFrom<unknown>('true', 1, null, {});
    case 'object':
      return fc.constantFrom<unknown>(null, [], 'object', 7);
    case 'array':
      return fc.constantFrom<unknown>(null, {}, 'list', 7);
    default:
      return Array.isArray(s.enum) ? badString({ ...s, type: 'string' }, false) : undefined;
  }
}

interface Request {
  path: Record<string, string>;
  query: Record<string, string>;
  body?: string;
  contentType: string;
  headers: Record<string, string>;
}

/** One valid request of the route (as far as its inputs go), and the ways to break exactly one part. */
function requestsOf(route: CatalogRoute): {
  base: Request;
  breakers: fc.Arbitrary<(r: Request) => Request>[];
} {
  const body = route.body ? JSON.stringify(validBodies[route.key] ?? {}) : undefined;
  const base: Request = {
    path: Object.fromEntries(Object.keys(route.params ?? {}).map((n) => [n, validParams()[n] ?? 'x'])),
    query: {},
    ...(body !== undefined ? { body } : route.form ? { body: 'attitude=4&skill=4&arrival=4&promise=4' } : {}),
    contentType: route.form ? 'application/x-www-form-urlencoded' : 'application/json',
    headers: {},
  };
  const breakers: fc.Arbitrary<(r: Request) => Request>[] = [];
  for (const [name, schema] of Object.entries(route.params ?? {})) {
    breakers.push(
      badString(toJson(schema), true)
        // A dot segment never reaches a route: every client's URL parser folds `/survey/..` into `/`.
        .filter((v) => v !== '.' && v !== '..')
        .map((v) => (r: Request) => ({
          ...r,
          path: { ...r.path, [name]: String(v) },
        })),
    );
  }
  const query = route.query ? toJson(route.query) : { properties: {}, additionalProperties: false };
  if (query.additionalProperties === false)
    breakers.push(
      fc
        .stringMatching(/^[a-z]{1,12}$/)
        .filter((k) => !(k in (query.properties ?? {})))
        .map((k) => (r: Request) => ({ ...r, query: { ...r.query, [k]: '1' } })),
    );
  for (const [name, s] of Object.entries((query.properties ?? {}) as Record<string, Json>)) {
    if (s.type !== 'string' || (!s.pattern && !s.maxLength && !s.enum)) continue;
    breakers.push(
      badString(s, true).map((v) => (r: Request) => ({ ...r, query: { ...r.query, [name]: String(v) } })),
    );
  }
  if (route.body) {
    const schema = toJson(route.body);
    const valid = (validBodies[route.key] ?? {}) as Json;
    breakers.push(
      fc
        .constantFrom('null', '[]', '"text"', '42', '{"a":', '{}}', 'x'.repeat(70 * 1024))
        .map((raw) => (r: Request) => ({ ...r, body: raw })),
      fc.constant((r: Request) => ({ ...r, body: JSON.stringify({ ...valid, zzUnknownField: 1 }) })),
      fc.constantFrom('text/plain', 'application/xml').map((t) => (r: Request) => ({ ...r, contentType: t })),
    );
    for (const name of (schema.required as string[] | undefined) ?? [])
      breakers.push(
        fc.constant((r: Request) => {
          const { [name]: _gone, ...rest } = valid;
          return { ...r, body: JSON.stringify(rest) };
        }),
      );
    for (const [name, s] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
      const bad = badValue(s);
      if (bad)
        breakers.push(
          bad.map((v) => (r: Request) => ({ ...r, body: JSON.stringify({ ...valid, [name]: v }) })),
        );
    }
  }
  if (route.ifMatch)
    breakers.push(
      fc
        .constantFrom('yesterday', '"-1"', 'W/"x"')
        .map((v) => (r: Request) => ({ ...r, headers: { 'if-match': v } })),
    );
  if (route.idempotencyKey)
    breakers.push(
      fc
        .constantFrom('short', 'a b c d e f', 'x'.repeat(200))
        .map((v) => (r: Request) => ({ ...r, headers: { 'idempotency-key': v } })),
    );
  return { base, breakers };
}

async function send(route: CatalogRoute, r: Request) {
  const path = route.path.replace(/\{(\w+)\}/g, (_m, n: string) =>
    // Malformed escapes go out as they are, the rest percent-encoded as a client would.
    /%(?![0-9A-Fa-f]{2})|%E0%A4%A$/.test(r.path[n] ?? '')
      ? (r.path[n] ?? '')
      : encodeURIComponent(r.path[n] ?? ''),
  );
  const qs = new URLSearchParams(r.query).toString();
  const token = await sys().auth.sign({ sub: 'fuzz-manager', roles: ['manager'] });
  return fetch(`${sys().url}${path}${qs ? `?${qs}` : ''}`, {
    method: route.method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(r.body !== undefined ? { 'content-type': r.contentType } : {}),
      ...r.headers,
    },
    ...(r.body !== undefined && route.method !== 'GET' ? { body: r.body } : {}),
  });
}

const fuzzed = allRoutes.filter((r) => requestsOf(r).breakers.length > 0);

describe('one broken part of any request: a 4xx, never a 5xx, and nothing written', () => {
  it.each(fuzzed.map((r) => [r.key, r] as const))('%s', async (_key, route) => {
    const { base, breakers } = requestsOf(route);
    await fc.assert(
      fc.asyncProperty(fc.oneof(...breakers), async (breakIt) => {
        // Prepare
        const before = await sys().allItems();

        // Act
        const res = await send(route, breakIt(base));
        const text = await res.text();

        // Assess
        expect(res.status, text).toBeGreaterThanOrEqual(400);
        expect(res.status, text).toBeLessThan(500);
        expect(res.headers.get('content-type')).toContain(
          route.html ? 'text/html' : 'application/problem+json',
        );
        expect(await sys().allItems()).toEqual(before);
      }),
      { numRuns: RUNS_PER_ROUTE },
    );
  });

  it('covers every route that takes any input', () => {
    expect(fuzzed.length).toBeGreaterThanOrEqual(allRoutes.length - 1);
  });
});
