import { z } from 'zod';

/**
 * The fields of Stripe's objects that our code relies on, and nothing more: Stripe adds
 * fields over API versions, which these schemas ignore, while a missing or retyped field
 * we use fails loudly at the edge.
 */
export const PAYMENT_INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
] as const;
export const paymentIntentStatusSchema = z.enum(PAYMENT_INTENT_STATUSES);
export type PaymentIntentStatus = z.infer<typeof paymentIntentStatusSchema>;

const optionalString = z.string().nullish();

/** The error of the last failed attempt, kept on the intent (a decline, a failed 3-D Secure). */
export const paymentErrorSchema = z.object({
  type: z.string(),
  code: optionalString,
  decline_code: optionalString,
  message: optionalString,
});

export const paymentIntentSchema = z.object({
  id: z.string(),
  object: z.literal('payment_intent'),
  status: paymentIntentStatusSchema,
  amount: z.int(),
  amount_capturable: z.int(),
  amount_received: z.int(),
  currency: z.string(),
  client_secret: z.string().nullish(),
  last_payment_error: paymentErrorSchema.nullish(),
  next_action: z.object({ type: z.string() }).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  /** Seconds since the epoch; optional so a trimmed event payload still parses. */
  created: z.int().optional(),
});
export type StripePaymentIntent = z.infer<typeof paymentIntentSchema>;

/** An id field that may come expanded into its object. */
const idOrObject = z.union([z.string(), z.object({ id: z.string() }).transform(({ id }) => id)]);

export const customerSchema = z.object({
  id: z.string(),
  object: z.literal('customer'),
  email: z.string().nullish(),
  invoice_settings: z.object({ default_payment_method: idOrObject.nullish() }).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

export const paymentMethodSchema = z.object({
  id: z.string(),
  object: z.literal('payment_method'),
  customer: idOrObject.nullish(),
  card: z
    .object({ brand: z.string(), last4: z.string(), exp_month: z.int(), exp_year: z.int() })
    .nullish(),
});
export type StripePaymentMethod = z.infer<typeof paymentMethodSchema>;

export const refundSchema = z.object({
  id: z.string(),
  object: z.literal('refund'),
  amount: z.int(),
  status: z.string().nullish(),
});
