import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { OPENAPI_PATH } from '../api-docs';

/** The API's OpenAPI document, generated from the routes' schemas; public, for clients and tools. */
export function openApiRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.get(
      OPENAPI_PATH,
      {
        config: { access: 'public' },
        schema: {
          summary: 'This document',
          tags: ['health'],
          response: {
            200: z
              .looseObject({ openapi: z.string() })
              .describe('The OpenAPI 3.1 document of the API.'),
          },
        },
      },
      async () => app.swagger(),
    );
  };
}
