/**
 * The OpenAPI document as clients get it: every route documented with what it really takes and answers,
 * and the committed client types generated from exactly this document.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRoutes } from '../../functions/catalog.ts';
import { API_TYPES_FILE, apiTypes } from '../../infra/openapi-doc.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';

type Json = Record<string, any>;
const doc = openApiDocument(allRoutes) as Json;
const operations = allRoutes.map((r) => ({
  route: r,
  op: doc.paths[r.path][r.method.toLowerCase()] as Json,
}));

describe('the OpenAPI document', () => {
  it('gives every operation a unique id, its domain tag, a description and its security', () => {
    // Act
    const ids = operations.map(({ op }) => op.operationId);

    // Assess
    expect(new Set(ids).size).toBe(allRoutes.length);
    for (const { route, op } of operations) {
      expect(op.tags).toEqual([route.domain]);
      expect(op.description).toBeTruthy();
      expect(op.security).toEqual(route.roles === 'public' ? [] : [{ jwt: [] }]);
    }
  });

  it('documents every path parameter with a bounded schema', () => {
    for (const { route, op } of operations) {
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const documented = (op.parameters ?? []).filter((p: Json) => p.in === 'path');
      expect(documented.map((p: Json) => p.name)).toEqual(inPath);
      // Bounded: a maximum length, or a closed list of values.
      for (const p of documented)
        expect(p.schema.maxLength ?? p.schema.enum?.length, `${route.key} {${p.name}}`).toBeGreaterThan(0);
    }
  });

  it('documents 201 for creates, the problem statuses, If-Match, Idempotency-Key and ETag', () => {
    // Prepare
    const intake = doc.paths['/cases'].post;
    const assign = doc.paths['/cases/{id}/assign'].post;

    // Assess
    expect(Object.keys(intake.responses)).toEqual(
      expect.arrayContaining(['201', '200', '400', '401', '403', '413', '415', '422', '429', '500']),
    );
    expect(intake.responses['201'].headers).toHaveProperty('ETag');
    expect(intake.responses['201'].headers).toHaveProperty('Location');
    expect(intake.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(assign.parameters).toContainEqual({ $ref: '#/components/parameters/IfMatch' });
    expect(Object.keys(assign.responses)).toEqual(expect.arrayContaining(['404', '409']));
    expect(assign.responses['409'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
  });

  it('has servers and a contact', () => {
    expect(doc.servers[0].url).toMatch(/^https:/);
    expect(doc.info.contact.email).toBeTruthy();
  });
});

describe('the committed client types', () => {
  it('are generated from the current document (run `npm run gen:api` after changing a route)', async () => {
    // Act
    const generated = await apiTypes(doc);

    // Assess
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(generated);
  });
});
