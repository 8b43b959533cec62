import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Ledger } from '../../ledger';
import { auditPageSchema, auditQuery, badRequest, notFound, tenantParams } from '../../contract';
import { READ_ACCESS } from '../auth';
import { assertTenantAccess } from '../tenant-access';

/** Every grant and revocation of a tenant, with the orders that caused them, by pages. */
export function auditRoutes(deps: { ledger: Ledger }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/tenants/:tenantId/audit',
      {
        config: { access: READ_ACCESS },
        schema: {
          summary: 'Grants and revocations with the orders that caused them, by pages',
          tags: ['audit'],
          params: tenantParams,
          querystring: auditQuery,
          response: { 200: auditPageSchema, 400: badRequest, 404: notFound },
        },
      },
      async (request) => {
        const { tenantId } = request.params;
        assertTenantAccess(request, tenantId);
        const { limit, after } = request.query;
        const page = await deps.ledger.grantHistory(tenantId, { limit, after });
        return { tenantId, ...page };
      },
    );
  };
}
