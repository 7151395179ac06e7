/**
 * Reads one S3 object (`GetObject`) without the generated S3 client. `@aws-sdk/client-s3` (its operation
 * schemas, endpoint rule set, checksum and S3 middleware: ~120 KB of bundle) cost the `survey-inbound`
 * function ~0.2× of a DynamoDB-only bundle's import time at cold start (issue 9, `npm run bench -- cold`),
 * for the one call it makes. Everything that matters is still the SDK's own, the same code the DynamoDB
 * client already loads, so this adds no dependency and next to no bytes: SigV4 signing (`SignatureV4`,
 * service `s3`), the HTTP handler (`NodeHttpHandler`), the default credential chain (`defaultProvider`)
 * and the standard retry strategy (jittered backoff, retry quota). What is ours: the URL (path-style
 * under `AWS_ENDPOINT_URL_S3`, virtual-hosted on AWS), the key's encoding, and which answers are retried.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { extendedEncodeURIComponent, HttpRequest } from '@smithy/core/protocols';
import { isTransientError, StandardRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  RetryErrorType,
  RetryStrategyV2,
  SdkError,
} from '@smithy/types';
import { SDK_RETRY } from '../store/client.ts';

/** Where S3 is: the region signed for, and an endpoint override (`AWS_ENDPOINT_URL_S3`), if any. */
export interface S3Location {
  region: string;
  /** Base URL of an S3-compatible endpoint (may carry a path); objects are addressed path-style under it. */
  endpoint?: string | undefined;
}

/**
 * An S3 key as a URL path: each `/`-separated segment percent-encoded as S3 expects (everything but
 * `A–Z a–z 0–9 - . _ ~`, UTF-8 bytes for the rest), the slashes kept.
 */
export const encodeKeyPath = (key: string): string =>
  key.split('/').map(extendedEncodeURIComponent).join('/');

/**
 * The unsigned `GetObject` request for `bucket`/`key`: path-style under an endpoint override, else the
 * virtual-hosted URL of the bucket (path-style on the regional endpoint for a bucket name with dots,
 * which the wildcard certificate of `*.s3.<region>.amazonaws.com` does not cover).
 */
export function getObjectRequest(bucket: string, key: string, where: S3Location): HttpRequest {
  const bucketPath = `/${extendedEncodeURIComponent(bucket)}/${encodeKeyPath(key)}`;
  let url: URL;
  let path: string;
  if (where.endpoint) {
    url = new URL(where.endpoint);
    path = `${url.pathname.replace(/\/+$/, '')}${bucketPath}`;
  } else {
    const domain = `s3.${where.region}.${where.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
    const virtualHosted = !bucket.includes('.');
    url = new URL(`https://${virtualHosted ? `${bucket}.${domain}` : domain}`);
    path = virtualHosted ? `/${encodeKeyPath(key)}` : bucketPath;
  }
  return new HttpRequest({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path,
    // Signed, so it must be the host the request goes to.
    headers: { host: url.host },
  });
}

/** A `GetObject` that failed: S3's answer (status and error code) or the connection's error as `cause`. */
export class S3ReadError extends Error {
  override readonly name = 'S3ReadError';
  constructor(
    readonly bucket: string,
    readonly key: string,
    /** The HTTP status S3 answered, none when the request got no answer. */
    readonly status: number | undefined,
    /** S3's `<Code>` (`NoSuchKey`, `AccessDenied`, `SlowDown`…), when the answer carried one. */
    readonly code: string | undefined,
    readonly attempts: number,
    options?: ErrorOptions,
  ) {
    const what =
      status === undefined
        ? `no answer (${options?.cause instanceof Error ? options.cause.message : String(options?.cause)})`
        : `HTTP ${status}${code ? ` ${code}` : ''}`;
    super(
      `GetObject s3://${bucket}/${key} failed: ${what}${attempts > 1 ? ` after ${attempts} attempts` : ''}`,
      options,
    );
  }
}

export interface S3ObjectReaderOptions {
  /** Defaults to `AWS_REGION`. */
  region?: string;
  /** Defaults to `AWS_ENDPOINT_URL_S3` (the local runtime's S3 edge). */
  endpoint?: string | undefined;
  /** Defaults to the SDK's default credential chain (on Lambda: the function role, from the environment). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Defaults to the SDK's standard strategy with the attempts of every SDK client here (`SDK_RETRY`). */
  retryStrategy?: RetryStrategyV2;
}

/** Reads whole objects: the body, byte for byte. */
export type S3ObjectReader = (bucket: string, key: string) => Promise<Buffer>;

/**
 * What kind of failure an attempt met, which decides whether and how soon the standard strategy retries
 * it: throttling (429, S3's `SlowDown`) after the longer backoff; a 5xx, or a connection the SDK counts as
 * transient (reset, refused, timed out, DNS), after the short one; any other 4xx (a missing key, a denied
 * read) never.
 */
function retryKind(status: number | undefined, code: string | undefined, cause: unknown): RetryErrorType {
  if (status === undefined)
    return cause instanceof Error && isTransientError(cause as SdkError) ? 'TRANSIENT' : 'CLIENT_ERROR';
  if (status === 429 || code === 'SlowDown') return 'THROTTLING';
  return status >= 500 ? 'TRANSIENT' : 'CLIENT_ERROR';
}

async function readBody(body: unknown): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * A reader of S3 objects, signing with SigV4 and retrying transient failures like the SDK clients do.
 * Create one per execution environment: it keeps its connections and its retry quota.
 */
export function s3ObjectReader(options: S3ObjectReaderOptions = {}): S3ObjectReader {
  const region = options.region ?? process.env.AWS_REGION;
  if (!region) throw new Error('S3 reads need a region: set AWS_REGION');
  const where: S3Location = { region, endpoint: options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 };
  const signer = new SignatureV4({
    service: 's3',
    region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
    // S3 signs the path as sent (already encoded), not encoded twice like other services.
    uriEscapePath: false,
    // S3 wants the payload hash in `x-amz-content-sha256`.
    applyChecksum: true,
  });
  const http = new NodeHttpHandler();
  const retry = options.retryStrategy ?? new StandardRetryStrategy(SDK_RETRY.maxAttempts);

  return async (bucket, key) => {
    const request = getObjectRequest(bucket, key, where);
    let token = await retry.acquireInitialRetryToken('s3');
    for (let attempts = 1; ; attempts++) {
      // Signed anew for every attempt: a fresh date, and credentials refreshed if they expired meanwhile.
      const signed = await signer.sign(request);
      let failure: S3ReadError;
      try {
        const { response } = await http.handle(signed as HttpRequest);
        const body = await readBody(response.body);
        if (response.statusCode >= 200 && response.statusCode < 300) {
          retry.recordSuccess(token);
          return body;
        }
        const code = /<Code>([^<]+)<\/Code>/.exec(body.toString('utf8'))?.[1];
        failure = new S3ReadError(bucket, key, response.statusCode, code, attempts);
      } catch (cause) {
        failure = new S3ReadError(bucket, key, undefined, undefined, attempts, { cause });
      }
      try {
        token = await retry.refreshRetryTokenForRetry(token, {
          errorType: retryKind(failure.status, failure.code, failure.cause),
        });
      } catch {
        // Not retryable, out of attempts or out of retry quota.
        throw failure;
      }
    }
  };
}
