import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { apiErrorSchema } from '../../contract';
import { ORDER_WAKING_EVENT_TYPES, WebhookVerificationError, type Payments } from '../../payments';
import type { Ledger } from '../../ledger';
import { applyPaymentEvent, isChargeEvent } from '../../orders/payment-event-policy';
import { paymentEventWakesOrder } from '../../orders/payment-event-routing';
import type { OrderService } from '../../orders/order-service';
import { ApiError } from '../api-error';

const schema = {
  summary: "Stripe's webhook endpoint",
  description:
    'Authenticated by the Stripe-Signature over the raw body (a Stripe event), not by an ' +
    "API key. PaymentIntent events that can end an order's wait for 3-D Secure go to the order by the intent's `metadata.order_id`; " +
    'refunds and disputes act on the licenses once per event id.',
  tags: ['webhooks'],
  // Checked by the Stripe SDK over the raw body: a missing one is a bad signature.
  headers: z.object({ 'stripe-signature': z.string().optional() }),
  response: {
    200: z
      .object({
        received: z.boolean(),
        routed: z.boolean(),
        action: z.string().optional(),
      })
      .describe('Received; `routed` says whether an order or a license took it.'),
    400: apiErrorSchema.describe('The signature does not match the body.'),
  },
};

/**
 * Stripe's webhook endpoint. The signature is checked over the raw body, so this plugin
 * keeps the body as bytes. Each PaymentIntent event is routed to its order's workflow
 * by the order id in the intent's metadata; the workflow counts each event id once and
 * re-reads the intent, so duplicated, late or out-of-order deliveries change nothing twice.
 */
export function stripeWebhookRoutes(deps: {
  orders: OrderService;
  ledger: Ledger;
  payments: Payments;
  webhookSecret: string;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    app.post('/v1/webhooks/stripe', { config: { access: 'public' }, schema }, async (request) => {
      const signature = request.headers['stripe-signature'];
      let verified;
      try {
        verified = deps.payments.verifyWebhook(
          request.body as Buffer,
          typeof signature === 'string' ? signature : undefined,
          deps.webhookSecret,
        );
      } catch (error: unknown) {
        if (error instanceof WebhookVerificationError) {
          throw new ApiError(400, 'WEBHOOK.SIGNATURE', error.message);
        }
        throw error;
      }
      if (!verified.handled) return { received: true, routed: false };
      const { event } = verified;
      if (isChargeEvent(event)) {
        // Refunds and disputes made outside the product act on the licenses (policy in
        // payment-event-policy.ts), once per event id.
        const { action } = await applyPaymentEvent(deps.ledger, event);
        return { received: true, routed: action !== undefined, action };
      }
      // The order re-reads its intent when woken: an event that cannot end its wait for
      // 3-D Secure, or that its own authorize call caused, is acknowledged without waking
      // it (src/orders/payment-event-routing.ts).
      if (!ORDER_WAKING_EVENT_TYPES.includes(event.type)) return { received: true, routed: false };
      const intent = event.data.object;
      const orderId = intent.metadata?.order_id;
      if (!orderId) return { received: true, routed: false };
      const wakes = paymentEventWakesOrder({
        type: event.type,
        orderId,
        requestIdempotencyKey: event.request?.idempotency_key ?? null,
      });
      if (!wakes) return { received: true, routed: false };
      const routed = await deps.orders.deliverPaymentEvent(orderId, {
        eventId: event.id,
        type: event.type,
        paymentIntentId: intent.id,
      });
      return { received: true, routed };
    });
  };
}
