/**
 * Every bad input gets a clear 4xx as application/problem+json, naming the field where there is one,
 * and writes nothing: the table is compared item by item before and after.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/auth/actor.ts';
import { asTechnician } from '../support/directory.ts';
import { intake, startTestSystem, useTestSystem } from '../support/system.ts';

const sys = useTestSystem();
let caseId: string;
beforeAll(async () => {
  caseId = (await (await sys().as('agent')).post('/cases', intake())).body.id;
});

const base = intake();
const customer = base.customer as Record<string, unknown>;
const product = base.product as Record<string, unknown>;

interface BadCase {
  name: string;
  path?: string;
  method?: 'POST' | 'GET';
  body?: unknown;
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
  role?: Role;
  status: number;
  field?: string;
}

/** An intake whose top-level `patch` is refused (400) naming `field`. */
const badIntake = (name: string, field: string, patch: Record<string, unknown>): BadCase => ({
  name,
  body: { ...base, ...patch },
  status: 400,
  field,
});
const badCustomer = (name: string, field: string, value: unknown) =>
  badIntake(name, `customer.${field}`, { customer: { ...customer, [field]: value } });
const badProduct = (name: string, field: string, value: unknown) =>
  badIntake(name, `product.${field}`, { product: { ...product, [field]: value } });

/** A category override on the test's case, changed by `bad`. */
const badCategorize = (name: string, bad: Omit<BadCase, 'name'>): BadCase => ({
  name,
  path: '/cases/{id}/categorize',
  body: { category: 'D', reason: 'x' },
  ...bad,
});

