import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Ledger } from '../../ledger';
import { healthSchema, unavailableSchema } from '../../contract';

/** Liveness and readiness for load balancers: public, and 503 while the ledger is unreachable. */
export function healthRoutes(deps: { ledger: Ledger }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      {
        config: { access: 'public' },
        schema: {
          summary: 'Liveness and readiness',
          tags: ['health'],
          response: {
            200: healthSchema.describe('The ledger answers.'),
            503: unavailableSchema.describe('The ledger is unreachable.'),
          },
        },
      },
      async (request, reply) => {
        try {
          await deps.ledger.ping();
          return { status: 'ok' as const };
        } catch (error: unknown) {
          request.log.warn({ err: error }, 'ledger unreachable');
          return reply.status(503).send({ status: 'unavailable' });
        }
      },
    );
  };
}
