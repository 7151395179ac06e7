/**
 * The local gateway behaves like API Gateway in front of the handlers: CORS from the one configuration
 * the CDK HTTP API also uses, the security headers the HTTP bundle sets on every answer, a refused
 * oversized body that leaves the client's next request unharmed, and local tools only for this machine.
 */
import { Agent, request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { CORS, SECURITY_HEADERS } from '../../shared/http/headers.ts';
import { startTestSystem, useTestSystem } from '../support/system.ts';

const sys = useTestSystem();

describe('CORS', () => {
  it('answers a preflight with the configured methods, headers and max age', async () => {
    // Act
    const res = await fetch(`${sys().url}/cases`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://portal.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

    // Assess
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    // Only the methods the API's routes use.
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(res.headers.get('access-control-allow-headers')).toBe(CORS.allowHeaders.join(','));
    expect(res.headers.get('access-control-max-age')).toBe(String(CORS.maxAgeSeconds));
  });

  it('allows the origin and exposes ETag on answers to cross-origin calls', async () => {
    // Act
    const res = await (await sys().as('agent')).get('/cases', { origin: 'https://portal.example' });

    // Assess
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe(CORS.exposeHeaders.join(','));
  });
});

describe('security headers', () => {
  it.each([
    ['a JSON answer', '/cases', 'agent'],
    ['a problem', '/cases/not-a-case', 'agent'],
    ['a gateway refusal', '/no-such-route', 'agent'],
    ['a public page', '/survey/abcdefghij.1.x', 'customer'],
  ] as const)('are on %s', async (_what, path, role) => {
    // Act
    const res = await (await sys().as(role)).get(path);

    // Assess
    for (const name of [
      'x-content-type-options',
      'strict-transport-security',
      'referrer-policy',
      'x-frame-options',
    ])
      expect(res.headers.get(name), name).toBe(SECURITY_HEADERS[name]);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});

describe('an oversized body', () => {
  it('is refused (413) without poisoning the keep-alive connection', async () => {
    // Prepare
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const token = await sys().auth.sign({ sub: 'a-1', roles: ['agent'] });
    const send = (method: string, path: string, body?: Buffer) =>
      new Promise<number>((ok, fail) => {
        const req = request(
          `${sys().url}${path}`,
          {
            method,
            agent,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => ok(res.statusCode ?? 0));
          },
        );
        req.on('error', fail);
        req.end(body);
      });

    // Act
    const refused = await send('POST', '/cases', Buffer.alloc(11 * 1024 * 1024, 0x61));
    const next = await send('GET', '/cases');
    agent.destroy();

    // Assess
    expect(refused).toBe(413);
    expect(next).toBe(200);
  });
});

describe('a body sent in chunks', () => {
  it('reaches the handler whole, without a content-length', async () => {
    // Prepare
    const token = await sys().auth.sign({ sub: 'a-1', roles: ['agent'] });
    const json = JSON.stringify({ category: 'Z', reason: 'chunked' });

    // Act: no content-length, so node sends `transfer-encoding: chunked`, in two pieces.
    const { status, body } = await new Promise<{ status: number; body: string }>((ok, fail) => {
      const req = request(
        `${sys().url}/cases/SR-20260101-0001/categorize`,
        { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            text += d;
          });
          res.on('end', () => ok({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', fail);
      req.write(json.slice(0, 10));
      req.end(json.slice(10));
    });

    // Assess: the body was read and validated (an empty body would be refused for another reason).
    expect(status).toBe(400);
    expect(JSON.parse(body).issues).toEqual([
      expect.objectContaining({ field: 'category', message: expect.stringContaining('expected one of') }),
    ]);
  });
});

describe('invocation reports', () => {
  it('name the function each request invoked and how long it ran, like Lambda', async () => {
    // Prepare
    const reports: { functionId: string; durationMs: number; ok: boolean }[] = [];
    const stop = sys().functions.observe((r) => reports.push(r));
    const agent = await sys().as('agent');

    // Act
    await agent.get('/cases');
    await agent.get('/cases/not-a-case');
    await fetch(`${sys().url}/cases`); // refused by the gateway (no token): no invocation
    stop();
    await agent.get('/cases');

    // Assess: a handler's 4xx is still an invocation that ran to its end.
    const own = reports.filter((r) => r.functionId === 'case-read');
    expect(own).toHaveLength(2);
    for (const r of own) {
      expect(r.ok).toBe(true);
      expect(r.durationMs).toBeGreaterThan(0);
    }
  });
});

describe('local tools', () => {
  it('answer callers on this machine only', async () => {
    // Prepare
    const address = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    expect(address, 'a non-loopback address to call from').toBeDefined();
    const open = await startTestSystem({ host: '0.0.0.0' });
    const port = new URL(open.url).port;

    // Act
    const remote = await fetch(`http://${address}:${port}/_local/outbox`);
    const local = await fetch(`http://127.0.0.1:${port}/_local/outbox`);
    await open.stop();

    // Assess
    expect(remote.status).toBe(404);
    expect(local.status).toBe(200);
  });
});
