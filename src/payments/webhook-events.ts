import Stripe from 'stripe';
import { z } from 'zod';
import { WebhookVerificationError } from './payment-errors';
import { paymentIntentSchema } from './stripe-objects';

/** The PaymentIntent events the webhook endpoint parses. */
export const PAYMENT_INTENT_EVENT_TYPES = [
  'payment_intent.amount_capturable_updated',
  'payment_intent.payment_failed',
  'payment_intent.succeeded',
  'payment_intent.canceled',
  'payment_intent.requires_action',
] as const;

const eventEnvelope = {
  id: z.string().startsWith('evt_'),
  object: z.literal('event'),
  created: z.int(),
  livemode: z.boolean(),
  /**
   * The API request that caused the event, with the idempotency key it was sent under;
   * null (or ids of null) when no API request did (a customer's 3-D Secure, Stripe's own
   * processing).
   */
  request: z
    .object({ id: z.string().nullable(), idempotency_key: z.string().nullable() })
    .nullable()
    .optional(),
};

/** What every Stripe event has, whatever its type. */
const anyEventSchema = z.object({ id: z.string().min(1), type: z.string().min(1) });

const chargeSchema = z.object({
  id: z.string(),
  object: z.literal('charge'),
  payment_intent: z.string().nullable(),
  amount: z.int(),
  amount_refunded: z.int(),
  refunded: z.boolean(),
  currency: z.string(),
});

/** A dispute (chargeback) the customer's bank opened; `status` once closed: won or lost. */
const disputeSchema = z.object({
  id: z.string(),
  object: z.literal('dispute'),
  charge: z.string(),
  payment_intent: z.string().nullable(),
  amount: z.int(),
  currency: z.string(),
  status: z.string(),
});

export const DISPUTE_EVENT_TYPES = ['charge.dispute.created', 'charge.dispute.closed'] as const;

export const paymentWebhookEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...eventEnvelope,
    type: z.enum(PAYMENT_INTENT_EVENT_TYPES),
    data: z.object({ object: paymentIntentSchema }),
  }),
  z.object({
    ...eventEnvelope,
    type: z.literal('charge.refunded'),
    data: z.object({ object: chargeSchema }),
  }),
  z.object({
    ...eventEnvelope,
    type: z.enum(DISPUTE_EVENT_TYPES),
    data: z.object({ object: disputeSchema }),
  }),
]);
export type PaymentWebhookEvent = z.infer<typeof paymentWebhookEventSchema>;
export type PaymentWebhookEventType = PaymentWebhookEvent['type'];

const HANDLED_TYPES: ReadonlySet<string> = new Set<PaymentWebhookEventType>([
  ...PAYMENT_INTENT_EVENT_TYPES,
  'charge.refunded',
  ...DISPUTE_EVENT_TYPES,
]);

/**
 * The PaymentIntent events that can end an order's wait for 3-D Secure: the customer
 * authenticated (the amount became capturable), failed, or the intent was cancelled.
 * Only these are signalled to the order; the others (`requires_action`, `succeeded`)
 * tell an order what its own authorize or capture step already answered, and would cost
 * each order a workflow task for nothing.
 */
export const ORDER_WAKING_EVENT_TYPES: readonly PaymentWebhookEventType[] = [
  'payment_intent.amount_capturable_updated',
  'payment_intent.payment_failed',
  'payment_intent.canceled',
];

/**
 * The events a Stripe webhook endpoint for provisioner enables (`enabled_events`): those
 * it acts on. Stripe sends an endpoint nothing else, so every other event costs neither
 * side a request.
 */
export const SUBSCRIBED_EVENT_TYPES: readonly PaymentWebhookEventType[] = [
  ...ORDER_WAKING_EVENT_TYPES,
  'charge.refunded',
  ...DISPUTE_EVENT_TYPES,
];

/**
 * A verified webhook: one of ours, parsed, or another type Stripe sends to the endpoint,
 * which the receiver acknowledges (2xx) and ignores so that Stripe stops resending it.
 */
export type VerifiedWebhook =
  { handled: true; event: PaymentWebhookEvent } | { handled: false; id: string; type: string };

/** Stripe's default: a signature older than five minutes may be a replay. */
const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Checks the `Stripe-Signature` header against the raw body (the exact bytes received,
 * not re-serialized JSON) and the endpoint's secret, then parses the event.
 */
export function verifyWebhook(
  rawBody: Buffer | string,
  signatureHeader: string | undefined,
  secret: string,
  options: { toleranceSeconds?: number } = {},
): VerifiedWebhook {
  if (!signatureHeader)
    throw new WebhookVerificationError('the Stripe-Signature header is missing');
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(
      rawBody,
      signatureHeader,
      secret,
      options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
    );
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new WebhookVerificationError(`the webhook signature does not verify: ${reason}`, {
      cause: error,
    });
  }
  // Signed but not an event (a secret leaked, or a sender bug): refused, not acknowledged.
  const envelope = anyEventSchema.safeParse(event);
  if (!envelope.success) {
    throw new WebhookVerificationError('the signed body is not a Stripe event (id, type)');
  }
  if (!HANDLED_TYPES.has(event.type)) return { handled: false, id: event.id, type: event.type };
  const parsed = paymentWebhookEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issue.path.map(String).join('.') : 'event';
    throw new WebhookVerificationError(
      `the ${event.type} event ${event.id} is not as expected: ${field}: ${issue?.message ?? 'is invalid'}`,
    );
  }
  return { handled: true, event: parsed.data };
}
