import { z } from 'zod';

/**
 * What the payments client accepts, checked before anything reaches Stripe so that bad
 * input fails once, naming the field, instead of being retried.
 */
const businessId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/,
    'must be 1-100 letters, digits, ".", "_", ":" or "-", starting with a letter or digit',
  );
const stripeId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_]+$`), `must be a Stripe id (${prefix}_…)`);

/** The largest amount Stripe takes, in the currency's smallest unit (eight digits). */
export const MAX_AMOUNT = 99_999_999;
const amount = z.int().positive().max(MAX_AMOUNT);
const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'must be a three-letter ISO currency code')
  .transform((code) => code.toLowerCase());
/**
 * Stripe's limits: 50 keys of up to 40 characters, values of up to 500. One key is ours
 * (`order_id`), and it wins over a caller's key of that name.
 */
const metadata = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((record) => Object.keys(record).length <= 49, 'must have at most 49 keys');
const description = z.string().min(1).max(1000);

export const customerIdSchema = stripeId('cus');
export const paymentIntentIdSchema = stripeId('pi');
export const paymentMethodIdSchema = stripeId('pm');

export const ensureCustomerInputSchema = z.strictObject({
  tenantId: businessId,
  email: z.email().optional(),
});
export type EnsureCustomerInput = z.input<typeof ensureCustomerInputSchema>;

export const authorizeInputSchema = z.strictObject({
  orderId: businessId,
  amount,
  currency,
  customerId: customerIdSchema,
  /**
   * A saved or just-collected card, confirmed server-side. Without one the intent waits
   * for checkout to collect and confirm a card with the client secret.
   */
  paymentMethod: paymentMethodIdSchema.optional(),
  description: description.optional(),
  metadata: metadata.optional(),
});
export type AuthorizeInput = z.input<typeof authorizeInputSchema>;

export const orderPaymentInputSchema = z.strictObject({
  orderId: businessId,
  paymentIntentId: paymentIntentIdSchema,
});
export type OrderPaymentInput = z.input<typeof orderPaymentInputSchema>;

/**
 * Releasing an order's payment: by its PaymentIntent when the order saw it, otherwise
 * found by the order's business id among the customer's intents (an authorization whose
 * answer was lost).
 */
export const releaseInputSchema = z
  .strictObject({
    orderId: businessId,
    paymentIntentId: paymentIntentIdSchema.optional(),
    customerId: customerIdSchema.optional(),
  })
  .refine((input) => input.paymentIntentId !== undefined || input.customerId !== undefined, {
    message: 'needs a paymentIntentId or the customerId to find it by the order id',
    path: ['paymentIntentId'],
  });
export type ReleaseInput = z.input<typeof releaseInputSchema>;

/** Stripe's refund reasons; compensation of a failed order uses `requested_by_customer`. */
export const refundReasonSchema = z.enum(['duplicate', 'fraudulent', 'requested_by_customer']);
export type RefundReason = z.infer<typeof refundReasonSchema>;

/**
 * A refund is keyed by the order it gives money back for (`orderId`: the compensation of
 * that order, one refund), or by a business key of the caller's (`key`, e.g.
 * `subscription:sub-1:change:chg-7`) so that several partial refunds of one payment are
 * each made once.
 */
export const refundInputSchema = z
  .strictObject({
    orderId: businessId.optional(),
    key: businessId.optional(),
    paymentIntentId: paymentIntentIdSchema,
    /** Absent: whatever is left to refund. */
    amount: amount.optional(),
    reason: refundReasonSchema.default('requested_by_customer'),
  })
  .superRefine(exactlyOne('orderId', 'key'));
export type RefundInput = z.input<typeof refundInputSchema>;

/**
 * A charge without the customer: a renewal (`periodStart`) or a prorated upgrade
 * (`changeId`), captured at once. Exactly one of the two names what is paid for, and
 * with `attempt` makes the idempotency key.
 */
export const chargeOffSessionInputSchema = z
  .strictObject({
    subscriptionId: businessId,
    /** The renewed period's first day (or instant), ISO 8601: one charge per period. */
    periodStart: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
    /** The plan change (upgrade) being prorated: one charge per change. */
    changeId: businessId.optional(),
    /**
     * Dunning's retry number, from 1. A declined attempt's key replays its decline, so a
     * retry after a decline must be a new attempt; attempt 1 keeps the key it always had.
     */
    attempt: z.int().min(1).max(100).default(1),
    amount,
    currency,
    customerId: customerIdSchema,
    /**
     * The saved card to charge. Absent: the customer's default payment method
     * (`invoice_settings.default_payment_method`), read and passed explicitly, since
     * Stripe never picks it for a PaymentIntent by itself.
     */
    paymentMethod: paymentMethodIdSchema.optional(),
    description: description.optional(),
  })
  .superRefine(exactlyOne('periodStart', 'changeId'));
export type ChargeOffSessionInput = z.input<typeof chargeOffSessionInputSchema>;

export const savePaymentMethodInputSchema = z.strictObject({
  customerId: customerIdSchema,
  /** A card collected at checkout (`pm_…`), or a Stripe test name (`pm_card_visa`). */
  paymentMethod: paymentMethodIdSchema,
});
export type SavePaymentMethodInput = z.input<typeof savePaymentMethodInputSchema>;

export const findOrderPaymentInputSchema = z.strictObject({
  orderId: businessId,
  /**
   * The order's customer, when known: its intents are then listed, which reads Stripe's
   * current state. Without it Stripe's search is used, which can lag writes by a minute.
   */
  customerId: customerIdSchema.optional(),
});
export type FindOrderPaymentInput = z.input<typeof findOrderPaymentInputSchema>;

/** A refinement: exactly one of two optional fields is given; the issue names the first. */
function exactlyOne<K extends string>(first: K, second: K) {
  return (value: Partial<Record<K, unknown>>, context: z.RefinementCtx) => {
    const given = [first, second].filter((key) => value[key] !== undefined);
    if (given.length === 1) return;
    context.addIssue({
      code: 'custom',
      path: [given.length === 0 ? first : second],
      message:
        given.length === 0 ? `give ${first} or ${second}` : `give ${first} or ${second}, not both`,
    });
  };
}
