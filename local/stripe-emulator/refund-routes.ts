import { z } from 'zod';
import { route, ok, type ApiRoute } from './api-route';
import type { EmulatedPaymentIntent } from './emulated-objects';
import type { EmulatorState } from './emulator-state';
import { expandObject } from './expand';
import { form, parseForm } from './form-schema';
import { listResponse, listShape } from './list-response';
import { refundIntent } from './refund-rules';
import { stripeErrors } from './stripe-error';

const createParams = z.strictObject({
  payment_intent: form.string().optional(),
  charge: form.string().optional(),
  amount: form.int().optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  metadata: form.metadata().optional(),
  expand: form.expand(),
});
const retrieveParams = z.strictObject({ expand: form.expand() });
const listParams = z.strictObject({
  ...listShape,
  payment_intent: form.string().optional(),
  charge: form.string().optional(),
});

export function refundRoutes(state: EmulatorState): ApiRoute[] {
  const intentToRefund = (p: z.output<typeof createParams>): EmulatedPaymentIntent => {
    if (p.payment_intent !== undefined && p.charge !== undefined) {
      throw stripeErrors.invalid(
        'You may only specify one of these parameters: charge, payment_intent.',
        {
          param: 'charge',
        },
      );
    }
    if (p.payment_intent !== undefined) {
      const intent = state.paymentIntents.get(p.payment_intent);
      if (!intent) throw stripeErrors.noSuch('payment_intent', p.payment_intent, 'payment_intent');
      return intent;
    }
    if (p.charge !== undefined) {
      const charge = state.charges.get(p.charge);
      const intent = charge ? state.paymentIntents.get(charge.payment_intent) : undefined;
      if (!intent) throw stripeErrors.noSuch('charge', p.charge, 'charge');
      return intent;
    }
    throw stripeErrors.invalid(
      'One of the following params should be provided for this request: payment_intent or charge.',
    );
  };

  return [
    route('POST', '/v1/refunds', ({ params, context }) => {
      const p = parseForm(createParams, params);
      const refund = refundIntent(state, context, intentToRefund(p), {
        amount: p.amount,
        reason: p.reason,
        metadata: p.metadata,
      });
      return ok(expandObject(state, refund, p.expand));
    }),

    route('GET', '/v1/refunds', ({ params }) => {
      const p = parseForm(listParams, params);
      const refunds = [...state.refunds.values()].filter(
        (refund) =>
          (p.payment_intent === undefined || refund.payment_intent === p.payment_intent) &&
          (p.charge === undefined || refund.charge === p.charge),
      );
      return ok(listResponse('/v1/refunds', refunds, p));
    }),

    route('GET', '/v1/refunds/:id', ({ params, args: [id = ''] }) => {
      const p = parseForm(retrieveParams, params);
      const refund = state.refunds.get(id);
      if (!refund) throw stripeErrors.noSuch('refund', id);
      return ok(expandObject(state, refund, p.expand));
    }),
  ];
}