const badInputs: BadCase[] = [
  { name: 'no body at all', raw: '', status: 400, field: '(body)' },
  { name: 'malformed JSON', raw: '{"channel": "hotline",', status: 400, field: '(body)' },
  { name: 'JSON array instead of object', body: [base], status: 400, field: '(body)' },
  { name: 'JSON null', raw: 'null', status: 400, field: '(body)' },
  { name: 'text/plain content type', raw: JSON.stringify(base), contentType: 'text/plain', status: 415 },
  {
    name: 'form content type',
    raw: 'channel=hotline',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
  },
  { name: 'oversized body (70 KB)', body: { ...base, symptoms: 'x'.repeat(70 * 1024) }, status: 413 },
  badIntake('unknown top-level field', 'priority', { priority: 'high' }),
  badCustomer('unknown nested field', 'vip', true),
  {
    name: 'prototype pollution key',
    raw: JSON.stringify(base).replace('{', '{"__proto__":{"admin":true},'),
    status: 400,
    field: '__proto__',
  },
  badIntake('missing customer', 'customer', { customer: undefined }),
  badIntake('unknown channel', 'channel', { channel: 'pigeon' }),
  badCustomer('phone of wrong type', 'phone', 13800001234),
  badCustomer('phone with letters', 'phone', 'call me'),
  badCustomer('invalid e-mail', 'email', 'not-an-email'),
  badProduct('impossible purchase date', 'purchaseDate', '2026-02-30'),
  badIntake('emergency as a string', 'emergency', { emergency: 'yes' }),
  badIntake('unknown zone', 'zone', { zone: 'rural' }),
  badIntake('blank symptoms', 'symptoms', { symptoms: '   ' }),
  badCustomer('control characters in name', 'name', 'Wang\u0000Fang'),
  badProduct('SQL injection in serial number', 'serialNumber', "1'; DROP TABLE cases;--"),
  badIntake('NoSQL operator object as symptoms', 'symptoms', { symptoms: { $ne: null } }),
  badCustomer('agent naming a customer the directory does not know', 'id', 'cust-invented'),
  badIntake('a serial number not yet installed, without its product line', 'product.productLine', {
    product: { ...product, serialNumber: 'SN-NEVER-SEEN', productLine: undefined },
  }),
  {
    name: 'malformed Idempotency-Key',
    body: base,
    headers: { 'idempotency-key': 'a b' },
    status: 400,
    field: 'Idempotency-Key',
  },
  {
    name: 'technician id with spaces',
    path: '/cases/{id}/assign',
    body: { technicianId: 'a b' },
    role: 'dispatcher',
    status: 400,
    field: 'technicianId',
  },
  {
    name: 'arrival without showing ID',
    path: '/cases/{id}/arrive',
    body: { idShown: false, faultConfirmed: true },
    role: 'technician',
    status: 400,
    field: 'idShown',
  },
  badCategorize('unknown service category', {
    body: { category: 'Z', reason: 'x' },
    status: 400,
    field: 'category',
  }),
  badCategorize('garbage If-Match', { headers: { 'if-match': 'yesterday' }, status: 400, field: 'If-Match' }),
  badCategorize('stale If-Match', { headers: { 'if-match': '"99"' }, status: 409 }),
  badCategorize('command on a missing case', { path: '/cases/SR-19990101-0001/categorize', status: 404 }),
  {
    name: 'limit out of range',
    method: 'GET',
    path: '/cases?limit=1000',
    status: 400,
    field: 'query.limit',
  },
  {
    name: 'forged cursor',
    method: 'GET',
    path: '/cases?cursor=eyJwayI6MX0',
    status: 400,
    field: 'query.cursor',
  },
  {
    name: 'cursor pointing into another partition',
    method: 'GET',
    path: `/cases?customerId=cust-1&cursor=${cursorOf({ pk: 'CASE#SR-20260101-0001', sk: 'CASE', gsi1pk: 'CUST#someone-else', gsi1sk: 'CASE#2026' })}`,
    status: 400,
    field: 'query.cursor',
  },
  {
    name: 'cursor with an extra attribute',
    method: 'GET',
    path: `/register/2026-11?cursor=${cursorOf({ pk: 'REGISTER#2026-11', sk: 'x', extra: 'y' })}`,
    status: 400,
    field: 'query.cursor',
  },
  {
    name: 'unknown query parameter',
    method: 'GET',
    path: '/cases?sort=asc',
    status: 400,
    field: 'query.sort',
  },
  {
    name: 'query parameter on a route that takes none',
    method: 'GET',
    path: '/cases/{id}?verbose=1',
    status: 400,
    field: 'query.verbose',
  },
  {
    name: 'bad register month',
    method: 'GET',
    path: '/register/2026-13',
    status: 400,
    field: 'path.month',
  },
  {
    name: 'case id outside its pattern',
    method: 'GET',
    path: '/cases/not-a-case',
    status: 400,
    field: 'path.id',
  },
  {
    name: 'over-long case id',
    method: 'GET',
    path: `/cases/SR-20260101-${'1'.repeat(3000)}`,
    status: 400,
    field: 'path.id',
  },
  {
    name: 'malformed percent-encoding in a path parameter',
    method: 'GET',
    path: '/cases/SR-%E0%A4%A',
    status: 400,
    field: 'path.id',
  },
  {
    name: 'encoded slash in a path parameter',
    path: '/cases/SR-20260101-0001%2Fassign/cancel',
    body: { reason: 'x' },
    status: 400,
    field: 'path.id',
  },
  {
    name: 'branch id with spaces',
    method: 'GET',
    path: '/sla/branches/a%20b/calendar',
    status: 400,
    field: 'path.id',
  },
  {
    name: 'JSON null to an action',
    path: '/cases/{id}/categorize',
    raw: 'null',
    status: 400,
    field: '(body)',
  },
  {
    name: 'JSON array to an action',
    path: '/cases/{id}/categorize',
    raw: '[{"category":"D","reason":"x"}]',
    status: 400,
    field: '(body)',
  },
  {
    name: 'JSON number to an action',
    path: '/cases/{id}/categorize',
    raw: '42',
    status: 400,
    field: '(body)',
  },
  { name: 'JSON string as intake', raw: '"hello"', status: 400, field: '(body)' },
  badProduct('purchase date in the future', 'purchaseDate', '2999-01-01'),
];

