import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { OrderService } from '../../orders/order-service';
import { idParam, workflowIdParam } from '../params';
import { parseRequest } from '../validation';

const orderParams = z.object({ orderId: idParam });
const workflowParams = z.object({ workflowId: workflowIdParam });
export const decisionBody = z.object({
  by: z.string().min(1).max(200).describe("Who decided, for the order's record."),
  reason: z.string().max(1000).optional(),
});
export const listQuery = z.object({
  tenantId: idParam.optional(),
  state: z
    .string()
    .regex(/^[a-z-]{1,40}$/, 'must be an order state such as needs-attention')
    .optional(),
});

/** Ops: what needs attention and why, and the decision that unblocks each order. */
export function opsRoutes(deps: { orders: OrderService }): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/ops/orders', { config: { access: ['ops'] } }, async (request) => {
      const { tenantId, state } = parseRequest(listQuery, request.query);
      const orders = await deps.orders.listOrders(
        state ? { tenantId, state } : { tenantId, needsAttention: true },
      );
      return { orders };
    });

    for (const action of ['retry', 'abort'] as const) {
      app.post(
        `/v1/ops/orders/:orderId/${action}`,
        { config: { access: ['ops'] } },
        async (request) => {
          const { orderId } = parseRequest(orderParams, request.params);
          const { by, reason } = parseRequest(decisionBody, request.body ?? {});
          return deps.orders.decide(orderId, { action, by, reason });
        },
      );
      // The same decision by workflow id: how ops reach a stuck renewal.
      app.post(
        `/v1/ops/workflows/:workflowId/${action}`,
        { config: { access: ['ops'] } },
        async (request) => {
          const { workflowId } = parseRequest(workflowParams, request.params);
          const { by, reason } = parseRequest(decisionBody, request.body ?? {});
          return deps.orders.decideWorkflow(workflowId, { action, by, reason });
        },
      );
    }
  };
}
