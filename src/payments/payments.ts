import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { classifyStripeError, type PaymentErrorClass } from './classify-stripe-error';
import { idempotencyKeys } from './idempotency-keys';
import { parsePaymentInput, parseStripeObject } from './payment-errors';
import {
  authorizeInputSchema,
  chargeOffSessionInputSchema,
  ensureCustomerInputSchema,
  orderPaymentInputSchema,
  paymentIntentIdSchema,
  refundInputSchema,
  type AuthorizeInput,
  type ChargeOffSessionInput,
  type EnsureCustomerInput,
  type OrderPaymentInput,
  type RefundInput,
} from './payment-inputs';
import {
  authorizationFromIntent,
  chargeFromIntent,
  type Authorization,
  type CancelResult,
  type CaptureResult,
  type Charge,
  type Declined,
  type RefundResult,
} from './payment-outcomes';
import { customerSchema, paymentIntentSchema, refundSchema } from './stripe-objects';
import { verifyWebhook, type VerifiedWebhook } from './webhook-events';

/** Payments as the order and renewal activities use them; every call is safe to repeat. */
export interface Payments {
  /** The tenant's Stripe customer (one per tenant), its id. */
  ensureCustomer(input: EnsureCustomerInput): Promise<string>;
  /** Authorizes (holds) the order's amount; captures nothing. */
  authorize(input: AuthorizeInput): Promise<Authorization>;
  /** The authorization's state now: after the 3-D Secure webhook, or to reconcile. */
  getAuthorization(paymentIntentId: string): Promise<Authorization>;
  capture(input: OrderPaymentInput): Promise<CaptureResult>;
  /** Releases the hold; gives the money back instead when it was captured already. */
  cancelAuthorization(input: OrderPaymentInput): Promise<CancelResult>;
  refund(input: RefundInput): Promise<RefundResult>;
  /** A renewal: charges the saved card without the customer, captured at once. */
  chargeOffSession(input: ChargeOffSessionInput): Promise<Charge>;
  classifyError(error: unknown): PaymentErrorClass;
  verifyWebhook(
    rawBody: Buffer | string,
    signatureHeader: string | undefined,
    secret: string,
  ): VerifiedWebhook;
}

export interface PaymentsOptions {
  stripe: Stripe;
}

