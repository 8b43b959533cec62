import type Stripe from 'stripe';
import { parsePaymentInput, parseStripeObject } from './payment-errors';
import { findOrderPaymentInputSchema, type FindOrderPaymentInput } from './payment-inputs';
import type { OrderPaymentIntent } from './payment-outcomes';
import { paymentIntentSchema, type StripePaymentIntent } from './stripe-objects';

/**
 * The PaymentIntent an order made (`metadata.order_id`), or null: what a compensation
 * must undo when the authorization's answer was lost. With the customer, its intents are
 * listed (Stripe's current state); without, Stripe's search is used, which can lag a
 * write by up to a minute, so a compensation that finds nothing may look again later.
 */
export async function findOrderPayment(
  stripe: Stripe,
  raw: FindOrderPaymentInput | string,
): Promise<OrderPaymentIntent | null> {
  let newest: StripePaymentIntent | undefined;
  for (const intent of await orderIntents(stripe, raw)) {
    // Two intents for one order only when a retry came after its key expired; the
    // newest is the one the order went on with.
    if (!newest || (intent.created ?? 0) > (newest.created ?? 0)) newest = intent;
  }
  return newest ? orderPaymentOf(newest) : null;
}

/** Every PaymentIntent of an order, by `metadata.order_id`, as Stripe has them now. */
export async function orderIntents(
  stripe: Stripe,
  raw: FindOrderPaymentInput | string,
): Promise<StripePaymentIntent[]> {
  const { orderId, customerId } = parsePaymentInput(
    findOrderPaymentInputSchema,
    typeof raw === 'string' ? { orderId: raw } : raw,
  );
  // Order ids hold no quotes (see businessId), so the value needs no escaping.
  const candidates =
    customerId === undefined
      ? stripe.paymentIntents.search({ query: `metadata['order_id']:'${orderId}'`, limit: 100 })
      : stripe.paymentIntents.list({ customer: customerId, limit: 100 });
  const found: StripePaymentIntent[] = [];
  for await (const candidate of candidates) {
    const intent = parseStripeObject(paymentIntentSchema, candidate, 'payment intent');
    if (intent.metadata?.order_id === orderId) found.push(intent);
  }
  return found;
}

function orderPaymentOf(intent: StripePaymentIntent): OrderPaymentIntent {
  return {
    paymentIntentId: intent.id,
    status: intent.status,
    amount: intent.amount,
    amountCapturable: intent.amount_capturable,
    amountReceived: intent.amount_received,
  };
}
