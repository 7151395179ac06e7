/**
 * The knowledge base over real HTTP on the real DynamoDB engine, with the demo entries (≥ 50, English
 * and Chinese) written through the authoring route: exact lookup, typo-tolerant search in both
 * languages, what customers may see, suggestions at intake, remote resolution with an entry, the
 * wizard, versions, and the day counters the measures read.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demoEntries } from '../../infra/local/demo-knowledge.ts';
import { DEFAULT_TIME_ZONE } from '../../shared/branches/defaults.ts';
import { localDay } from '../../shared/cases/numbering.ts';
import { technicians } from '../support/directory.ts';
import { seedDemoKnowledge } from '../support/knowledge.ts';
import { type Caller, intake, useTestSystem } from '../support/system.ts';

const sys = useTestSystem();
let agent: Caller;
let technician: Caller;
let manager: Caller;
let customer: Caller;

beforeAll(async () => {
  await seedDemoKnowledge(sys());
  agent = await sys().as('agent');
  technician = await sys().as('technician');
  manager = await sys().as('manager');
  customer = await sys().as('customer', 'kb-customer');
}, 60_000);

const today = () => localDay(new Date(), DEFAULT_TIME_ZONE);
const search = (who: Caller, params: Record<string, string>) =>
  who.get(`/knowledge/search?${new URLSearchParams(params)}`);
const codes = (res: { body: { items: Array<{ productLine: string; code: string }> } }) =>
  res.body.items.map((i) => `${i.productLine}:${i.code}`);

describe('exact lookup', () => {
  it('finds an entry by its code on a product line, in any letter case', async () => {
    // Act
    const res = await technician.get('/knowledge/entries/water-heater/e1');

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      productLine: 'water-heater',
      code: 'E1',
      status: 'published',
      version: 1,
    });
    expect(res.headers.get('etag')).toBe('"1"');
  });

  it('keeps codes apart per product line: E1 of air conditioners is another entry', async () => {
    // Act
    const [ac, wh] = await Promise.all([
      agent.get('/knowledge/entries/air-conditioner/E1'),
      agent.get('/knowledge/entries/water-heater/E1'),
    ]);

    // Assess
    expect(ac.body.title).toBe('Indoor temperature sensor fault');
    expect(wh.body.title).toContain('no hot water');
  });

  it('finds an entry listed under a second product line by that line too', async () => {
    // Act
    const res = await agent.get('/knowledge/entries/water-heater/SMARTAC');

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ productLine: 'air-conditioner', code: 'SMARTAC' });
  });

  it('refuses the same code twice on one line (409 naming the code), writing nothing', async () => {
    // Prepare
    const before = await sys().allItems();

    // Act
    const res = await manager.post('/knowledge/entries', { ...demoEntries[0], title: 'Another E1' });

    // Assess
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(res.body)).toContain('code');
    expect(await sys().allItems()).toEqual(before);
  });

  it('counts each read as a view', async () => {
    // Prepare
    const first = await agent.get('/knowledge/entries/washing-machine/DOOR');

    // Act
    const second = await agent.get('/knowledge/entries/washing-machine/DOOR');

    // Assess
    expect(second.body.stats.views).toBe(first.body.stats.views + 1);
  });
});

describe('search over the seeded entries', () => {
  it('has at least 50 published entries in both languages to search', () => {
    expect(demoEntries.length).toBeGreaterThanOrEqual(50);
    expect(new Set(demoEntries.map((e) => e.language))).toEqual(new Set(['en', 'zh-CN']));
  });

  it.each([
    ['compresor overlaod', {}, 'air-conditioner:P1'],
    ['blows wram air', {}, 'air-conditioner:NOCOOL'],
    ['washing machine does not drian', {}, 'washing-machine:E21'],
    ['refrigerater not cold enuogh', {}, 'refrigerator:NOCOLD'],
    ['magnesium anod', {}, 'water-heater:ANODE'],
    ['E4', { productLine: 'air-conditioner' }, 'air-conditioner:E4'],
    ['e1', { productLine: 'water-heater' }, 'water-heater:E1'],
    ['空调不制冷', { language: 'zh-CN' }, 'air-conditioner:ZH-BZL'],
    ['热水器不出热水', {}, 'water-heater:ZH-WH-E1'],
    ['洗衣机不排水了', {}, 'washing-machine:ZH-WM-PS'],
    ['冷冻室结霜', {}, 'refrigerator:ZH-FR-JS'],
  ] as const)('ranks the right entry first for %j %j', async (q, filters, expected) => {
    // Act
    const res = await search(technician, { q, ...filters });

    // Assess
    expect(res.status).toBe(200);
    expect(codes(res)[0]).toBe(expected);
  });

  it('ranks a code match above entries that only mention it in their text', async () => {
    // Act
    const res = await search(agent, { q: 'E21' });

    // Assess
    expect(codes(res)[0]).toBe('washing-machine:E21');
  });

  it('filters by product line, audience and language', async () => {
    // Act
    const res = await search(agent, {
      q: 'noise 噪音 leak 漏水',
      productLine: 'air-conditioner',
      audience: 'public',
      language: 'zh-CN',
    });

    // Assess
    expect(res.body.items.length).toBeGreaterThan(0);
    for (const hit of res.body.items) {
      expect(hit.productLines).toContain('air-conditioner');
      expect(hit).toMatchObject({ audience: 'public', language: 'zh-CN' });
    }
  });
});

describe('customers see public entries only', () => {
  const internal = demoEntries.filter((e) => e.audience === 'internal');

  it('never get an internal entry from search, whatever they ask for', async () => {
    // Act
    const answers = await Promise.all(
      [...internal.map((e) => e.title), ...internal.map((e) => e.code), 'compressor', '压缩机'].map((q) =>
        search(customer, { q, audience: 'internal' }),
      ),
    );

    // Assess
    expect(internal.length).toBeGreaterThan(5);
    for (const res of answers) {
      expect(res.status).toBe(200);
      for (const hit of res.body.items) expect(hit.audience).toBe('public');
    }
    // The same queries find internal entries for staff.
    expect(codes(await search(technician, { q: 'compressor overload protection' }))[0]).toBe(
      'air-conditioner:P1',
    );
  });

  it('get 404 for an internal entry by its exact code, as for a missing one', async () => {
    // Act
    const [hidden, missing] = await Promise.all([
      customer.get('/knowledge/entries/air-conditioner/P1'),
      customer.get('/knowledge/entries/air-conditioner/NOPE'),
    ]);

    // Assess
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.body.detail).toBe(missing.body.detail.replace('NOPE', 'P1'));
  });
});

describe('authoring: versions and the search marker', () => {
  it('keeps drafts out of search until published, and keeps every version', async () => {
    // Prepare
    const draft = {
      code: 'DRAFT-1',
      productLines: ['air-conditioner', 'refrigerator'],
      title: 'Zebra striped frost pattern on the panel',
      symptoms: ['zebra stripes'],
      cause: 'Demo only.',
      steps: [{ text: 'Wipe the panel.', imageUrl: 'https://example.com/panel.png' }],
      audience: 'public',
      language: 'en',
    };
    const created = await manager.post('/knowledge/entries', draft);
    const before = await search(customer, { q: 'zebra stripes' });

    // Act
    const published = await manager.post(
      '/knowledge/entries/air-conditioner/DRAFT-1',
      { ...(({ code: _c, ...rest }) => rest)(draft), status: 'published' },
      { 'if-match': '"1"' },
    );
    const after = await search(customer, { q: 'zebra stripes' });
    const history = await manager.get('/knowledge/entries/air-conditioner/DRAFT-1/history');

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    expect(codes(before)).not.toContain('air-conditioner:DRAFT-1');
    expect(published.status).toBe(200);
    expect(published.body.version).toBe(2);
    expect(codes(after)[0]).toBe('air-conditioner:DRAFT-1');
    expect(history.body.items.map((v: { version: number; action: string }) => [v.version, v.action])).toEqual(
      [
        [2, 'updated'],
        [1, 'created'],
      ],
    );
    expect(history.body.items[0].record.status).toBe('published');
  });

  it('refuses a stale If-Match (409) and writes nothing', async () => {
    // Prepare
    const current = await manager.get('/knowledge/entries/air-conditioner/NOISE');
    const {
      code: _c,
      id: _i,
      productLine: _p,
      author: _a,
      stats: _s,
      createdAt: _ca,
      updatedAt: _ua,
      updatedBy: _ub,
      version: _v,
      ...body
    } = current.body;
    const before = await sys().allItems();

    // Act
    const res = await manager.post('/knowledge/entries/air-conditioner/NOISE', body, { 'if-match': '"7"' });

    // Assess
    expect(res.status).toBe(409);
    expect(await sys().allItems()).toEqual(before);
  });

  it.each([
    [
      'a wizard going round in a circle',
      {
        wizard: {
          start: 'a',
          nodes: [{ id: 'a', question: 'Q?', answers: [{ id: 'x', label: 'X', next: 'a' }] }],
        },
      },
      'wizard.nodes',
    ],
    [
      'an answer with two outcomes',
      {
        wizard: {
          start: 'a',
          nodes: [
            {
              id: 'a',
              question: 'Q?',
              answers: [
                { id: 'x', label: 'X', advice: 'A', entry: { productLine: 'air-conditioner', code: 'E1' } },
              ],
            },
          ],
        },
      },
      'wizard.nodes.0.answers.0',
    ],
    [
      'an image that is not https',
      { steps: [{ text: 'Look', imageUrl: 'http://example.com/a.png' }] },
      'steps.0.imageUrl',
    ],
    ['a product line twice', { productLines: ['air-conditioner', 'air-conditioner'] }, 'productLines'],
    ['an unknown language', { language: 'fr' }, 'language'],
  ])('refuses %s (400 naming the field), writing nothing', async (_what, change, field) => {
    // Prepare
    const before = await sys().allItems();

    // Act
    const res = await manager.post('/knowledge/entries', { ...demoEntries[1], code: 'BAD-1', ...change });

    // Assess
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(res.body)).toContain(`"${field}"`);
    expect(await sys().allItems()).toEqual(before);
  });
});

describe('the diagnosis wizard', () => {
  it('walks question by question to a leaf entry', async () => {
    // Act
    const start = await customer.get('/knowledge/entries/air-conditioner/NOCOOL/wizard');
    const second = await customer.get('/knowledge/entries/air-conditioner/NOCOOL/wizard?answers=yes');
    const leaf = await customer.get('/knowledge/entries/air-conditioner/NOCOOL/wizard?answers=yes,none,no');

    // Assess
    expect(start.body.question.id).toBe('mode');
    expect(second.body.question.answers.map((a: { id: string }) => a.id)).toEqual(['e4', 'e1', 'none']);
    expect(leaf.status).toBe(200);
    expect(leaf.body.question).toBeUndefined();
    expect(leaf.body.path).toHaveLength(3);
    expect(leaf.body.outcome.entry).toMatchObject({ productLine: 'air-conditioner', code: 'BREAKER' });
    expect(leaf.body.outcome.entry.title).toContain('Breaker');
  });

  it('ends with advice where the tree says so', async () => {
    const res = await customer.get('/knowledge/entries/air-conditioner/NOCOOL/wizard?answers=no');
    expect(res.body.outcome).toEqual({ advice: 'Set COOL and 24 °C, wait 10 minutes.' });
  });

  it('refuses an answer the question does not offer, naming query.answers', async () => {
    const res = await customer.get('/knowledge/entries/air-conditioner/NOCOOL/wizard?answers=yes,maybe');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('query.answers');
  });
});

describe('suggestions at intake and links from cases', () => {
  it('suggests entries from the symptoms, and a request opened after them carries them', async () => {
    // Prepare
    const measuresBefore = (await manager.get(`/knowledge/measures/${today()}`)).body;

    // Act
    const suggestions = await customer.get(
      `/knowledge/suggestions?${new URLSearchParams({ symptoms: 'No hot water, E1 on the display', productLine: 'water-heater' })}`,
    );
    const followed = suggestions.body.items[0];
    await customer.get(`/knowledge/entries/${followed.productLine}/${followed.code}`);
    const opened = await customer.post(
      '/cases',
      intake({
        channel: 'app',
        customer: { name: 'Kb Customer', address: '1 Lake Rd', phone: '+86 139 5555 0101' },
        product: {
          model: 'WH-60',
          serialNumber: 'WH-KB-1',
          purchaseDate: '2024-01-01',
          productLine: 'water-heater',
        },
        symptoms: 'No hot water, E1 on the display',
        knowledge: {
          suggested: suggestions.body.items.map((i: { productLine: string; code: string }) => ({
            productLine: i.productLine,
            code: i.code,
          })),
          followed: [{ productLine: followed.productLine, code: followed.code }],
        },
      }),
    );
    const staffView = await agent.get(`/cases/${opened.body.id}`);
    const measures = (await manager.get(`/knowledge/measures/${today()}`)).body;

    // Assess
    expect(suggestions.status).toBe(200);
    expect(`${followed.productLine}:${followed.code}`).toBe('water-heater:E1');
    for (const hit of suggestions.body.items) expect(hit.audience).toBe('public');
    expect(opened.status).toBe(201);
    expect(staffView.body.knowledge).toContainEqual(
      expect.objectContaining({ productLine: 'water-heater', code: 'E1', how: 'followed' }),
    );
    expect(staffView.body.knowledge.length).toBe(suggestions.body.items.length);
    expect(measures.deflection.customerSearches).toBe(measuresBefore.deflection.customerSearches + 1);
    expect(measures.deflection.requestsAfterSearch).toBe(measuresBefore.deflection.requestsAfterSearch + 1);
  });

  it('records "solved remotely with entry X" on the case and counts the entry as used', async () => {
    // Prepare
    await technicians(sys(), ['kb-tech']);
    const tech = await sys().as('technician', 'kb-tech');
    const dispatcher = await sys().as('dispatcher');
    const { id } = (await agent.post('/cases', intake())).body;
    await dispatcher.post(`/cases/${id}/assign`, { technicianId: 'kb-tech' });

    // Act
    const res = await tech.post(`/cases/${id}/resolve-remotely`, {
      guidance: 'Walked the customer through the breaker check',
      entry: { productLine: 'air-conditioner', code: 'breaker' },
    });
    const timeline = await agent.get(`/cases/${id}/timeline`);
    const measures = await manager.get(`/knowledge/measures/${today()}`);

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
    expect(res.body.remoteGuidance.entry).toEqual({ productLine: 'air-conditioner', code: 'BREAKER' });
    expect(res.body.knowledge).toContainEqual(
      expect.objectContaining({
        productLine: 'air-conditioner',
        code: 'BREAKER',
        how: 'resolved',
        by: 'kb-tech',
      }),
    );
    expect(timeline.body.items.at(-1).details).toEqual({
      entry: { productLine: 'air-conditioner', code: 'BREAKER' },
    });
    expect(measures.body.totals.remoteResolutions).toBeGreaterThanOrEqual(1);
    expect(measures.body.mostUsed).toContainEqual(
      expect.objectContaining({ productLine: 'air-conditioner', code: 'BREAKER', uses: 1 }),
    );
  });

  it('refuses an entry that is not published (400 naming entry) and leaves the case as it was', async () => {
    // Prepare
    await technicians(sys(), ['kb-tech']);
    const dispatcher = await sys().as('dispatcher');
    const { id } = (await agent.post('/cases', intake())).body;
    await dispatcher.post(`/cases/${id}/assign`, { technicianId: 'kb-tech' });
    const before = await sys().allItems();

    // Act
    const res = await agent.post(`/cases/${id}/resolve-remotely`, {
      guidance: 'Tried',
      entry: { productLine: 'air-conditioner', code: 'NOT-THERE' },
    });

    // Assess
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('"entry"');
    expect(await sys().allItems()).toEqual(before);
  });
});

describe('feedback', () => {
  it('counts helpful and not helpful answers', async () => {
    // Act
    await customer.post('/knowledge/entries/air-conditioner/REMOTE/feedback', { helpful: true });
    const res = await customer.post('/knowledge/entries/air-conditioner/REMOTE/feedback', { helpful: false });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ helpful: 1, notHelpful: 1 });
  });
});
