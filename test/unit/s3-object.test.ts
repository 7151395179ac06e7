/**
 * The S3 object reader against a local HTTP server standing in for S3: it checks each request's SigV4
 * signature the way S3 does (canonical request from the path as sent, the signed headers, the payload
 * hash), and answers what each test scripts, so retries and errors are observed as S3 would see them.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StandardRetryStrategy } from '@smithy/core/retry';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { getObjectRequest, S3ReadError, s3ObjectReader } from '../../shared/runtime/s3-object.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDTEST',
  secretAccessKey: 'secret-test-key',
  sessionToken: 'session-token',
};
const REGION = 'eu-west-1';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Whether the signature is the one S3 computes for this request with the test credentials. */
  signatureValid: boolean;
}

type Answer = (res: ServerResponse, req: IncomingMessage) => void;

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** SigV4 as S3 checks it: the path exactly as received (S3 does not encode it again), no query. */
function signatureValid(req: IncomingMessage, secret: string): boolean {
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      String(req.headers.authorization),
    );
  if (!auth) return false;
  const [, , day = '', region = '', signedHeaders = '', signature] = auth;
  const names = signedHeaders.split(';');
  const canonical = [
    req.method,
    req.url,
    '',
    ...names.map((name) => `${name}:${String(req.headers[name] ?? '').trim()}`),
    '',
    signedHeaders,
    String(req.headers['x-amz-content-sha256']),
  ].join('\n');
  const date = String(req.headers['x-amz-date']);
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), 's3'), 'aws4_request');
  return hmac(key, toSign).toString('hex') === signature;
}

function xmlError(status: number, code: string): Answer {
  return (res) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>m</Message></Error>`);
  };
}

const object =
  (body: Buffer): Answer =>
  (res) => {
    res.writeHead(200, { 'content-type': 'message/rfc822', 'content-length': String(body.length) });
    res.end(body);
  };

/** Drops the connection without an answer, as a reset socket does. */
const dropConnection: Answer = (_res, req) => req.socket.destroy();

let server: Server;
let endpoint: string;
let seen: Seen[];
let answers: Answer[];

beforeEach(async () => {
  seen = [];
  answers = [];
  server = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      signatureValid: signatureValid(req, CREDENTIALS.secretAccessKey),
    });
    const answer = answers.shift() ?? xmlError(500, 'InternalError');
    answer(res, req);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  // With a path, like the local runtime's S3 edge (`<url>/_aws/s3`).
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/_aws/s3`;
});

afterEach(async () => {
  vi.unstubAllEnvs();
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
});

/** A standard retry strategy without waiting, recording the delay base of each retry (its kind). */
function instantRetries(maxAttempts = 5) {
  const delayBases: number[] = [];
  const strategy = new StandardRetryStrategy({
    maxAttempts,
    backoff: { setDelayBase: (base) => delayBases.push(base), computeNextBackoffDelay: () => 0 },
  });
  return { strategy, delayBases };
}

/** A reader of the local stand-in, retrying at once with `strategy` when one is given. */
const readerOf = (strategy?: StandardRetryStrategy) =>
  s3ObjectReader({
    region: REGION,
    endpoint,
    credentials: CREDENTIALS,
    ...(strategy ? { retryStrategy: strategy } : {}),
  });

