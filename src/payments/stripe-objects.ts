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
  created: z.int().optional(),
});
export type StripePaymentIntent = z.infer<typeof paymentIntentSchema>;

export const customerSchema = z.object({
  id: z.string(),
  object: z.literal('customer'),
  email: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
});

export const refundSchema = z.object({
  id: z.string(),
  object: z.literal('refund'),
  amount: z.int(),
  status: z.string().nullish(),
});
