import { idempotencyKeys } from '../payments';

/** What the route knows of a verified PaymentIntent event, for the order it names. */
export interface RoutedPaymentEvent {
  type: string;
  /** The intent's `metadata.order_id`. */
  orderId: string;
  /**
   * The idempotency key of the API request that caused the event (Stripe's
   * `event.request.idempotency_key`); null when no request of ours did, e.g. when the
   * customer completed 3-D Secure.
   */
  requestIdempotencyKey: string | null;
}

/**
 * Whether a PaymentIntent event must wake the order's workflow. The amount becoming
 * capturable matters only to an order waiting for 3-D Secure. When the order's own
 * authorize call made it capturable (the event names that call's idempotency key), the
 * call's answer has already told the order, and waking it would cost a signal and a
 * workflow task for nothing; a retried call is answered from Stripe's idempotency record
 * and makes no second event. Every other cause (the customer authenticating, on a page
 * or by a redirect) wakes the order, and so does a failed or cancelled intent. Decided
 * from the signed event alone: no read of the ledger, and the same for every release of
 * the workers, which all authorize under that key.
 */
export function paymentEventWakesOrder(event: RoutedPaymentEvent): boolean {
  if (event.type !== 'payment_intent.amount_capturable_updated') return true;
  return event.requestIdempotencyKey !== idempotencyKeys.authorize(event.orderId);
}
