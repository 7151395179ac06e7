/**
 * The catalogue is the one declaration of every function and route: these tests check that each entry
 * can run (its entry file exports a handler), that routes and rules point at functions of the right kind,
 * and — at the type level — that a route without an operation, or an operation for an undeclared route,
 * does not compile.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cases } from '../../functions/cases/catalog.ts';
import { allEventRules, allFunctions, allRoutes, modules } from '../../functions/catalog.ts';
import { sla } from '../../functions/sla/catalog.ts';
import { repoRoot } from '../../infra/bundle.ts';
import { httpRoutes } from '../../shared/http/bundle.ts';
import { eventConsumer } from '../../shared/runtime/consumer-bundle.ts';

describe('function catalogue', () => {
  it.each(Object.entries(allFunctions))('%s has an entry file in its domain folder', (id, spec) => {
    // Assess
    expect(existsSync(join(repoRoot, spec.entry)), spec.entry).toBe(true);
    expect(
      spec.entry.startsWith(`functions/${spec.domain}/`),
      `${id} lives in functions/${spec.domain}/`,
    ).toBe(true);
  });

  it('declares every route key once, each served by an HTTP function of its own domain', () => {
    // Prepare
    const keys = allRoutes.map((r) => r.key);

    // Assess
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of allRoutes) {
      const fn = allFunctions[route.fn];
      expect(fn.trigger.kind, route.key).toBe('http');
      expect(fn.domain, route.key).toBe(route.domain);
    }
  });

  it('names every event rule once and targets an event consumer', () => {
    // Prepare
    const names = allEventRules.map((r) => r.name);

    // Assess
    expect(new Set(names).size).toBe(names.length);
    for (const rule of allEventRules) expect(allFunctions[rule.target].trigger.kind).toBe('events');
  });

  it('gives every HTTP function at least one route', () => {
    // Prepare
    const served = new Set(allRoutes.map((r) => r.fn));

    // Assess
    for (const [id, spec] of Object.entries(allFunctions)) {
      if (spec.trigger.kind === 'http') expect(served.has(id as never), id).toBe(true);
    }
  });

  it('keeps domain names unique', () => {
    const names = modules.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('typed operations (checked by tsc)', () => {
  it('refuses handlers whose operations do not match the declared routes', () => {
    // Each call below is a type error that tsc must report; `@ts-expect-error` fails the type check if not.
    const missingRoute = () =>
      // @ts-expect-error 'GET /register/{month}' has no operation
      httpRoutes(cases, 'case-read', {
        'GET /cases': async () => ({ status: 200 }),
        'GET /cases/{id}': async () => ({ status: 200 }),
        'GET /cases/{id}/timeline': async () => ({ status: 200 }),
      });
    const undeclaredRoute = () =>
      httpRoutes(cases, 'case-intake', {
        'POST /cases': async () => ({ status: 201 }),
        // @ts-expect-error no such route of case-intake
        'DELETE /cases': async () => ({ status: 200 }),
      });
    const missingEvent = () =>
      // @ts-expect-error 'SLA Calendar Changed' has no operation
      eventConsumer(sla, 'sla-clock', {
        'Case Opened': async () => undefined,
        'Case Updated': async () => undefined,
      });
    // Built, the wrappers also refuse at run time a function the module does not declare.
    expect(() => httpRoutes(cases, 'nope' as 'case-read', {} as never)).toThrow(/declares no function nope/);
    expect([missingRoute, undeclaredRoute, missingEvent].every((f) => typeof f === 'function')).toBe(true);
  });
});

describe('who may call what (SPEC §2)', () => {
  it('lets a manager call every route any role below may call', () => {
    // Act
    const withoutManager = allRoutes.filter((r) => r.roles !== 'public' && !r.roles.includes('manager'));

    // Assess
    expect(withoutManager.map((r) => r.key)).toEqual([]);
  });

  it('gives parts clerks and ops no route that reads or changes a case record', () => {
    // Act
    const caseRoutes = allRoutes.filter(
      (r) => r.roles !== 'public' && (r.path.startsWith('/cases') || r.path.startsWith('/register')),
    );

    // Assess
    for (const r of caseRoutes) expect(r.roles, r.key).not.toEqual(expect.arrayContaining(['parts_clerk']));
    for (const r of caseRoutes) expect(r.roles, r.key).not.toEqual(expect.arrayContaining(['ops']));
  });

  it('declares a schema for every path parameter of every route', () => {
    for (const r of allRoutes) {
      const inPath = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(Object.keys(r.params ?? {}).sort(), r.key).toEqual(inPath);
    }
  });
});
