import { z } from 'zod';
import { route, ok, type ApiRoute } from './api-route';
import type { EmulatedPaymentMethod } from './emulated-objects';
import type { EmulatorState } from './emulator-state';
import { expandObject } from './expand';
import { form, parseForm } from './form-schema';
import { listResponse, listShape } from './list-response';
import {
  attachPaymentMethod,
  createCardPaymentMethod,
  detachPaymentMethod,
  resolvePaymentMethod,
} from './payment-method-rules';
import { stripeErrors } from './stripe-error';
import { TEST_PAYMENT_METHODS } from './test-cards';

const createParams = z.strictObject({
  type: z.literal('card', 'only card payment methods are emulated'),
  card: z.strictObject({
    number: form.string(),
    exp_month: form.int().optional(),
    exp_year: form.int().optional(),
    cvc: form.string().optional(),
  }),
  metadata: form.metadata().optional(),
  expand: form.expand(),
});
const retrieveParams = z.strictObject({ expand: form.expand() });
const attachParams = z.strictObject({ customer: form.string(), expand: form.expand() });
const detachParams = z.strictObject({ expand: form.expand() });
const cardType = z.literal('card', 'only card payment methods are emulated');
const customerListParams = z.strictObject({ ...listShape, type: cardType.optional() });
const listParams = z.strictObject({
  ...listShape,
  customer: form.string().optional(),
  type: cardType.optional(),
});

/** Card payment methods made from test card numbers, and saving them to customers. */
export function paymentMethodRoutes(state: EmulatorState): ApiRoute[] {
  const find = (id: string): EmulatedPaymentMethod => {
    const method = state.paymentMethods.get(id);
    if (!method) throw stripeErrors.noSuch('PaymentMethod', id);
    return method;
  };
  const customerMethods = (customerId: string, param?: string): EmulatedPaymentMethod[] => {
    if (!state.customers.has(customerId)) throw stripeErrors.noSuch('customer', customerId, param);
    return [...state.paymentMethods.values()].filter((method) => method.customer === customerId);
  };

  return [
    route('POST', '/v1/payment_methods', ({ params }) => {
      const p = parseForm(createParams, params);
      const method = createCardPaymentMethod(state, p.card, 'card');
      if (p.metadata) method.metadata = p.metadata;
      return ok(expandObject(state, method, p.expand));
    }),

    route('GET', '/v1/payment_methods', ({ params }) => {
      const p = parseForm(listParams, params);
      const methods =
        p.customer === undefined
          ? [...state.paymentMethods.values()]
          : customerMethods(p.customer, 'customer');
      return ok(listResponse('/v1/payment_methods', methods, p));
    }),

    route('GET', '/v1/payment_methods/:id', ({ params, args: [id = ''] }) => {
      const p = parseForm(retrieveParams, params);
      return ok(expandObject(state, find(id), p.expand));
    }),

    // A test name (pm_card_visa) makes a new payment method for its card, as Stripe does.
    route('POST', '/v1/payment_methods/:id/attach', ({ params, context, args: [id = ''] }) => {
      const p = parseForm(attachParams, params);
      const method = resolveOrMissing(state, id);
      attachPaymentMethod(state, context, method, p.customer);
      return ok(expandObject(state, method, p.expand));
    }),

    route('POST', '/v1/payment_methods/:id/detach', ({ params, context, args: [id = ''] }) => {
      const p = parseForm(detachParams, params);
      const method = find(id);
      detachPaymentMethod(state, context, method);
      return ok(expandObject(state, method, p.expand));
    }),

    route('GET', '/v1/customers/:id/payment_methods', ({ params, args: [id = ''] }) => {
      const p = parseForm(customerListParams, params);
      return ok(listResponse(`/v1/customers/${id}/payment_methods`, customerMethods(id), p));
    }),
  ];
}

/** The payment method a URL names: unknown is 404, as for any object in the path. */
function resolveOrMissing(state: EmulatorState, id: string): EmulatedPaymentMethod {
  if (!Object.hasOwn(TEST_PAYMENT_METHODS, id) && !state.paymentMethods.has(id)) {
    throw stripeErrors.noSuch('PaymentMethod', id);
  }
  return resolvePaymentMethod(state, id, 'payment_method');
}
