/**
 * Every route × every role: 403 when the role may not call the route at all; 404 when it may, but the
 * case is not theirs (customers, technicians); otherwise the call goes through (2xx, or 409 when the
 * case's state does not allow the action).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes as routes } from '../../functions/catalog.ts';
import { type Role, roles } from '../../shared/auth/actor.ts';
import type { CaseCommandName } from '../../shared/cases/commands.ts';
import { intake, startTestSystem, type TestSystem } from '../support/system.ts';

const sampleBodies: Record<CaseCommandName, unknown> = {
  assign: { technicianId: 'tech-matrix' },
  depart: {},
  arrive: { idShown: true, faultConfirmed: true },
  diagnose: { plan: 'remote', findings: 'x' },
  'record-work': { description: 'x', minutes: 1 },
  'sign-off': { customerName: 'x' },
  'resolve-remotely': { guidance: 'x' },
  hold: { reason: 'parts', note: 'x' },
  resume: {},
  'workshop-check-in': { itemDescription: 'x', condition: 'ok' },
  'repair-card': { description: 'x', minutes: 1, finished: false },
  inspect: { result: 'pass' },
  'workshop-return': { customerSignature: 'x' },
  categorize: { category: 'A', reason: 'x' },
  quote: { lines: [{ description: 'x', amount: 1 }] },
  charge: { lines: [{ description: 'x', amount: 1 }] },
  close: {},
  cancel: { reason: 'x' },
  'update-details': { zone: 'suburban', reason: 'x' },
};

let sys: TestSystem;
let foreignCase: string;
beforeAll(async () => {
  sys = await startTestSystem();
  const agent = await sys.as('agent');
  foreignCase = (
    await agent.post('/cases', intake({ customer: { ...(intake().customer as object), id: 'someone-else' } }))
  ).body.id;
});
afterAll(async () => {
  await sys.stop();
});

const cases = routes.flatMap((route) =>
  roles.map((role) => ({ route, role, name: `${role.padEnd(11)} ${route.method} ${route.path}` })),
);

describe('role × route matrix', () => {
  it.each(cases)('$name', async ({ route, role }) => {
    // Prepare
    const caller = await sys.as(role as Role);
    const path = route.path.replace('{id}', foreignCase).replace('{month}', '2026-11');
    const command = route.path.split('/').at(-1) as CaseCommandName;
    let body: unknown;
    if (route.method === 'POST' && route.path === '/cases') {
      body =
        role === 'customer'
          ? intake({ channel: 'app', customer: { name: 'C', address: 'A', phone: '+86 135 0000 0000' } })
          : intake();
    } else if (route.method === 'POST') body = sampleBodies[command];

    // Act
    const res = route.method === 'GET' ? await caller.get(path) : await caller.post(path, body);

    // Assess
    const allowed = route.roles === 'public' || route.roles.includes(role as Role);
    if (!allowed) {
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      return;
    }
    if (route.path === '/survey/{token}') {
      // The public survey page: a made-up token gets the "invalid link" page, whoever calls.
      expect(res.status).toBe(404);
      return;
    }
    const touchesCase = route.path.startsWith('/cases/{id}');
    const ownsNothing = role === 'customer' || role === 'technician';
    if (touchesCase && ownsNothing) expect(res.status).toBe(404);
    else expect([200, 201, 409]).toContain(res.status);
  });

  it('covers every route of the catalogue for every role', () => {
    expect(cases).toHaveLength(routes.length * roles.length);
    expect(routes.length).toBeGreaterThan(20);
  });
});
