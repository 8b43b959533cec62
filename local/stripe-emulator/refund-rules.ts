import type { EmulatedPaymentIntent, EmulatedRefund } from './emulated-objects';
import type { EmulatorState, RequestContext } from './emulator-state';
import { newId, nowSeconds } from './ids';
import { latestCharge } from './payment-intent-rules';
import { stripeErrors } from './stripe-error';

export interface RefundRequest {
  amount?: number;
  reason?: string;
  metadata?: Record<string, string>;
}

/**
 * Refunds what was captured and not yet refunded, as Stripe limits it. A held (uncaptured)
 * amount is released by canceling the intent, not refunded.
 */
export function refundIntent(
  state: EmulatorState,
  request: RequestContext,
  intent: EmulatedPaymentIntent,
  refund: RefundRequest,
): EmulatedRefund {
  if (intent.status !== 'succeeded') {
    throw stripeErrors.invalid(
      intent.status === 'requires_capture'
        ? `PaymentIntent ${intent.id} has not been captured: cancel it to release the authorization.`
        : `This PaymentIntent (${intent.id}) does not have a successful charge to refund.`,
      { code: 'charge_not_refundable', param: 'payment_intent' },
    );
  }
  const charge = latestCharge(state, intent);
  const refundable = charge.amount_captured - charge.amount_refunded;
  if (refundable <= 0) {
    throw stripeErrors.invalid(`Charge ${charge.id} has already been refunded.`, {
      code: 'charge_already_refunded',
    });
  }
  const amount = refund.amount ?? refundable;
  if (amount < 1) {
    throw stripeErrors.invalidParam('amount', 'must be a positive integer');
  }
  if (amount > refundable) {
    throw stripeErrors.invalid(
      `Refund amount (${amount} ${charge.currency}) is greater than unrefunded amount on charge (${refundable} ${charge.currency})`,
      { code: 'amount_too_large', param: 'amount' },
    );
  }
  const created: EmulatedRefund = {
    id: newId('re'),
    object: 'refund',
    amount,
    charge: charge.id,
    payment_intent: intent.id,
    currency: charge.currency,
    reason: refund.reason ?? null,
    status: 'succeeded',
    metadata: refund.metadata ?? {},
    created: nowSeconds(),
  };
  state.refunds.set(created.id, created);
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount_captured;
  state.stats.count('refunds', intent.id);
  state.emit('refund.created', created, request);
  state.emit('charge.refunded', charge, request);
  return created;
}