export function createPayments({ stripe }: PaymentsOptions): Payments {
  const retrieveIntent = async (paymentIntentId: string) =>
    parseStripeObject(
      paymentIntentSchema,
      await stripe.paymentIntents.retrieve(paymentIntentId),
      'payment intent',
    );

  const refund = async (raw: RefundInput): Promise<RefundResult> => {
    const input = parsePaymentInput(refundInputSchema, raw);
    try {
      const created = await stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          amount: input.amount,
          reason: input.reason,
          metadata: { order_id: input.orderId },
        },
        { idempotencyKey: idempotencyKeys.refund(input.orderId) },
      );
      const refunded = parseStripeObject(refundSchema, created, 'refund');
      return {
        paymentIntentId: input.paymentIntentId,
        refundId: refunded.id,
        amount: refunded.amount,
        outcome: 'refunded',
      };
    } catch (error: unknown) {
      // Refunding all of it is what was asked; already refunded in full is that state.
      if (input.amount === undefined && hasStripeCode(error, 'charge_already_refunded')) {
        return { paymentIntentId: input.paymentIntentId, outcome: 'already_refunded' };
      }
      throw error;
    }
  };

  return {
    async ensureCustomer(raw) {
      const { tenantId, email } = parsePaymentInput(ensureCustomerInputSchema, raw);
      // The keyed create carries only what never changes for a tenant, so a later order
      // with another email replays it instead of failing on changed parameters.
      const created = await stripe.customers.create(
        { description: `Tenant ${tenantId}`, metadata: { tenant_id: tenantId } },
        { idempotencyKey: idempotencyKeys.customer(tenantId) },
      );
      const customer = parseStripeObject(customerSchema, created, 'customer');
      if (email !== undefined && customer.email !== email) {
        await stripe.customers.update(
          customer.id,
          { email },
          { idempotencyKey: idempotencyKeys.customerUpdate(tenantId, digest(email)) },
        );
      }
      return customer.id;
    },

    async authorize(raw) {
      const input = parsePaymentInput(authorizeInputSchema, raw);
      const params: Stripe.PaymentIntentCreateParams = {
        amount: input.amount,
        currency: input.currency,
        customer: input.customerId,
        capture_method: 'manual',
        // No redirect-based methods, so a server-side confirm needs no return_url.
        automatic_payment_methods: NO_REDIRECTS,
        description: input.description,
        metadata: { ...input.metadata, order_id: input.orderId },
      };
      if (input.paymentMethod !== undefined) {
        // Saved for renewals, which charge it off session.
        Object.assign(params, {
          payment_method: input.paymentMethod,
          confirm: true,
          setup_future_usage: 'off_session',
        });
      }
      try {
        const intent = await stripe.paymentIntents.create(params, {
          idempotencyKey: idempotencyKeys.authorize(input.orderId),
        });
        return authorizationFromIntent(
          parseStripeObject(paymentIntentSchema, intent, 'payment intent'),
        );
      } catch (error: unknown) {
        return declinedOrThrow(error);
      }
    },

    async getAuthorization(paymentIntentId) {
      const id = parsePaymentInput(paymentIntentIdSchema, paymentIntentId);
      return authorizationFromIntent(await retrieveIntent(id));
    },

    async capture(raw) {
      const { orderId, paymentIntentId } = parsePaymentInput(orderPaymentInputSchema, raw);
      try {
        const captured = await stripe.paymentIntents.capture(
          paymentIntentId,
          {},
          { idempotencyKey: idempotencyKeys.capture(orderId) },
        );
        const intent = parseStripeObject(paymentIntentSchema, captured, 'payment intent');
        return { paymentIntentId, amountReceived: intent.amount_received, alreadyCaptured: false };
      } catch (error: unknown) {
        if (!hasStripeCode(error, UNEXPECTED_STATE)) throw error;
        const intent = await retrieveIntent(paymentIntentId);
        if (intent.status !== 'succeeded') throw error;
        return { paymentIntentId, amountReceived: intent.amount_received, alreadyCaptured: true };
      }
    },

    async cancelAuthorization(raw) {
      const { orderId, paymentIntentId } = parsePaymentInput(orderPaymentInputSchema, raw);
      try {
        await stripe.paymentIntents.cancel(
          paymentIntentId,
          { cancellation_reason: 'abandoned' },
          { idempotencyKey: idempotencyKeys.cancel(orderId) },
        );
        return { paymentIntentId, outcome: 'canceled' };
      } catch (error: unknown) {
        if (!hasStripeCode(error, UNEXPECTED_STATE)) throw error;
        const intent = await retrieveIntent(paymentIntentId);
        if (intent.status === 'canceled') return { paymentIntentId, outcome: 'already_canceled' };
        if (intent.status !== 'succeeded') throw error;
        await refund({ orderId, paymentIntentId, reason: 'requested_by_customer' });
        return { paymentIntentId, outcome: 'refunded' };
      }
    },

    refund,

    async chargeOffSession(raw) {
      const input = parsePaymentInput(chargeOffSessionInputSchema, raw);
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: input.amount,
            currency: input.currency,
            customer: input.customerId,
            payment_method: input.paymentMethod,
            automatic_payment_methods: NO_REDIRECTS,
            capture_method: 'automatic',
            confirm: true,
            off_session: true,
            description: input.description,
            metadata: {
              subscription_id: input.subscriptionId,
              period_start: input.periodStart,
              attempt: String(input.attempt),
            },
          },
          {
            idempotencyKey: idempotencyKeys.renewalCharge(
              input.subscriptionId,
              input.periodStart,
              input.attempt,
            ),
          },
        );
        return chargeFromIntent(parseStripeObject(paymentIntentSchema, intent, 'payment intent'));
      } catch (error: unknown) {
        return declinedOrThrow(error);
      }
    },

    classifyError: classifyStripeError,
    verifyWebhook: (rawBody, signatureHeader, secret) =>
      verifyWebhook(rawBody, signatureHeader, secret),
  };
}

const UNEXPECTED_STATE = 'payment_intent_unexpected_state';
const NO_REDIRECTS = { enabled: true, allow_redirects: 'never' } as const;

function hasStripeCode(error: unknown, code: string): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.code === code;
}

/** A card error (402) is the bank's answer: a business outcome, returned, not thrown. */
function declinedOrThrow(error: unknown): Declined {
  if (!(error instanceof Stripe.errors.StripeCardError)) throw error;
  return {
    status: 'declined',
    paymentIntentId: error.payment_intent?.id,
    code: error.code ?? 'card_declined',
    declineCode: error.decline_code || undefined,
    message: error.message,
  };
}

/** Short and stable; keeps the email itself out of the key, which Stripe logs. */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
