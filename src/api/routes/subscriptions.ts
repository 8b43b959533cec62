import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ChangeError } from '../../subscriptions/change-errors';
import { changeIdSchema, changeRequestSchema } from '../../subscriptions/change-requests';
import type { SubscriptionService } from '../../subscriptions/subscription-service';
import { READ_ACCESS } from '../auth';
import { idParam, subscriptionIdParam } from '../../domain/ids';
import { coversTenant } from '../api-keys';
import { assertTenantAccess, tenantScopeOf } from '../tenant-access';
import { parseRequest } from '../validation';
import { decisionBody } from './ops';

const tenantParams = z.object({ tenantId: idParam });
const subscriptionParams = tenantParams.extend({ subscriptionId: subscriptionIdParam });
const changeParams = subscriptionParams.extend({ changeId: changeIdSchema });
const opsListQuery = z.object({ tenantId: idParam.optional() });
const opsParams = z.object({ subscriptionId: subscriptionIdParam, changeId: changeIdSchema });

/** Answers a change by where it stands: declined 402, waiting for ops 202, else 200. */
const statusCodeOf = (state: string) =>
  state === 'declined' ? 402 : state === 'needs-attention' ? 202 : 200;

/**
 * Subscriptions after checkout: read them, and ask for a change (upgrade, downgrade,
 * cancel, seats, payment method, withdrawal), idempotent by the client's change id.
 */
export function subscriptionRoutes(deps: {
  subscriptions: SubscriptionService;
}): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/v1/tenants/:tenantId/subscriptions',
      { config: { access: READ_ACCESS } },
      async (request) => {
        const { tenantId } = parseRequest(tenantParams, request.params);
        assertTenantAccess(request, tenantId);
        return { tenantId, subscriptions: await deps.subscriptions.listSubscriptions(tenantId) };
      },
    );

    app.get(
      '/v1/tenants/:tenantId/subscriptions/:subscriptionId',
      { config: { access: READ_ACCESS } },
      async (request) => {
        const { tenantId, subscriptionId } = parseRequest(subscriptionParams, request.params);
        assertTenantAccess(request, tenantId);
        return deps.subscriptions.getSubscription(tenantId, subscriptionId);
      },
    );

    app.post(
      '/v1/tenants/:tenantId/subscriptions/:subscriptionId/changes',
      { config: { access: ['checkout', 'ops'] } },
      async (request, reply) => {
        const { tenantId, subscriptionId } = parseRequest(subscriptionParams, request.params);
        assertTenantAccess(request, tenantId);
        const change = parseRequest(changeRequestSchema, request.body);
        const status = await deps.subscriptions.requestChange(tenantId, subscriptionId, change);
        return reply.code(statusCodeOf(status.state)).send(status);
      },
    );

    app.get(
      '/v1/tenants/:tenantId/subscriptions/:subscriptionId/changes/:changeId',
      { config: { access: READ_ACCESS } },
      async (request) => {
        const { tenantId, subscriptionId, changeId } = parseRequest(changeParams, request.params);
        assertTenantAccess(request, tenantId);
        return deps.subscriptions.getChange(tenantId, subscriptionId, changeId);
      },
    );

    app.get('/v1/ops/subscription-changes', { config: { access: ['ops'] } }, async (request) => {
      const { tenantId } = parseRequest(opsListQuery, request.query);
      const scope = tenantScopeOf(request);
      // A tenant outside the key lists like a tenant without changes.
      if (tenantId && !coversTenant(scope, tenantId)) return { changes: [] };
      const changes = await deps.subscriptions.listChangesNeedingAttention({ tenantId });
      return { changes: changes.filter((change) => coversTenant(scope, change.tenantId)) };
    });

    for (const action of ['retry', 'abort'] as const) {
      app.post(
        `/v1/ops/subscriptions/:subscriptionId/changes/:changeId/${action}`,
        { config: { access: ['ops'] } },
        async (request) => {
          const { subscriptionId, changeId } = parseRequest(opsParams, request.params);
          const { reason } = parseRequest(decisionBody, request.body ?? {});
          // Another tenant's subscription answers as one that does not exist.
          const tenantId = await deps.subscriptions.tenantOf(subscriptionId);
          const notFound = () =>
            new ChangeError(
              'CHANGE.NOT_FOUND',
              'subscriptionId',
              `subscription ${subscriptionId} is unknown`,
            );
          if (tenantId === null) throw notFound();
          assertTenantAccess(request, tenantId, notFound);
          const by = request.apiKey!.name;
          request.log.info({ subscriptionId, changeId, action, by, reason }, 'ops decision');
          return deps.subscriptions.decide(subscriptionId, changeId, { action, by, reason });
        },
      );
    }
  };
}
