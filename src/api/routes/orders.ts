import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Purchase } from '../../catalog/purchase';
import {
  apiErrorSchema,
  badRequest,
  checkoutResultSchema,
  notFound,
  orderParams,
  orderViewSchema,
  placeOrderBody,
} from '../../contract';
import { OrderError, type OrderService } from '../../orders/order-service';
import { READ_ACCESS } from '../auth';
import { readOrderFor } from '../order-access';
import { orderViewFor } from '../order-view';
import { assertTenantAccess, tenantScopeOf } from '../tenant-access';
import { coversTenant } from '../api-keys';
import { isLedgerError } from '../../ledger';

/**
 * Checkout: place an order (idempotent by its order id, forever) and read it. The response
 * to a placement comes once the payment is authorized, needs the customer (3-D Secure:
 * the client secret is in it), or was declined; or, after CHECKOUT_ANSWER_TIMEOUT_MS, a
 * 202 with the order as it is.
 */
export function orderRoutes(deps: { orders: OrderService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/v1/orders',
      {
        config: { access: ['checkout', 'ops'] },
        schema: {
          summary: 'Place an order (idempotent by its order id)',
          description:
            'Answers once the payment is authorized, needs the customer (3-D Secure: the ' +
            'client secret is in the answer), or was declined. The same order sent again, ' +
            'even at once and after any time, is the same order, answered as it is now.',
          tags: ['orders'],
          body: placeOrderBody,
          response: {
            201: checkoutResultSchema.describe(
              'Authorized, or awaiting 3-D Secure (`clientSecret`).',
            ),
            202: checkoutResultSchema.describe(
              'Accepted; no outcome within CHECKOUT_ANSWER_TIMEOUT_MS (the order as it is now).',
            ),
            400: badRequest,
            402: checkoutResultSchema.describe('The payment was declined (`declineReason`).'),
            404: notFound,
            409: apiErrorSchema.describe(
              'The order id was used before with another request (the differing fields are ' +
                'named), or a user already holds the plan.',
            ),
          },
        },
      },
      async (request, reply) => {
        const purchase = request.body;
        assertTenantAccess(request, purchase.tenantId);
        const { value: result, settled } = await placeOrderFor(request, deps.orders, purchase);
        // 202: no outcome in time (no worker); the order runs on, and is read with GET.
        if (!settled) return reply.code(202).send(result);
        return reply.code(result.state === 'declined' ? 402 : 201).send(result);
      },
    );

    app.get(
      '/v1/orders/:orderId',
      {
        config: { access: READ_ACCESS },
        schema: {
          summary: 'Where an order stands',
          tags: ['orders'],
          params: orderParams,
          response: { 200: orderViewSchema, 400: badRequest, 404: notFound },
        },
      },
      async (request) => {
        const { orderId } = request.params;
        return orderViewFor(await readOrderFor(request, deps.orders, orderId), request.apiKey!);
      },
    );
  };
}

/**
 * Places the order. An order id already used for another purchase is a 409; when that
 * purchase belongs to a tenant outside the caller's key, the answer does not say which.
 */
async function placeOrderFor(request: FastifyRequest, orders: OrderService, purchase: Purchase) {
  try {
    return await orders.placeOrder(purchase);
  } catch (error: unknown) {
    // Only an order id used before says anything of another order; other conflicts
    // (a user who already holds the plan) are about this tenant's own request.
    if (!isLedgerError(error) || error.code !== 'LEDGER.ORDER_CONFLICT') throw error;
    const existing = await orders.getOrder(purchase.orderId).catch(() => null);
    if (!existing || coversTenant(tenantScopeOf(request), existing.tenantId)) throw error;
    throw new OrderError(
      'ORDER.CONFLICT',
      `order ${purchase.orderId} was placed before for another purchase`,
    );
  }
}
