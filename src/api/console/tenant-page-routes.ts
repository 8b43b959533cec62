import { assertTenantAccess } from '../tenant-access';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { idParam } from '../../domain/ids';
import { tenantParams } from '../../contract';
import { parseRequest } from '../validation';
import type { ConsoleDeps } from './console-deps';
import { tenantView } from './tenant-view';
import { renderPage } from './views';

const access = 'public' as const; // guarded by the console's ops-key hook (console-routes.ts)

const findQuery = z.object({ tenantId: z.string().trim().pipe(idParam) });
const tenantQuery = z.object({
  userId: z
    .string()
    .trim()
    .transform((id) => id || undefined)
    .pipe(idParam.optional())
    .optional(),
  auditAfter: z
    .string()
    .regex(/^[0-9]{1,18}$/)
    .optional(),
});

/** A tenant's subscriptions, seats, entitlement explorer and audit trail. */
export function tenantPageRoutes(deps: ConsoleDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/console/tenants', { config: { access } }, async (request, reply) => {
      const { tenantId } = parseRequest(findQuery, request.query);
      return reply.redirect(`/console/tenants/${encodeURIComponent(tenantId)}`, 303);
    });

    app.get('/console/tenants/:tenantId', { config: { access } }, async (request, reply) => {
      const { tenantId } = parseRequest(tenantParams, request.params);
      assertTenantAccess(request, tenantId);
      const query = parseRequest(tenantQuery, request.query);
      return renderPage(request, reply, 'tenant.hbs', {
        title: `Tenant ${tenantId}`,
        ...(await tenantView(deps.ledger, tenantId, query)),
      });
    });
  };
}
