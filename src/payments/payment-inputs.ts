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

/** In the currency's smallest unit; Stripe takes at most eight digits. */
const amount = z.int().positive().max(99_999_999);
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

/** Stripe's refund reasons; compensation of a failed order uses `requested_by_customer`. */
export const refundReasonSchema = z.enum(['duplicate', 'fraudulent', 'requested_by_customer']);
export type RefundReason = z.infer<typeof refundReasonSchema>;

export const refundInputSchema = z.strictObject({
  orderId: businessId,
  paymentIntentId: paymentIntentIdSchema,
  /** Absent: whatever is left to refund. */
  amount: amount.optional(),
  reason: refundReasonSchema,
});
export type RefundInput = z.input<typeof refundInputSchema>;

export const chargeOffSessionInputSchema = z.strictObject({
  subscriptionId: businessId,
  /** The renewed period's first day (or instant), ISO 8601: one charge per period. */
  periodStart: z.union([z.iso.date(), z.iso.datetime({ offset: true })]),
  amount,
  currency,
  customerId: customerIdSchema,
  paymentMethod: paymentMethodIdSchema,
  description: description.optional(),
  /**
   * Which try at this period's charge: 1 first, then one more per dunning retry. Stripe
   * replays a declined answer for a key, so each retry needs its own key.
   */
  attempt: z.int().min(1).max(1000).default(1),
});
export type ChargeOffSessionInput = z.input<typeof chargeOffSessionInputSchema>;