/** A cursor as the API encodes them (base64url JSON), with whatever key it is given. */
function cursorOf(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

describe('bad inputs are refused with a 4xx and write nothing', () => {
  it.each(badInputs)('$name → $status', async (bad) => {
    // Prepare
    const agent = await sys().as(bad.role ?? 'agent');
    const before = await sys().allItems();
    const path = (bad.path ?? '/cases').replace('{id}', caseId);
    const payload = bad.raw ?? (bad.body === undefined ? undefined : JSON.stringify(bad.body));

    // Act
    const res = await agent.raw(path, {
      method: bad.method ?? 'POST',
      headers: { 'content-type': bad.contentType ?? 'application/json', ...bad.headers },
      ...(payload === undefined || bad.method === 'GET' ? {} : { body: payload }),
    });

    // Assess
    expect(res.status).toBe(bad.status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: bad.status });
    if (bad.field) {
      const fields = [res.body.field, ...(res.body.issues ?? []).map((i: { field: string }) => i.field)];
      expect(fields).toContain(bad.field);
    }
    expect(await sys().allItems()).toEqual(before);
  });

  it('refuses a customer registering through the hotline channel (403) and writes nothing', async () => {
    // Prepare
    const customerCaller = await sys().as('customer');
    const before = await sys().allItems();

    // Act
    const res = await customerCaller.post(
      '/cases',
      intake({ customer: { name: 'X', address: 'Y', phone: '+86 131 0000 0000' } }),
    );

    // Assess
    expect(res.status).toBe(403);
    expect(res.body.field).toBe('channel');
    expect(await sys().allItems()).toEqual(before);
  });

  it.each([
    ['no token', undefined],
    ['a garbage token', 'Bearer not.a.jwt'],
  ])('answers 401 with %s', async (_name, authorization) => {
    // Act
    const res = await fetch(`${sys().url}/cases`, { headers: authorization ? { authorization } : {} });

    // Assess
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('says nothing in a 401 about which check of the token failed', async () => {
    // Prepare
    const otherIssuer = await (await import('../../infra/local/auth.ts')).localAuth();
    const tokens = [
      'not.a.jwt',
      await sys().auth.sign({ sub: 'a-1', roles: ['agent'] }, -60),
      await otherIssuer.sign({ sub: 'a-1', roles: ['agent'] }),
    ];

    // Act
    const details = await Promise.all(
      tokens.map(async (t) => {
        const res = await fetch(`${sys().url}/cases`, { headers: { authorization: `Bearer ${t}` } });
        return ((await res.json()) as { detail: string }).detail;
      }),
    );

    // Assess
    expect(new Set(details)).toEqual(new Set(['the token is invalid or has expired']));
  });

  it('explains what was expected: the allowed values, and unknown fields by name', async () => {
    // Prepare
    const agent = await sys().as('agent');

    // Act
    const res = await agent.post('/cases', { ...base, channel: 'pigeon', extra: 1 });

    // Assess
    expect(res.body.issues).toEqual(
      expect.arrayContaining([
        { field: 'channel', message: 'expected one of hotline, email, letter, walk_in, portal, app' },
        { field: 'extra', message: "unknown field 'extra'" },
      ]),
    );
  });

  it('refuses a sign-off before the arrival was recorded (409, with the reason)', async () => {
    // Prepare
    const tech = await asTechnician(sys());
    const dispatcher = await sys().as('dispatcher');
    const id = (await (await sys().as('agent')).post('/cases', intake())).body.id;
    await dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub });
    const before = await sys().allItems();

    // Act
    const res = await tech.post(`/cases/${id}/sign-off`, { customerName: 'Wang Fang' });

    // Assess
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/record the arrival first/);
    expect(await sys().allItems()).toEqual(before);
  });

  it('answers 401 to an expired token', async () => {
    // Prepare
    const token = await sys().auth.sign({ sub: 'a-1', roles: ['agent'] }, -60);

    // Act
    const res = await fetch(`${sys().url}/cases`, { headers: { authorization: `Bearer ${token}` } });

    // Assess
    expect(res.status).toBe(401);
  });
});

describe('throttling', () => {
  it('answers 429 problem+json beyond the stage rate limit', async () => {
    // Prepare
    const throttled = await startTestSystem({ throttle: { rateLimit: 1, burstLimit: 3 } });
    const agent = await throttled.as('agent');

    // Act
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await agent.get('/cases')).status);
    await throttled.stop();

    // Assess
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses).toContain(429);
  });
});
