import { z } from 'zod';
import { route, ok, type ApiRoute } from './api-route';
import type { EmulatedCustomer } from './emulated-objects';
import type { EmulatorState } from './emulator-state';
import { expandObject } from './expand';
import { form, parseForm } from './form-schema';
import { newId, nowSeconds } from './ids';
import { createCardPaymentMethod } from './payment-method-rules';
import { stripeErrors } from './stripe-error';

const customerShape = {
  email: z.email().optional(),
  name: z.string().max(256).optional(),
  description: z.string().max(350).optional(),
  metadata: form.metadata().optional(),
  expand: form.expand(),
};
const createCustomerParams = z.strictObject(customerShape);
const updateCustomerParams = z.strictObject(customerShape);
const retrieveParams = z.strictObject({ expand: form.expand() });

const createPaymentMethodParams = z.strictObject({
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

/** Customers, and card payment methods made from test card numbers. */
export function customerRoutes(state: EmulatorState): ApiRoute[] {
  const find = (id: string): EmulatedCustomer => {
    const customer = state.customers.get(id);
    if (!customer) throw stripeErrors.noSuch('customer', id);
    return customer;
  };

  return [
    route('POST', '/v1/customers', ({ params, context }) => {
      const p = parseForm(createCustomerParams, params);
      const customer: EmulatedCustomer = {
        id: newId('cus', 14),
        object: 'customer',
        created: nowSeconds(),
        description: p.description ?? null,
        email: p.email ?? null,
        name: p.name ?? null,
        metadata: p.metadata ?? {},
        livemode: false,
      };
      state.customers.set(customer.id, customer);
      state.stats.count('customers');
      state.emit('customer.created', customer, context);
      return ok(customer);
    }),

    route('GET', '/v1/customers/:id', ({ params, args: [id = ''] }) => {
      const p = parseForm(retrieveParams, params);
      return ok(expandObject(state, find(id), p.expand));
    }),

    route('POST', '/v1/customers/:id', ({ params, context, args: [id = ''] }) => {
      const p = parseForm(updateCustomerParams, params);
      const customer = find(id);
      if (p.email !== undefined) customer.email = p.email;
      if (p.name !== undefined) customer.name = p.name;
      if (p.description !== undefined) customer.description = p.description;
      // An empty value unsets a metadata key, as at Stripe.
      for (const [key, value] of Object.entries(p.metadata ?? {})) {
        if (value === '') delete customer.metadata[key];
        else customer.metadata[key] = value;
      }
      state.emit('customer.updated', customer, context);
      return ok(customer);
    }),

    route('POST', '/v1/payment_methods', ({ params }) => {
      const p = parseForm(createPaymentMethodParams, params);
      const method = createCardPaymentMethod(state, p.card, 'card');
      if (p.metadata) method.metadata = p.metadata;
      return ok(method);
    }),

    route('GET', '/v1/payment_methods/:id', ({ params, args: [id = ''] }) => {
      parseForm(retrieveParams, params);
      const method = state.paymentMethods.get(id);
      if (!method) throw stripeErrors.noSuch('PaymentMethod', id);
      return ok(method);
    }),
  ];
}
