import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { purchaseSchema } from '../../domain/purchase';
import type { OrderService } from '../../orders/order-service';
import { READ_ACCESS } from '../auth';
import { idParam } from '../params';
import { parseRequest } from '../validation';

const orderParams = z.object({ orderId: idParam });

/**
 * Checkout: place an order (idempotent by its order id, forever) and read it. The response
 * to a placement comes once the payment is authorized, needs the customer (3-D Secure:
 * the client secret is in it), or was declined; or, after CHECKOUT_ANSWER_TIMEOUT_MS, a
 * 202 with the order as it is.
 */
export function orderRoutes(deps: { orders: OrderService }): FastifyPluginAsync {
  return async (app) => {
    app.post('/v1/orders', { config: { access: ['checkout', 'ops'] } }, async (request, reply) => {
      const purchase = parseRequest(purchaseSchema, request.body);
      const { value: result, settled } = await deps.orders.placeOrder(purchase);
      // 202: no outcome in time (no worker); the order runs on, and is read with GET.
      if (!settled) return reply.code(202).send(result);
      return reply.code(result.state === 'declined' ? 402 : 201).send(result);
    });

    app.get('/v1/orders/:orderId', { config: { access: READ_ACCESS } }, async (request) => {
      const { orderId } = parseRequest(orderParams, request.params);
      return deps.orders.getOrder(orderId);
    });
  };
}
