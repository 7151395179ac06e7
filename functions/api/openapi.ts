/** GET /openapi.json — public; generated from the same schemas the handlers validate with. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { routes } from '../catalog.ts';

let body: string | undefined;

export async function handler(): Promise<APIGatewayProxyStructuredResultV2> {
  body ??= JSON.stringify(openApiDocument(routes));
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body };
}
