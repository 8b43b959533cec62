import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { OrderError, type OrderService } from '../../orders/order-service';
import {
  attendedStatusSchema,
  badRequest,
  conflict,
  decisionBody,
  notFound,
  orderListQuery,
  orderListSchema,
  orderParams,
  orderViewSchema,
  workflowParams,
} from '../../contract';
import { coversTenant } from '../api-keys';
import { readOrderFor } from '../order-access';
import { orderViewFor } from '../order-view';
import { assertTenantAccess, tenantScopeOf } from '../tenant-access';

const SUMMARIES = {
  retry: {
    order: 'Retry the step an order is stuck on',
    workflow: 'Retry the step an order or a renewal is stuck on',
  },
  abort: {
    order: 'Abort an order: compensate what it did',
    workflow: 'Abort an order or a renewal: compensate, end an unpaid renewal',
  },
} as const;

/** Ops: what needs attention and why, and the decision that unblocks each order. */
export function opsRoutes(deps: { orders: OrderService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/ops/orders',
      {
        config: { access: ['ops'] },
        schema: {
          summary: 'Orders that need attention, or in a given state, by pages',
          description: "Only the tenants of the caller's key.",
          tags: ['ops'],
          querystring: orderListQuery,
          response: { 200: orderListSchema, 400: badRequest },
        },
      },
      async (request) => {
        const { tenantId, state, pageSize, nextPageToken } = request.query;
        const scope = tenantScopeOf(request);
        // A tenant outside the key lists like a tenant without orders.
        if (tenantId && !coversTenant(scope, tenantId)) return { orders: [] };
        const tenants = tenantId ? { tenantId } : scope === '*' ? {} : { tenantIds: [...scope] };
        return deps.orders.listOrders(
          state ? { ...tenants, state } : { ...tenants, needsAttention: true },
          { pageSize, nextPageToken },
        );
      },
    );

    for (const action of ['retry', 'abort'] as const) {
      app.post(
        `/v1/ops/orders/:orderId/${action}`,
        {
          config: { access: ['ops'] },
          schema: {
            summary: SUMMARIES[action].order,
            description: 'Only for an order that needs attention; any other state answers 409.',
            tags: ['ops'],
            params: orderParams,
            body: decisionBody,
            response: {
              200: orderViewSchema.describe('The order after the decision.'),
              202: orderViewSchema.describe(
                'Sent; not applied within CHECKOUT_ANSWER_TIMEOUT_MS (the order as it is now).',
              ),
              400: badRequest,
              404: notFound,
              409: conflict,
            },
          },
        },
        async (request, reply) => {
          const { orderId } = request.params;
          const { reason } = request.body;
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
        {
          config: { access: ['ops'] },
          schema: {
            summary: SUMMARIES[action].workflow,
            description:
              'By the workflowId that GET /v1/ops/orders lists (an order or a renewal); only ' +
              'while it needs attention, else 409.',
            tags: ['ops'],
            params: workflowParams,
            body: decisionBody,
            response: {
              200: attendedStatusSchema.describe('Its status after the decision.'),
              400: badRequest,
              404: notFound,
              409: conflict,
            },
          },
        },
        async (request) => {
          const { workflowId } = request.params;
          const { reason } = request.body;
          // Another tenant's workflow answers as one that does not exist.
          const notFound = () =>
            new OrderError('ORDER.NOT_FOUND', `workflow ${workflowId} does not exist`);
          const tenantId = await deps.orders.tenantOfWorkflow(workflowId);
          if (tenantId === null) throw notFound();
          assertTenantAccess(request, tenantId, notFound);
          const by = request.apiKey!.name;
          request.log.info({ workflowId, action, by, reason }, 'ops decision');
          return attendedStatusSchema.parse(
            await deps.orders.decideWorkflow(workflowId, { action, by, reason }),
          );
        },
      );
    }
  };
}
