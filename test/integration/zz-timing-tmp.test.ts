import { afterAll, beforeAll, it, expect } from 'vitest';
import { intake, startTestSystem, type TestSystem } from '../support/system.ts';
let sys: TestSystem;
beforeAll(async () => { sys = await startTestSystem(); });
afterAll(async () => { await sys.stop(); });
it('times', async () => {
  const agent = await sys.as('agent');
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    const r = await agent.post('/cases', intake());
    const t2 = Date.now();
    await agent.get(`/cases/${r.body.id}`);
    console.log('post', t2 - t, 'get', Date.now() - t2);
  }
  expect(1).toBe(1);
});
