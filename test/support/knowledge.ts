/**
 * The demo knowledge base on a test system, written through the API by a manager (the same route authors
 * use). One at a time: every entry change moves the search marker, and concurrent changes of one item
 * cancel each other's transactions.
 */
import { demoEntries } from '../../infra/local/demo-knowledge.ts';
import type { TestSystem } from './system.ts';

const seeded = new WeakMap<TestSystem, Promise<void>>();

export function seedDemoKnowledge(sys: TestSystem): Promise<void> {
  let done = seeded.get(sys);
  if (!done) {
    done = (async () => {
      const manager = await sys.as('manager', 'kb-author');
      for (const entry of demoEntries) {
        const res = await manager.post('/knowledge/entries', entry);
        if (res.status !== 201)
          throw new Error(`seeding ${entry.code}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    })();
    seeded.set(sys, done);
  }
  return done;
}
