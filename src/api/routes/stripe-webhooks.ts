import type { FastifyPluginAsync } from 'fastify';
import { WebhookVerificationError, type Payments } from '../../payments';
import type { OrderService } from '../../orders/order-service';
import { ApiError } from '../api-error';

/**
 * Stripe's webhook endpoint. The signature is checked over the raw body, so this plugin
 * keeps the body as bytes. Each PaymentIntent event is routed to its order's workflow
 * by the order id in the intent's metadata; the workflow counts each event id once and
 * re-reads the intent, so duplicated, late or out-of-order deliveries change nothing twice.
 */
export function stripeWebhookRoutes(deps: {
  orders: OrderService;
  payments: Payments;
  webhookSecret: string;
}): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    app.post('/v1/webhooks/stripe', { config: { access: 'public' } }, async (request) => {
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
      if (!verified.handled || verified.event.type === 'charge.refunded') {
        return { received: true, routed: false };
      }
      const intent = verified.event.data.object;
      const orderId = intent.metadata?.order_id;
      if (!orderId) return { received: true, routed: false };
      const routed = await deps.orders.deliverPaymentEvent(orderId, {
        eventId: verified.event.id,
        type: verified.event.type,
        paymentIntentId: intent.id,
      });
      return { received: true, routed };
    });
  };
}
