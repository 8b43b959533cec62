import type { FastifyPluginAsync } from 'fastify';
import type { Ledger } from '../../ledger';
import { READ_ACCESS } from '../auth';
import { assertTenantAccess } from '../tenant-access';
import { tenantParams } from '../params';
import { parseRequest } from '../validation';

/** Seats per plan: bought, assigned, free. */
export function seatRoutes(deps: { ledger: Ledger }): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/tenants/:tenantId/seats', { config: { access: READ_ACCESS } }, async (request) => {
      const { tenantId } = parseRequest(tenantParams, request.params);
      assertTenantAccess(request, tenantId);
      return { tenantId, plans: await deps.ledger.seatUsage(tenantId) };
    });
  };
}
