import { z } from 'zod';
import { PaymentResponseError } from './payment-errors';
import type { PaymentIntentStatus, StripePaymentIntent } from './stripe-objects';

/**
 * What an authorization attempt came to. A decline is an outcome, not an error: the
 * order ends declined with the reason, and nothing is retried.
 */
export const declinedSchema = z.object({
  status: z.literal('declined'),
  /** Absent when Stripe refused before creating an intent. */
  paymentIntentId: z.string().optional(),
  /** Stripe's error code: `card_declined`, `authentication_required`, `expired_card`, … */
  code: z.string(),
  /** The issuer's reason when it gave one: `insufficient_funds`, `generic_decline`, … */
  declineCode: z.string().optional(),
  message: z.string(),
});
export type Declined = z.infer<typeof declinedSchema>;

export const authorizationSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('authorized'),
    paymentIntentId: z.string(),
    /** What can be captured. */
    amount: z.int(),
    /** True when the intent was captured already (a reconciliation after capture). */
    captured: z.boolean(),
  }),
  /** The customer must act at checkout (3-D Secure, or enter a card) with the secret. */
  z.object({
    status: z.literal('requires_action'),
    paymentIntentId: z.string(),
    clientSecret: z.string(),
  }),
  declinedSchema,
]);
export type Authorization = z.infer<typeof authorizationSchema>;

export const chargeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('succeeded'), paymentIntentId: z.string(), amount: z.int() }),
  declinedSchema,
]);
export type Charge = z.infer<typeof chargeSchema>;

export interface CaptureResult {
  paymentIntentId: string;
  amountReceived: number;
  /** The intent was captured before this call (by an earlier attempt whose answer was lost). */
  alreadyCaptured: boolean;
}

/**
 * What releasing an order's payment did, so the order's payment record can match Stripe:
 * `nothing_held` when Stripe has no PaymentIntent for the order (the authorization never
 * reached it). `captured` says whether money had been taken before it was given back.
 */
export interface ReleaseReport {
  paymentIntentId?: string;
  outcome: 'canceled' | 'already_canceled' | 'refunded' | 'nothing_held';
  captured: boolean;
  refunded: boolean;
}

/** One of an order's PaymentIntents as Stripe has it, amounts in the smallest unit. */
export interface OrderPayment {
  paymentIntentId: string;
  status: string;
  createdAt: string;
  amount: number;
  /** Taken from the card (captured). */
  captured: number;
  /** Given back by refunds, whoever made them. */
  refunded: number;
}

export interface RefundResult {
  paymentIntentId: string;
  /** Absent when the charge had been fully refunded before this call. */
  refundId?: string;
  amount?: number;
  outcome: 'refunded' | 'already_refunded';
}

/** An intent that was canceled (by us, by ops, or by Stripe when the hold expired). */
const CANCELED_CODE = 'payment_intent_canceled';

/** Maps an intent's current state to the authorization outcome the order acts on. */
export function authorizationFromIntent(intent: StripePaymentIntent): Authorization {
  const paymentIntentId = intent.id;
  switch (intent.status) {
    case 'requires_capture':
      return {
        status: 'authorized',
        paymentIntentId,
        amount: intent.amount_capturable,
        captured: false,
      };
    case 'succeeded':
      return {
        status: 'authorized',
        paymentIntentId,
        amount: intent.amount_received,
        captured: true,
      };
    case 'canceled':
      return {
        status: 'declined',
        paymentIntentId,
        code: CANCELED_CODE,
        message: 'the payment was canceled before it was authorized',
      };
    case 'requires_payment_method':
      // With an error, the last attempt failed (a decline, a failed 3-D Secure); without
      // one, no card was given yet and checkout must collect one.
      if (intent.last_payment_error) return declinedFromIntent(intent);
      return requiresAction(intent);
    case 'requires_confirmation':
    case 'requires_action':
    case 'processing':
      return requiresAction(intent);
  }
}

/** Maps an off-session charge's intent: anything but a completed payment is a decline. */
export function chargeFromIntent(intent: StripePaymentIntent): Charge {
  if (intent.status === 'succeeded') {
    return { status: 'succeeded', paymentIntentId: intent.id, amount: intent.amount_received };
  }
  if (intent.last_payment_error) return declinedFromIntent(intent);
  // Off session nobody can complete 3-D Secure: Stripe answers 402 instead, but an
  // intent left waiting for the customer means the same thing.
  return {
    status: 'declined',
    paymentIntentId: intent.id,
    code: 'authentication_required',
    message: `the renewal needs the customer (payment intent ${intent.status})`,
  };
}

function declinedFromIntent(intent: StripePaymentIntent): Declined {
  const error = intent.last_payment_error;
  return {
    status: 'declined',
    paymentIntentId: intent.id,
    code: error?.code ?? 'card_declined',
    declineCode: error?.decline_code ?? undefined,
    message: error?.message ?? 'the payment was declined',
  };
}

function requiresAction(intent: StripePaymentIntent): Authorization {
  if (!intent.client_secret) {
    throw new PaymentResponseError(
      `payment intent ${intent.id} needs the customer but has no client secret`,
    );
  }
  return {
    status: 'requires_action',
    paymentIntentId: intent.id,
    clientSecret: intent.client_secret,
  };
}

/** A card saved to a customer as its default, or the issuer's refusal to validate it. */
export type SavedPaymentMethod =
  | {
      status: 'saved';
      customerId: string;
      /** The saved card's id: a test name (`pm_card_visa`) becomes a new `pm_…`. */
      paymentMethodId: string;
      card?: { brand: string; last4: string; expMonth: number; expYear: number };
    }
  | Declined;

/** The PaymentIntent an order made, as it is now: what a compensation must undo. */
export interface OrderPaymentIntent {
  paymentIntentId: string;
  status: PaymentIntentStatus;
  amount: number;
  amountCapturable: number;
  amountReceived: number;
}
