import { describe, expect, it } from 'vitest';
import { intake, useTestSystem } from '../support/system.ts';

const sys = useTestSystem();

describe('concurrency and retries', () => {
  it('gives 50 parallel creates 50 distinct, consecutive case numbers', async () => {
    // Prepare
    const agent = await sys().as('agent');

    // Act
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => agent.post('/cases', intake({ symptoms: `parallel ${i}` }))),
    );

    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const numbers = results.map((r) => r.body.number as string);
    expect(new Set(numbers).size).toBe(50);
    const sequences = numbers.map((n) => Number(n.split('-')[2])).sort((a, b) => a - b);
    const first = sequences[0] ?? 0;
    expect(sequences).toEqual(Array.from({ length: 50 }, (_, i) => first + i));
  });

  it('lets exactly one of 20 parallel updates on the same version win; the rest get 409', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const created = await agent.post('/cases', intake());
    const id = created.body.id;
    const version = created.headers.get('etag');

    // Act
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        agent.post(
          `/cases/${id}/categorize`,
          { category: 'D', reason: `attempt ${i}` },
          { 'if-match': version ?? '' },
        ),
      ),
    );

    // Assess
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const timeline = await agent.get(`/cases/${id}/timeline`);
    expect(timeline.body.items.filter((e: { action: string }) => e.action === 'categorize')).toHaveLength(1);
    const after = await agent.get(`/cases/${id}`);
    expect(after.body.version).toBe(2);
    // Events come from committed writes only (the outbox): one change, one event.
    await sys().bus.idle();
    const published = sys().bus.history.filter(
      (e) => e.detail.caseId === id && e.detail.action === 'categorize',
    );
    expect(published).toHaveLength(1);
  });

  it('detects a lost update without If-Match too: racing writers never both succeed on one version', async () => {
    // Prepare
    const agent = await sys().as('agent');
    const id = (await agent.post('/cases', intake())).body.id;

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        agent.post(`/cases/${id}/categorize`, { category: 'D', reason: `r${i}` }),
      ),
    );

    // Assess: every success is recorded in the timeline, each at its own version
    const ok = results.filter((r) => r.status === 200).length;
    const timeline = await agent.get(`/cases/${id}/timeline`);
    const entries = timeline.body.items.filter((e: { action: string }) => e.action === 'categorize');
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(entries).toHaveLength(ok);
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect((await agent.get(`/cases/${id}`)).body.version).toBe(1 + ok);
  });

  it('creates one case for one Idempotency-Key, however often and however concurrently it is retried', async () => {
    // Prepare
    const customer = await sys().as('customer');
    const body = intake({
      channel: 'app',
      customer: { name: 'Sun Li', address: 'C', phone: '+86 136 0000 0000' },
    });
    const key = 'retry-key-0001';

    // Act
    const sequential = [];
    for (let i = 0; i < 5; i++)
      sequential.push(await customer.post('/cases', body, { 'idempotency-key': key }));
    const parallel = await Promise.all(
      Array.from({ length: 5 }, () => customer.post('/cases', body, { 'idempotency-key': 'retry-key-0002' })),
    );
    const list = await customer.get('/cases?limit=100');

    // Assess
    expect(sequential.map((r) => r.status)).toEqual([201, 200, 200, 200, 200]);
    expect(new Set(sequential.map((r) => r.body.id)).size).toBe(1);
    expect(new Set(parallel.map((r) => r.body.id)).size).toBe(1);
    expect(parallel.filter((r) => r.status === 201)).toHaveLength(1);
    expect(list.body.items).toHaveLength(2);
  });

  it('refuses an Idempotency-Key reused with a different body (422) and writes nothing', async () => {
    // Prepare
    const customer = await sys().as('customer');
    const body = intake({
      channel: 'app',
      customer: { name: 'Sun Li', address: 'C', phone: '+86 136 0000 0000' },
    });
    await customer.post('/cases', body, { 'idempotency-key': 'reuse-key-0001' });
    const before = await sys().allItems();

    // Act
    const res = await customer.post(
      '/cases',
      { ...body, symptoms: 'something else' },
      { 'idempotency-key': 'reuse-key-0001' },
    );

    // Assess
    expect(res.status).toBe(422);
    expect(res.body.field).toBe('Idempotency-Key');
    expect(await sys().allItems()).toEqual(before);
  });
});
