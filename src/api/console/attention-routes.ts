import { tenantScopeOf } from '../tenant-access';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { idParam } from '../../domain/ids';
import { parseRequest } from '../validation';
import { attentionView, createProductLookup } from './attention-view';
import type { ConsoleDeps } from './console-deps';
import { operatorOf } from './console-session';
import { decide, orderParams } from './decisions';
import { isHtmx, renderFragment, renderPage } from './views';

const access = 'public' as const; // guarded by the console's ops-key hook (console-routes.ts)
const MAX_BULK = 200;

const noticeQuery = z.object({
  done: z.enum(['retry', 'abort']).optional(),
  refused: z.enum(['retry', 'abort']).optional(),
  order: idParam.optional(),
});
const bulkBody = z.object({
  orderId: z
    .union([idParam, z.array(idParam)])
    .transform((ids) => (Array.isArray(ids) ? ids : [ids]))
    .pipe(z.array(idParam).max(MAX_BULK))
    .optional(),
});
const bulkItemBody = z.object({
  index: z.coerce.number().int().min(1).max(MAX_BULK),
  total: z.coerce.number().int().min(1).max(MAX_BULK),
});

/** The needs-attention list, and the decisions taken from it. */
export function attentionRoutes(deps: ConsoleDeps): FastifyPluginAsync {
  const productOf = createProductLookup(deps.ledger);
  return async (app) => {
    app.get('/console', { config: { access } }, async (request, reply) => {
      const query = noticeQuery.safeParse(request.query);
      const view = await attentionView(deps.orders, productOf, tenantScopeOf(request));
      return renderPage(request, reply, 'attention.hbs', {
        title: 'Needs attention',
        ...view,
        notice: query.success ? noticeFor(query.data) : undefined,
      });
    });

    // Polled by the page every 2 s (and at once after a decision).
    app.get('/console/attention', { config: { access } }, async (request, reply) =>
      renderFragment(
        reply,
        'attention-list.hbs',
        await attentionView(deps.orders, productOf, tenantScopeOf(request)),
      ),
    );

    app.post('/console/orders/:orderId/retry', { config: { access } }, async (request, reply) => {
      const { orderId } = parseRequest(orderParams, request.params);
      const outcome = await decide(request, deps.orders, orderId, {
        action: 'retry',
        by: operatorOf(request),
      });
      if (!isHtmx(request)) {
        const status = outcome.ok ? 'done' : 'refused';
        return reply.redirect(`/console?${status}=retry&order=${encodeURIComponent(orderId)}`, 303);
      }
      void reply.header('hx-trigger', 'attention-changed');
      return renderFragment(reply, 'notice.hbs', outcome);
    });

    app.post('/console/bulk-retry', { config: { access } }, async (request, reply) => {
      const orderIds = parseRequest(bulkBody, request.body ?? {}).orderId ?? [];
      if (orderIds.length === 0) {
        const none = { ok: false, orderId: '', text: 'Select at least one order to retry.' };
        if (isHtmx(request)) return renderFragment(reply, 'notice.hbs', none);
        return reply.redirect('/console', 303);
      }
      const total = orderIds.length;
      const items = orderIds.map((orderId, i) => ({ orderId, index: i + 1, total }));
      if (isHtmx(request)) {
        // The page sends each retry in turn (hx-sync queue), so progress shows as they land
        // and any API instance can serve each one: no job state is kept here.
        return renderFragment(reply, 'bulk-progress.hbs', { items, total });
      }
      const results = [];
      for (const orderId of orderIds) {
        results.push(
          await decide(request, deps.orders, orderId, { action: 'retry', by: operatorOf(request) }),
        );
      }
      return renderPage(request, reply, 'bulk-result.hbs', { title: 'Bulk retry', results, total });
    });

    app.post('/console/bulk-retry/:orderId', { config: { access } }, async (request, reply) => {
      const { orderId } = parseRequest(orderParams, request.params);
      const { index, total } = parseRequest(bulkItemBody, request.body ?? {});
      const outcome = await decide(request, deps.orders, orderId, {
        action: 'retry',
        by: operatorOf(request),
      });
      if (index === total) void reply.header('hx-trigger', 'attention-changed');
      return renderFragment(reply, 'bulk-item.hbs', {
        ...outcome,
        index,
        total,
        done: index === total,
      });
    });
  };
}

function noticeFor(query: z.infer<typeof noticeQuery>) {
  if (!query.order) return undefined;
  if (query.done) {
    return {
      ok: true,
      orderId: query.order,
      text: `${query.done === 'retry' ? 'Retry' : 'Abort'} sent.`,
    };
  }
  if (query.refused) {
    return {
      ok: false,
      orderId: query.order,
      text: `The ${query.refused} was refused; open the order to see why.`,
    };
  }
  return undefined;
}
