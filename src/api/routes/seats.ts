import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Ledger } from '../../ledger';
import { badRequest, notFound, seatsSchema, tenantParams } from '../../contract';
import { READ_ACCESS } from '../auth';
import { assertTenantAccess } from '../tenant-access';

/** Seats per plan: bought, assigned, free. */
export function seatRoutes(deps: { ledger: Ledger }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/tenants/:tenantId/seats',
      {
        config: { access: READ_ACCESS },
        schema: {
          summary: 'Seats per plan: bought, assigned, free',
          tags: ['seats'],
          params: tenantParams,
          response: { 200: seatsSchema, 400: badRequest, 404: notFound },
        },
      },
      async (request) => {
        const { tenantId } = request.params;
        assertTenantAccess(request, tenantId);
        return { tenantId, plans: await deps.ledger.seatUsage(tenantId) };
      },
    );
  };
}
