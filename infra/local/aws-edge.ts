/**
 * Local endpoints for the AWS APIs our functions call, so their SDK clients run unchanged: the SDK's
 * standard `AWS_ENDPOINT_URL_<SERVICE>` settings point them here. Only the operations we use exist.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalBus, PutEventsEntry } from './bus.ts';
import type { SideRoute } from './server.ts';

export const AWS_EDGE_PREFIX = '/_aws';

function awsJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

/** EventBridge speaks AWS JSON 1.1: POST with `X-Amz-Target: AWSEvents.<Operation>`. */
export function eventBridgeEdge(bus: LocalBus): SideRoute {
  return async (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!req.url?.startsWith(AWS_EDGE_PREFIX) || !target.startsWith('AWSEvents.')) return false;
    if (target !== 'AWSEvents.PutEvents') {
      awsJson(res, 400, {
        __type: 'UnknownOperationException',
        message: `${target} is not emulated locally`,
      });
      return true;
    }
    const input = JSON.parse(body.toString('utf8')) as { Entries?: PutEventsEntry[] };
    awsJson(res, 200, await bus.put(input.Entries ?? []));
    return true;
  };
}
