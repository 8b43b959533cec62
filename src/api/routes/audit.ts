import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Ledger } from '../../ledger';
import { READ_ACCESS } from '../auth';
import { assertTenantAccess } from '../tenant-access';
import { tenantParams } from '../params';
import { parseRequest } from '../validation';

const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z
    .string()
    .regex(/^[0-9]{1,18}$/, 'must be the nextCursor of a previous page')
    .optional(),
});

/** Every grant and revocation of a tenant, with the orders that caused them, by pages. */
export function auditRoutes(deps: { ledger: Ledger }): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/tenants/:tenantId/audit', { config: { access: READ_ACCESS } }, async (request) => {
      const { tenantId } = parseRequest(tenantParams, request.params);
      assertTenantAccess(request, tenantId);
      const { limit, after } = parseRequest(auditQuery, request.query);
      const page = await deps.ledger.grantHistory(tenantId, { limit, after });
      return { tenantId, ...page };
    });
  };
}
