/**
 * The contract, checked on real answers: responses sampled from a walk through a case's life validate
 * against the schema the OpenAPI document gives for their route and status (problems against the shared
 * Problem schema), and a typed client generated from the document drives the API — a contract change
 * that breaks clients fails the type check here.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import createClient from 'openapi-fetch';
import { beforeAll, describe, expect, it } from 'vitest';
import type { paths } from '../support/api-types.ts';
import { asTechnician, customer as registered } from '../support/directory.ts';
import { type ApiResponse, intake, useTestSystem } from '../support/system.ts';

type Json = Record<string, any>;
const sys = useTestSystem();
let doc: Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
// ajv-formats is CommonJS: its default export arrives as the module object under ESM.
(formats as unknown as { default: typeof formats.default }).default(ajv);

beforeAll(async () => {
  doc = (await (await fetch(`${sys().url}/openapi.json`)).json()) as Json;
  ajv.addSchema(doc, 'openapi');
});

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** Checks one real answer against what the document says `template` answers with its status. */
function conforms(method: string, template: string, res: ApiResponse): void {
  const responses = doc.paths[template]?.[method]?.responses;
  expect(responses, `${method} ${template} is documented`).toBeDefined();
  const documented = responses[String(res.status)];
  expect(documented, `${method} ${template} documents status ${res.status}`).toBeDefined();
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0] as string;
  expect(Object.keys(documented.content ?? {})).toContain(mediaType);
  const validate = ajv.getSchema(
    `openapi#/${pointer('paths', template, method, 'responses', String(res.status), 'content', mediaType, 'schema')}`,
  );
  expect(validate).toBeDefined();
  const ok = validate?.(res.body);
  expect(ok, `${method} ${template} ${res.status}: ${JSON.stringify(validate?.errors?.slice(0, 3))}`).toBe(
    true,
  );
}

describe('real answers match the documented schemas', () => {
  it('through intake, reads, actions, the timeline, lists, the register and their errors', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const dispatcher = await sys().as('dispatcher');
    const tech = await asTechnician(sys());
    const customer = await sys().as('customer', 'cust-1');
    await registered(sys(), customer.sub);
    const samples: [string, string, ApiResponse][] = [];
    const sample = async (method: string, template: string, call: Promise<ApiResponse>) => {
      const res = await call;
      samples.push([method, template, res]);
      return res;
    };

    const ownCase = intake({ customer: { ...(intake().customer as object), id: customer.sub } });

    // Act
    const created = await sample(
      'post',
      '/cases',
      agent.post('/cases', ownCase, { 'idempotency-key': 'contract-0001' }),
    );
    const id = created.body.id as string;
    await sample('post', '/cases', agent.post('/cases', ownCase, { 'idempotency-key': 'contract-0001' }));
    await sample(
      'post',
      '/cases',
      customer.post(
        '/cases',
        intake({ channel: 'app', customer: { name: 'Li', address: 'A', phone: '+86 135 0000 0000' } }),
      ),
    );
    await sample('get', '/cases/{id}', agent.get(`/cases/${id}`));
    await sample(
      'post',
      '/cases/{id}/assign',
      dispatcher.post(`/cases/${id}/assign`, { technicianId: tech.sub }),
    );
    await sample(
      'post',
      '/cases/{id}/arrive',
      tech.post(`/cases/${id}/arrive`, { idShown: true, faultConfirmed: true }),
    );
    await sample(
      'post',
      '/cases/{id}/record-work',
      tech.post(`/cases/${id}/record-work`, { description: 'Fuse', minutes: 20 }),
    );
    await sample(
      'post',
      '/cases/{id}/sign-off',
      tech.post(`/cases/${id}/sign-off`, { customerName: 'Wang Fang' }),
    );
    await sample('get', '/cases/{id}/timeline', dispatcher.get(`/cases/${id}/timeline`));
    await sample('get', '/cases', agent.get('/cases?customerId=cust-1&limit=1'));
    await sample('get', '/cases', customer.get('/cases'));
    await sample('get', '/register/{month}', agent.get('/register/2026-11'));
    await sample('get', '/cases/{id}', customer.get(`/cases/${id}`));
    await sample('post', '/cases', agent.post('/cases', { ...intake(), zone: 'rural' }));
    await sample('post', '/cases/{id}/assign', customer.post(`/cases/${id}/assign`, { technicianId: 'x' }));
    await sample(
      'post',
      '/cases/{id}/close',
      dispatcher.post(`/cases/${id}/close`, {}, { 'if-match': '"1"' }),
    );
    await sample('get', '/cases/{id}', agent.get('/cases/SR-19990101-0001'));
    await sample('get', '/cases/{id}', agent.get('/cases/not-a-case'));

    // Assess
    expect(samples.map(([, , r]) => r.status)).toEqual([
      201, 200, 201, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 400, 403, 409, 404, 400,
    ]);
    for (const [method, template, res] of samples) conforms(method, template, res);
  });

  it('answers the OpenAPI document itself as documented', async () => {
    // Act
    const res = await (await sys().as('ops')).get('/openapi.json');

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.servers[0].url).toBe(sys().url);
  });
});

describe('a client typed from the document', () => {
  it('registers a case and reads it back, typed end to end', async () => {
    // Prepare
    const caller = await sys().as('agent');
    const token = await sys().auth.sign({ sub: caller.sub, roles: ['agent'] });
    const api = createClient<paths>({ baseUrl: sys().url, headers: { authorization: `Bearer ${token}` } });

    // Act
    const created = await api.POST('/cases', {
      body: {
        channel: 'letter',
        customer: { name: 'Zhao Lei', address: '5 Hubin Rd', phone: '+86 139 0000 0000' },
        product: {
          model: 'AC-3200',
          serialNumber: 'SN-TYPED',
          purchaseDate: '2026-01-15',
          productLine: 'air-conditioner',
        },
        symptoms: 'Noisy fan',
        zone: 'suburban',
        emergency: false,
      },
      params: { header: { 'Idempotency-Key': 'typed-client-0001' } },
    });
    const id = created.data?.id ?? '';
    const read = await api.GET('/cases/{id}', { params: { path: { id } } });
    const refused = await api.GET('/cases/{id}', { params: { path: { id: 'nope' } } });

    // Assess
    expect(created.response.status).toBe(201);
    expect(read.data?.number).toBe(id);
    expect(read.response.headers.get('etag')).toMatch(/^"\d+"$/);
    expect(refused.error?.status).toBe(400);
    expect(refused.error?.issues?.[0]?.field).toBe('path.id');
  });
});
