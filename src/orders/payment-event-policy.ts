import type { Ledger } from '../ledger';
import type { PaymentWebhookEvent } from '../payments/webhook-events';

/**
 * What a refund or a dispute made outside the product (Stripe's dashboard, the customer's
 * bank) does to the order's licenses. The policy:
 *
 * - `charge.refunded`, in full: the licenses are revoked, the seats released and the
 *   subscription ended, as if the order had been compensated.
 * - `charge.refunded`, in part: a goodwill credit; the licenses stay. It is recorded, and
 *   `provisioner reconcile` lists it (refund-without-revocation) for a person to judge.
 * - `charge.dispute.created`: the subscription is suspended (its grants stop counting,
 *   its rows stay) while the bank decides.
 * - `charge.dispute.closed`: won, or closed with a warning only: reinstated (active);
 *   lost: the money is gone, so the licenses are revoked and the subscription ended.
 *
 * Each event is applied once, by its Stripe event id, and recorded in `payment_events`
 * with what was done. A dispute's `created` that arrives after its `closed` is ignored.
 */
export type ChargeEvent = Extract<
  PaymentWebhookEvent,
  { type: 'charge.refunded' | 'charge.dispute.created' | 'charge.dispute.closed' }
>;

/** Refunds and disputes: events about the money after the order, not about its intent. */
export function isChargeEvent(event: PaymentWebhookEvent): event is ChargeEvent {
  return event.type === 'charge.refunded' || event.type.startsWith('charge.dispute.');
}

export async function applyPaymentEvent(
  ledger: Ledger,
  event: ChargeEvent,
): Promise<{ applied: boolean; action?: string }> {
  if (await ledger.paymentEventRecorded(event.id)) return { applied: false };
  const paymentIntentId = event.data.object.payment_intent;
  const orderId = paymentIntentId ? await ledger.orderIdByPaymentIntent(paymentIntentId) : null;
  const order = orderId ? await ledger.getOrder(orderId) : null;
  const record = (action: string, detail: Record<string, unknown>) =>
    ledger.recordPaymentEvent({
      stripeEventId: event.id,
      type: event.type,
      orderId,
      subscriptionId: order?.subscriptionId ?? null,
      paymentIntentId,
      action,
      detail,
    });
  if (!order) {
    await record('ignored', { reason: 'no order of ours owns this payment' });
    return { applied: true, action: 'ignored' };
  }

  const end = async (reason: string) => {
    await ledger.revokeGrants({
      orderId: order.orderId,
      tenantId: order.tenantId,
      subscriptionId: order.subscriptionId,
      reason,
    });
    if (!(await ledger.getSubscription(order.subscriptionId))) return;
    await ledger.releaseSeats({
      subscriptionId: order.subscriptionId,
      tenantId: order.tenantId,
      orderId: order.orderId,
      reason,
    });
    await ledger.updateSubscriptionStatus(order.subscriptionId, 'ended', {
      orderId: order.orderId,
      reason,
    });
  };
  const setStatus = async (status: 'suspended' | 'active', reason: string) => {
    const subscription = await ledger.getSubscription(order.subscriptionId);
    if (!subscription || subscription.status === 'ended') return false;
    await ledger.updateSubscriptionStatus(order.subscriptionId, status, {
      orderId: order.orderId,
      reason,
    });
    return true;
  };

  if (event.type === 'charge.refunded') {
    const charge = event.data.object;
    const detail = { refunded: charge.amount_refunded, of: charge.amount };
    if (!charge.refunded && charge.amount_refunded < charge.amount) {
      await record('kept', detail);
      return { applied: true, action: 'kept' };
    }
    await end(`refunded in Stripe (${event.id})`);
    await record('ended', detail);
    return { applied: true, action: 'ended' };
  }

  const dispute = event.data.object;
  const detail = { disputeId: dispute.id, status: dispute.status, amount: dispute.amount };
  if (event.type === 'charge.dispute.created') {
    const seen = await ledger.disputeEvents(dispute.id);
    const action =
      !seen.includes('charge.dispute.closed') &&
      (await setStatus('suspended', `disputed (${event.id})`))
        ? 'suspended'
        : 'ignored';
    await record(action, detail);
    return { applied: true, action };
  }
  if (dispute.status === 'lost') {
    await end(`dispute lost (${event.id})`);
    await record('ended', detail);
    return { applied: true, action: 'ended' };
  }
  const action = (await setStatus('active', `dispute ${dispute.status} (${event.id})`))
    ? 'reinstated'
    : 'ignored';
  await record(action, detail);
  return { applied: true, action };
}
