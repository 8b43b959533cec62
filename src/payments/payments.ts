import { createHash } from 'node:crypto';
import Stripe from 'stripe';
import { classifyStripeError, type PaymentErrorClass } from './classify-stripe-error';
import { declinedOrThrow } from './declines';
import { findOrderPayment, orderIntents } from './find-order-payment';
import { idempotencyKeys } from './idempotency-keys';
import { parsePaymentInput, parseStripeObject } from './payment-errors';
import {
  authorizeInputSchema,
  chargeOffSessionInputSchema,
  ensureCustomerInputSchema,
  orderPaymentInputSchema,
  paymentIntentIdSchema,
  refundInputSchema,
  releaseInputSchema,
  type AuthorizeInput,
  type ChargeOffSessionInput,
  type EnsureCustomerInput,
  type FindOrderPaymentInput,
  type OrderPaymentInput,
  type RefundInput,
  type SavePaymentMethodInput,
  type ReleaseInput,
} from './payment-inputs';
import {
  authorizationFromIntent,
  chargeFromIntent,
  type Authorization,
  type CaptureResult,
  type Charge,
  type OrderPayment,
  type RefundResult,
  type SavedPaymentMethod,
  type OrderPaymentIntent,
  type ReleaseReport,
} from './payment-outcomes';
import { defaultPaymentMethod, savePaymentMethod } from './saved-payment-methods';
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
  /**
   * Undoes an order's payment, whether or not the order saw its PaymentIntent: cancels
   * the hold or refunds the capture, and reports which, as Stripe has it.
   */
  releasePayment(input: ReleaseInput): Promise<ReleaseReport>;
  /** The order's PaymentIntents, found by `metadata.order_id` among the customer's. */
  findOrderIntents(input: { orderId: string; customerId: string }): Promise<string[]>;
  /** What Stripe holds, took and gave back for an order (reconciliation). */
  orderPayments(input: { orderId: string; customerId: string }): Promise<OrderPayment[]>;
  /** Gives captured money back, all that is left or `amount` of it. */
  refund(input: RefundInput): Promise<RefundResult>;
  /**
   * A renewal or a prorated upgrade: charges the saved card without the customer,
   * captured at once. A decline (also `authentication_required`) is returned, for dunning.
   */
  chargeOffSession(input: ChargeOffSessionInput): Promise<Charge>;
  /** Attaches a card to the customer and makes it the default that renewals charge. */
  savePaymentMethod(input: SavePaymentMethodInput): Promise<SavedPaymentMethod>;
  /**
   * The PaymentIntent an order made (by `metadata.order_id`), or null: for a compensation
   * whose authorization answer was lost. A bare order id is accepted too.
   */
  findOrderPayment(input: FindOrderPaymentInput | string): Promise<OrderPaymentIntent | null>;
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
    const { metadata, idempotencyKey } = refundReference(input);
    try {
      const created = await stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          amount: input.amount,
          reason: input.reason,
          metadata,
        },
        { idempotencyKey },
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

  const findOrderIntents = async (input: { orderId: string; customerId: string }) =>
    (await orderIntents(stripe, input)).map((intent) => intent.id);

  /** Cancels a hold, refunds a capture, and says which from the intent's own state. */
  const releaseIntent = async (
    orderId: string,
    paymentIntentId: string,
  ): Promise<ReleaseReport> => {
    const intent = await retrieveIntent(paymentIntentId);
    if (intent.status === 'canceled') {
      return { paymentIntentId, outcome: 'already_canceled', captured: false, refunded: false };
    }
    if (intent.status !== 'succeeded') {
      try {
        await stripe.paymentIntents.cancel(
          paymentIntentId,
          { cancellation_reason: 'abandoned' },
          { idempotencyKey: idempotencyKeys.cancel(orderId) },
        );
        return { paymentIntentId, outcome: 'canceled', captured: false, refunded: false };
      } catch (error: unknown) {
        // Captured between the read and the cancel: refund it below.
        if (!hasStripeCode(error, UNEXPECTED_STATE)) throw error;
        const now = await retrieveIntent(paymentIntentId);
        if (now.status === 'canceled') {
          return { paymentIntentId, outcome: 'already_canceled', captured: false, refunded: false };
        }
        if (now.status !== 'succeeded') throw error;
      }
    }
    await refund({ orderId, paymentIntentId, reason: 'requested_by_customer' });
    return { paymentIntentId, outcome: 'refunded', captured: true, refunded: true };
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
      // A checkout sets the email of a customer that has none; it never overwrites the
      // billing address the tenant already has (a checkout is not an account change).
      if (email !== undefined && !customer.email) {
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

    async releasePayment(raw) {
      const input = parsePaymentInput(releaseInputSchema, raw);
      const ids = input.paymentIntentId
        ? [input.paymentIntentId]
        : await findOrderIntents({ orderId: input.orderId, customerId: input.customerId! });
      if (ids.length === 0) return { outcome: 'nothing_held', captured: false, refunded: false };
      // One authorization per order (its idempotency key); should Stripe hold more, each goes.
      const reports: ReleaseReport[] = [];
      for (const paymentIntentId of ids) {
        reports.push(await releaseIntent(input.orderId, paymentIntentId));
      }
      return reports[0];
    },

    findOrderIntents,

    async orderPayments(input) {
      const payments: OrderPayment[] = [];
      for (const id of await findOrderIntents(input)) {
        const intent = parseStripeObject(
          paymentIntentSchema,
          await stripe.paymentIntents.retrieve(id),
          'payment intent',
        );
        let refunded = 0;
        for await (const refund of stripe.refunds.list({ payment_intent: id, limit: 100 })) {
          const parsed = parseStripeObject(refundSchema, refund, 'refund');
          if (parsed.status !== 'failed' && parsed.status !== 'canceled') refunded += parsed.amount;
        }
        payments.push({
          paymentIntentId: id,
          status: intent.status,
          createdAt: new Date((intent.created ?? 0) * 1000).toISOString(),
          amount: intent.amount,
          captured: intent.amount_received,
          refunded,
        });
      }
      return payments;
    },

    refund,

    async chargeOffSession(raw) {
      const input = parsePaymentInput(chargeOffSessionInputSchema, raw);
      const { idempotencyKey, metadata } = chargeReference(input);
      const paymentMethod =
        input.paymentMethod ?? (await defaultPaymentMethod(stripe, input.customerId));
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: input.amount,
            currency: input.currency,
            customer: input.customerId,
            payment_method: paymentMethod,
            automatic_payment_methods: NO_REDIRECTS,
            capture_method: 'automatic',
            confirm: true,
            // Nobody is there to authenticate: a card that needs it is declined with
            // authentication_required instead of waiting in requires_action.
            off_session: true,
            description: input.description,
            metadata,
          },
          { idempotencyKey },
        );
        return chargeFromIntent(parseStripeObject(paymentIntentSchema, intent, 'payment intent'));
      } catch (error: unknown) {
        return declinedOrThrow(error);
      }
    },

    savePaymentMethod: (input) => savePaymentMethod(stripe, input),
    findOrderPayment: (input) => findOrderPayment(stripe, input),
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