describe('s3ObjectReader', () => {
  it('GETs the object path-style under the endpoint, each key segment encoded as S3 expects, signed for s3', async () => {
    // Prepare
    answers.push(object(Buffer.from('raw mail')));
    const read = readerOf();

    // Act
    const body = await read('inbound-bucket', "survey-replies/a b+c/回复 ü(1)!'*~.eml");

    // Assess
    expect(body.toString()).toBe('raw mail');
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe(
      '/_aws/s3/inbound-bucket/survey-replies/a%20b%2Bc/%E5%9B%9E%E5%A4%8D%20%C3%BC%281%29%21%27%2A~.eml',
    );
    expect(request?.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=AKIDTEST/\\d{8}/${REGION}/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(request?.headers['x-amz-content-sha256']).toBe(EMPTY_SHA256);
    expect(request?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request?.headers['x-amz-security-token']).toBe('session-token');
    expect(request?.signatureValid).toBe(true);
  });

  it('sends no session token header when the credentials have none', async () => {
    // Prepare
    answers.push(object(Buffer.from('x')));
    const { sessionToken: _, ...longTerm } = CREDENTIALS;
    const read = s3ObjectReader({ region: REGION, endpoint, credentials: longTerm });

    // Act
    await read('b', 'k');

    // Assess
    expect(seen[0]?.headers['x-amz-security-token']).toBeUndefined();
    expect(seen[0]?.headers.authorization).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date,');
    expect(seen[0]?.signatureValid).toBe(true);
  });

  it('takes region, endpoint and credentials from the standard environment settings', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', 'ap-east-1');
    vi.stubEnv('AWS_ENDPOINT_URL_S3', `${endpoint}/`);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', 'env-token');
    answers.push(object(Buffer.from('x')));

    // Act
    await s3ObjectReader()('b', 'survey-replies/m.eml');

    // Assess
    expect(seen[0]?.path).toBe('/_aws/s3/b/survey-replies/m.eml');
    expect(seen[0]?.headers.authorization).toContain('Credential=AKIDFROMENV/');
    expect(seen[0]?.headers.authorization).toContain('/ap-east-1/s3/aws4_request');
    expect(seen[0]?.headers['x-amz-security-token']).toBe('env-token');
    expect(seen[0]?.signatureValid).toBe(true);
  });

  it('returns a binary body byte for byte', async () => {
    // Prepare
    const bytes = Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      randomBytes(1 << 20),
    ]);
    answers.push(object(bytes));
    const read = readerOf();

    // Act
    const body = await read('b', 'binary.eml');

    // Assess
    expect(body.equals(bytes)).toBe(true);
  });

  it.each([
    [404, 'NoSuchKey'],
    [403, 'AccessDenied'],
    [400, 'InvalidArgument'],
  ])('fails at once on %i %s, naming bucket, key, status and code', async (status, code) => {
    // Prepare
    answers.push(xmlError(status, code), object(Buffer.from('never read')));
    const { strategy } = instantRetries();
    const read = readerOf(strategy);

    // Act
    const failure = await read('inbound-bucket', 'survey-replies/gone.eml').catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(S3ReadError);
    expect(failure).toMatchObject({ bucket: 'inbound-bucket', key: 'survey-replies/gone.eml', status, code });
    expect((failure as Error).message).toBe(
      `GetObject s3://inbound-bucket/survey-replies/gone.eml failed: HTTP ${status} ${code}`,
    );
    expect(seen).toHaveLength(1);
  });

  it('retries server errors with the SDK standard strategy and returns the body', async () => {
    // Prepare: the default strategy, its real (short) backoff included
    answers.push(
      xmlError(500, 'InternalError'),
      xmlError(500, 'InternalError'),
      object(Buffer.from('finally')),
    );
    const read = readerOf();

    // Act
    const body = await read('b', 'k');

    // Assess: each attempt signed anew
    expect(body.toString()).toBe('finally');
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.signatureValid)).toBe(true);
  });

  it('retries throttling (429, 503 SlowDown) with the longer throttling backoff', async () => {
    // Prepare
    answers.push(xmlError(429, 'TooManyRequests'), xmlError(503, 'SlowDown'), xmlError(502, 'BadGateway'));
    answers.push(object(Buffer.from('ok')));
    const { strategy, delayBases } = instantRetries();
    const read = readerOf(strategy);

    // Act
    const body = await read('b', 'k');

    // Assess: the SDK's throttling base (1 s) for the first two, its transient base for the 502
    expect(body.toString()).toBe('ok');
    expect(seen).toHaveLength(4);
    expect(delayBases).toEqual([1000, 1000, 50]);
  });

  it('retries a dropped connection', async () => {
    // Prepare
    answers.push(dropConnection, object(Buffer.from('after reset')));
    const { strategy } = instantRetries();
    const read = readerOf(strategy);

    // Act
    const body = await read('b', 'k');

    // Assess
    expect(body.toString()).toBe('after reset');
    expect(seen).toHaveLength(2);
  });

  it('gives up after the configured attempts with the last answer', async () => {
    // Prepare: every answer is a 500 (the server's default)
    const { strategy } = instantRetries(5);
    const read = readerOf(strategy);

    // Act
    const failure = await read('b', 'k').catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(S3ReadError);
    expect((failure as Error).message).toBe(
      'GetObject s3://b/k failed: HTTP 500 InternalError after 5 attempts',
    );
    expect(seen).toHaveLength(5);
  });

  it('retries the attempts of SDK_RETRY (5) by default', async () => {
    // Prepare: an unreachable endpoint (the server closed), so every attempt is a refused connection
    const closed = endpoint;
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
    server = createServer().listen(0, '127.0.0.1');
    const read = s3ObjectReader({ region: REGION, endpoint: closed, credentials: CREDENTIALS });

    // Act
    const failure = await read('b', 'k').catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(S3ReadError);
    expect(failure).toMatchObject({ status: undefined, attempts: 5 });
    expect((failure as Error).message).toMatch(
      /^GetObject s3:\/\/b\/k failed: no answer \(.*ECONNREFUSED.*\) after 5 attempts$/,
    );
  });
});

describe('getObjectRequest', () => {
  it('addresses the bucket virtual-hosted on its regional endpoint when no endpoint is set', () => {
    // Act
    const request = getObjectRequest('aftercare-inbound-1a2b', 'survey-replies/x y.eml', { region: REGION });

    // Assess
    expect(request).toMatchObject({
      method: 'GET',
      protocol: 'https:',
      hostname: 'aftercare-inbound-1a2b.s3.eu-west-1.amazonaws.com',
      path: '/survey-replies/x%20y.eml',
      headers: { host: 'aftercare-inbound-1a2b.s3.eu-west-1.amazonaws.com' },
    });
    expect(request.port).toBeUndefined();
  });

  it('keeps a bucket name with dots path-style (the wildcard certificate does not cover it)', () => {
    // Act
    const request = getObjectRequest('mail.example.com', 'k', { region: REGION });

    // Assess
    expect(request).toMatchObject({ hostname: 's3.eu-west-1.amazonaws.com', path: '/mail.example.com/k' });
  });

  it('uses the China partition domain in cn- regions', () => {
    // Act
    const request = getObjectRequest('b', 'k', { region: 'cn-north-1' });

    // Assess
    expect(request.hostname).toBe('b.s3.cn-north-1.amazonaws.com.cn');
  });

  it('keeps the port and path of an endpoint override in the host header and path', () => {
    // Act
    const request = getObjectRequest('b', 'a/b', { region: 'local', endpoint: 'http://localhost:4566/' });

    // Assess
    expect(request).toMatchObject({
      protocol: 'http:',
      hostname: 'localhost',
      port: 4566,
      path: '/b/a/b',
      headers: { host: 'localhost:4566' },
    });
  });
});
