import type { FastifyPluginAsync } from 'fastify';
import type { Ledger } from '../../ledger';
import { READ_ACCESS } from '../auth';
import { assertTenantAccess } from '../tenant-access';
import { tenantParams, tenantUserParams } from '../params';
import { parseRequest } from '../validation';

/** Which features a tenant and its users hold, and why (the subscriptions and orders). */
export function entitlementRoutes(deps: { ledger: Ledger }): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/v1/tenants/:tenantId/entitlements',
      { config: { access: READ_ACCESS } },
      async (request) => {
        const { tenantId } = parseRequest(tenantParams, request.params);
        assertTenantAccess(request, tenantId);
        return deps.ledger.tenantEntitlements(tenantId);
      },
    );

    app.get(
      '/v1/tenants/:tenantId/users/:userId/entitlements',
      { config: { access: READ_ACCESS } },
      async (request) => {
        const { tenantId, userId } = parseRequest(tenantUserParams, request.params);
        assertTenantAccess(request, tenantId);
        return deps.ledger.userEntitlements(tenantId, userId);
      },
    );
  };
}
