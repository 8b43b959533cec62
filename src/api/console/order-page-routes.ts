import { readOrderFor } from '../order-access';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { idParam } from '../../domain/ids';
import { parseRequest } from '../validation';
import type { ConsoleDeps } from './console-deps';
import { operatorOf } from './console-session';
import { decide, orderParams } from './decisions';
import { orderView } from './order-view';
import { renderPage } from './views';

const access = 'public' as const; // guarded by the console's ops-key hook (console-routes.ts)

const findQuery = z.object({ orderId: z.string().trim().pipe(idParam) });
const orderPageQuery = z.object({ decided: z.enum(['abort']).optional() });
const abortBody = z.object({
  reason: z.string().trim().min(1, 'give a reason').max(1000),
});

/** One order's page, and the abort that asks for a reason first. */
export function orderPageRoutes(deps: ConsoleDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/console/orders', { config: { access } }, async (request, reply) => {
      const { orderId } = parseRequest(findQuery, request.query);
      return reply.redirect(`/console/orders/${encodeURIComponent(orderId)}`, 303);
    });

    app.get('/console/orders/:orderId', { config: { access } }, async (request, reply) => {
      const { orderId } = parseRequest(orderParams, request.params);
      const query = orderPageQuery.safeParse(request.query);
      const status = await readOrderFor(request, deps.orders, orderId);
      return renderPage(request, reply, 'order.hbs', {
        title: `Order ${orderId}`,
        ...(await orderView(status, deps.ledger, deps.temporalUi)),
        notice:
          query.success && query.data.decided
            ? { ok: true, orderId, text: 'Abort sent; the order undoes what it did.' }
            : undefined,
      });
    });

    app.get('/console/orders/:orderId/abort', { config: { access } }, async (request, reply) => {
      const { orderId } = parseRequest(orderParams, request.params);
      const order = await readOrderFor(request, deps.orders, orderId);
      return renderPage(request, reply, 'abort.hbs', { title: `Abort order ${orderId}`, order });
    });

    app.post('/console/orders/:orderId/abort', { config: { access } }, async (request, reply) => {
      const { orderId } = parseRequest(orderParams, request.params);
      const parsed = abortBody.safeParse(request.body ?? {});
      if (!parsed.success) {
        const order = await readOrderFor(request, deps.orders, orderId);
        return renderPage(request, reply.code(400), 'abort.hbs', {
          title: `Abort order ${orderId}`,
          order,
          error: 'Give a reason for aborting: it is recorded with the decision.',
        });
      }
      const outcome = await decide(request, deps.orders, orderId, {
        action: 'abort',
        by: operatorOf(request),
        reason: parsed.data.reason,
      });
      if (!outcome.ok) {
        const order = await readOrderFor(request, deps.orders, orderId);
        return renderPage(request, reply.code(409), 'abort.hbs', {
          title: `Abort order ${orderId}`,
          order,
          error: outcome.text,
          reason: parsed.data.reason,
        });
      }
      return reply.redirect(`/console/orders/${encodeURIComponent(orderId)}?decided=abort`, 303);
    });
  };
}