function refundReference(input: { orderId?: string; key?: string }): {
  metadata: Record<string, string>;
  idempotencyKey: string;
} {
  if (input.orderId !== undefined) {
    return {
      metadata: { order_id: input.orderId },
      idempotencyKey: idempotencyKeys.refund(input.orderId),
    };
  }
  const key = input.key ?? '';
  return { metadata: { refund_key: key }, idempotencyKey: idempotencyKeys.keyedRefund(key) };
}

/** A renewal (by period) or an upgrade (by change), each attempt once: its key and metadata. */
function chargeReference(input: {
  subscriptionId: string;
  periodStart?: string;
  changeId?: string;
  attempt: number;
}): { idempotencyKey: string; metadata: Record<string, string> } {
  const { subscriptionId, periodStart, changeId, attempt } = input;
  const common = { subscription_id: subscriptionId, attempt: String(attempt) };
  if (changeId !== undefined) {
    return {
      idempotencyKey: idempotencyKeys.changeCharge(subscriptionId, changeId, attempt),
      metadata: { ...common, change_id: changeId },
    };
  }
  // The schema lets exactly one of changeId and periodStart through.
  const period = periodStart ?? '';
  return {
    idempotencyKey: idempotencyKeys.renewalCharge(subscriptionId, period, attempt),
    metadata: { ...common, period_start: period },
  };
}

/** Short and stable; keeps the email itself out of the key, which Stripe logs. */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
