import { CURRENT_CATALOG_VERSION } from '../catalog';
import type { Purchase } from '../catalog/purchase';
import { FINAL_ORDER_STATES, type OrderRow } from '../ledger';
import type { OrderStatus } from '../../workflows/order-types';

/**
 * The request as the ledger fingerprints it: what the client sent, parsed (so defaults
 * are applied), with the users to seat as a set. The same purchase written with its
 * fields or its users in another order is the same order.
 */
export function normalizedRequest(purchase: Purchase): Record<string, unknown> {
  if (purchase.kind === 'plan' && purchase.assignTo) {
    return { ...purchase, assignTo: [...purchase.assignTo].sort() };
  }
  return { ...purchase };
}

export function isFinalState(state: string): boolean {
  return (FINAL_ORDER_STATES as readonly string[]).includes(state);
}

/**
 * The order's status as the workflow last mirrored it, or, before its first mirror (no
 * worker has run it yet), what the ledger knows from checkout, which was moments ago:
 * under the current catalog version.
 */
export function statusFromLedger(row: OrderRow): OrderStatus {
  if (row.status)
    return { ...(row.status as unknown as OrderStatus), state: row.state as OrderStatus['state'] };
  return {
    orderId: row.orderId,
    tenantId: row.tenantId,
    kind: row.kind,
    product: row.productKey,
    subscriptionId: row.subscriptionId,
    catalogVersion: CURRENT_CATALOG_VERSION,
    state: row.state as OrderStatus['state'],
    stepsDone: [],
    compensationsDone: [],
    amount: { currency: row.currency, total: row.amount },
    decisions: [],
  };
}
