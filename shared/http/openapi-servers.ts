/**
 * The `servers` of the OpenAPI document. Apart from the generator (`./openapi.ts`): the function serving
 * the document generated at build time lists the server that answered without loading the generator.
 */

/** Where the API is reached, with what it is (local, production …). */
export interface ApiServer {
  url: string;
  description: string;
  internal?: boolean;
}

/** The deployment clients are given. */
export const PRODUCTION_SERVER: ApiServer = {
  url: 'https://api.aftercare.example',
  description: 'production',
  internal: false,
};

/** The document's `servers` entries. */
export const serverObjects = (servers: readonly ApiServer[]) =>
  servers.map((s) => ({ url: s.url, description: s.description, 'x-internal': s.internal ?? false }));
