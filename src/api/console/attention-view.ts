import { coversTenant, type TenantScope } from '../api-keys';
import type { Ledger } from '../../ledger';
import type { OrderService, OrderSummary } from '../../orders/order-service';
import { subscriptionIdFor } from '../../../workflows/order-types';
import { instant } from './view-format';

/**
 * What each waiting order is for. Visibility carries tenant and kind, not the product;
 * the ledger knows it once the order has recorded its subscription. An order's product
 * never changes, so the answer is kept (bounded) instead of asked on every 2 s poll.
 */
export function createProductLookup(ledger: Ledger, capacity = 10_000) {
  const known = new Map<string, string>();
  return async (orderId: string): Promise<string | undefined> => {
    const cached = known.get(orderId);
    if (cached) return cached;
    const subscription = await ledger.getSubscription(subscriptionIdFor(orderId));
    if (!subscription) return undefined;
    if (known.size >= capacity) known.delete(known.keys().next().value as string);
    known.set(orderId, subscription.productKey);
    return subscription.productKey;
  };
}
export type ProductLookup = ReturnType<typeof createProductLookup>;

export async function attentionView(
  orders: OrderService,
  productOf: ProductLookup,
  scope: TenantScope,
  now = Date.now(),
) {
  const listed = await orders.listOrders({ needsAttention: true }, { pageSize: 500 });
  // A key limited to some tenants sees theirs only, as in the API's ops list.
  const waiting = listed.orders.filter((order) => coversTenant(scope, order.tenantId));
  waiting.sort((a, b) => (a.attention?.since ?? '').localeCompare(b.attention?.since ?? ''));
  const rows = await Promise.all(waiting.map((order) => attentionRow(order, productOf, now)));
  return {
    rows,
    count: rows.length,
    countText: rows.length === 1 ? '1 item waits' : `${rows.length} items wait`,
    updated: instant(new Date(now).toISOString(), now),
  };
}

async function attentionRow(order: OrderSummary, productOf: ProductLookup, now: number) {
  const attention = order.attention;
  return {
    orderId: order.orderId,
    tenantId: order.tenantId,
    kind: order.kind || 'order',
    product: (await productOf(order.orderId).catch(() => undefined)) ?? 'not recorded yet',
    state: order.state,
    phase: attention?.phase === 'compensation' ? 'undoing' : 'forward',
    step: attention?.step ?? 'unknown',
    errorType: attention?.error.type ?? '',
    errorMessage: attention?.error.message ?? 'no reason recorded',
    since: attention ? instant(attention.since, now) : undefined,
    deadline: attention ? instant(attention.deadline, now) : undefined,
    deadlineAction: attention?.phase === 'compensation' ? 'retries by itself' : 'aborts by itself',
  };
}
