import Stripe from 'stripe';
import type { Declined } from './payment-outcomes';

/** A card error (402) is the bank's answer: a business outcome, returned, not thrown. */
export function declinedOrThrow(error: unknown): Declined {
  if (!(error instanceof Stripe.errors.StripeCardError)) throw error;
  return {
    status: 'declined',
    paymentIntentId: error.payment_intent?.id,
    code: error.code ?? 'card_declined',
    declineCode: error.decline_code || undefined,
    message: error.message,
  };
}
