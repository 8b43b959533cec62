import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { OrderError, type OrderService } from '../../orders/order-service';
import { coversTenant } from '../api-keys';
import { readOrderFor } from '../order-access';
import { orderViewFor } from '../order-view';
import { idParam, workflowIdParam } from '../../domain/ids';
import { orderListQuery } from '../../orders/order-list';
import { assertTenantAccess, tenantScopeOf } from '../tenant-access';
import { parseRequest } from '../validation';

const orderParams = z.object({ orderId: idParam });
const workflowParams = z.object({ workflowId: workflowIdParam });

/**
 * An ops decision's body. Who decided is the calling key's name, never a claim of the
 * body: a `by` sent by older clients is ignored.
 */
export const decisionBody = z.object({
  reason: z.string().max(1000).optional().describe("Why, for the order's record."),
});

/** Ops: what needs attention and why, and the decision that unblocks each order. */
export function opsRoutes(deps: { orders: OrderService }): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/ops/orders', { config: { access: ['ops'] } }, async (request) => {
      const { tenantId, state, pageSize, nextPageToken } = parseRequest(
        orderListQuery,
        request.query,
      );
      const scope = tenantScopeOf(request);
      // A tenant outside the key lists like a tenant without orders.
      if (tenantId && !coversTenant(scope, tenantId)) return { orders: [] };
      const tenants = tenantId ? { tenantId } : scope === '*' ? {} : { tenantIds: [...scope] };
      return deps.orders.listOrders(
        state ? { ...tenants, state } : { ...tenants, needsAttention: true },
        { pageSize, nextPageToken },
      );
    });

    for (const action of ['retry', 'abort'] as const) {
      app.post(
        `/v1/ops/orders/:orderId/${action}`,
        { config: { access: ['ops'] } },
        async (request, reply) => {
          const { orderId } = parseRequest(orderParams, request.params);
          const { reason } = parseRequest(decisionBody, request.body ?? {});
          await readOrderFor(request, deps.orders, orderId);
          const by = request.apiKey!.name;
          const { value, settled } = await deps.orders.decide(orderId, { action, by, reason });
          request.log.info({ orderId, action, by, reason, settled }, 'ops decision');
          // 202: sent, not applied in time (no worker); it applies when the order runs.
          return reply.code(settled ? 200 : 202).send(orderViewFor(value, request.apiKey!));
        },
      );
      // The same decision by workflow id: how ops reach a stuck renewal.
      app.post(
        `/v1/ops/workflows/:workflowId/${action}`,
        { config: { access: ['ops'] } },
        async (request) => {
          const { workflowId } = parseRequest(workflowParams, request.params);
          const { reason } = parseRequest(decisionBody, request.body ?? {});
          // Another tenant's workflow answers as one that does not exist.
          const notFound = () =>
            new OrderError('ORDER.NOT_FOUND', `workflow ${workflowId} does not exist`);
          const tenantId = await deps.orders.tenantOfWorkflow(workflowId);
          if (tenantId === null) throw notFound();
          assertTenantAccess(request, tenantId, notFound);
          const by = request.apiKey!.name;
          request.log.info({ workflowId, action, by, reason }, 'ops decision');
          return deps.orders.decideWorkflow(workflowId, { action, by, reason });
        },
      );
    }
  };
}
