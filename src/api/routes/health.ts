import type { FastifyPluginAsync } from 'fastify';
import type { Ledger } from '../../ledger';

/** Liveness and readiness for load balancers: public, and 503 while the ledger is unreachable. */
export function healthRoutes(deps: { ledger: Ledger }): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', { config: { access: 'public' } }, async (request, reply) => {
      try {
        await deps.ledger.ping();
        return { status: 'ok' };
      } catch (error: unknown) {
        request.log.warn({ err: error }, 'ledger unreachable');
        return reply.status(503).send({ status: 'unavailable' });
      }
    });
  };
}
