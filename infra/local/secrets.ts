/**
 * Secrets Manager on one machine: `GetSecretValue` of the secrets the local runtime holds, so the
 * functions read their keys through the same client and code path as on AWS (`shared/config/secrets.ts`).
 * Each secret has only a current version locally: asking for `AWSPREVIOUS` answers as AWS does before
 * the first rotation.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AWS_EDGE_PREFIX } from './aws-edge.ts';
import type { SideRoute } from './server.ts';

/** The ARN a local secret is bound by, as the deployment binds the real one. */
export const localSecretArn = (name: string) => `arn:aws:secretsmanager:local:000000000000:secret:${name}`;

function awsJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

/** Secrets Manager speaks AWS JSON 1.1: `X-Amz-Target: secretsmanager.<Operation>`. */
export function secretsManagerEdge(secrets: Record<string, string>): SideRoute {
  return async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!req.url?.startsWith(AWS_EDGE_PREFIX) || !target.startsWith('secretsmanager.')) return false;
    if (target !== 'secretsmanager.GetSecretValue') {
      awsJson(res, 400, {
        __type: 'UnknownOperationException',
        message: `${target} is not emulated locally`,
      });
      return true;
    }
    const input = JSON.parse(body.toString('utf8') || '{}') as { SecretId?: string; VersionStage?: string };
    const value = input.SecretId ? secrets[input.SecretId] : undefined;
    if (value === undefined || (input.VersionStage ?? 'AWSCURRENT') !== 'AWSCURRENT') {
      awsJson(res, 400, {
        __type: 'ResourceNotFoundException',
        message: `Secrets Manager can't find the specified secret value for staging label: ${input.VersionStage ?? 'AWSCURRENT'}`,
      });
      return true;
    }
    awsJson(res, 200, {
      ARN: input.SecretId,
      Name: input.SecretId?.split(':').at(-1),
      SecretString: value,
      VersionId: 'local',
      VersionStages: ['AWSCURRENT'],
    });
    return true;
  };
}
