import type { FastifyPluginAsync } from 'fastify';
import { buildOpenApiDocument } from '../openapi';

/** The API's OpenAPI document, public so that clients and tools can fetch it unauthenticated. */
export function openApiRoutes(): FastifyPluginAsync {
  return async (app) => {
    const document = buildOpenApiDocument();
    app.get('/openapi.json', { config: { access: 'public' } }, async () => document);
  };
}
