import { z } from 'zod';
import { route, ok, type ApiRoute } from './api-route';
import type { EmulatedCustomer } from './emulated-objects';
import type { EmulatorState } from './emulator-state';
import { expandObject } from './expand';
import { form, parseForm } from './form-schema';
import { newId, nowSeconds } from './ids';
import { attachPaymentMethod, resolvePaymentMethod } from './payment-method-rules';
import { stripeErrors } from './stripe-error';

const customerShape = {
  email: z.email().optional(),
  name: z.string().max(256).optional(),
  description: z.string().max(350).optional(),
  /** An empty default_payment_method unsets it, as Stripe's empty values do. */
  invoice_settings: z.strictObject({ default_payment_method: z.string().optional() }).optional(),
  metadata: form.metadata().optional(),
  expand: form.expand(),
};
const createCustomerParams = z.strictObject({
  ...customerShape,
  /** A payment method to attach to the new customer. */
  payment_method: form.string().optional(),
});
const updateCustomerParams = z.strictObject(customerShape);
const retrieveParams = z.strictObject({ expand: form.expand() });

const DEFAULT_METHOD_PARAM = 'invoice_settings[default_payment_method]';

/** Customers, with the default payment method that invoices and renewals use. */
export function customerRoutes(state: EmulatorState): ApiRoute[] {
  const find = (id: string): EmulatedCustomer => {
    const customer = state.customers.get(id);
    if (!customer) throw stripeErrors.noSuch('customer', id);
    return customer;
  };

  /** Stripe accepts as default only a payment method attached to this customer. */
  const checkedDefault = (customer: EmulatedCustomer, id: string): string | null => {
    if (id === '') return null;
    const method = state.paymentMethods.get(id);
    if (method?.customer !== customer.id) {
      throw notTheCustomersMethod(id);
    }
    return method.id;
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
        invoice_settings: {
          custom_fields: null,
          default_payment_method: null,
          footer: null,
          rendering_options: null,
        },
        metadata: p.metadata ?? {},
        livemode: false,
      };
      // A new customer has no card but the one it is created with: a default naming any
      // other is refused before anything is made.
      const requested = p.invoice_settings?.default_payment_method;
      if (requested && requested !== p.payment_method) {
        throw notTheCustomersMethod(requested);
      }
      const method =
        p.payment_method === undefined
          ? undefined
          : resolvePaymentMethod(state, p.payment_method, 'payment_method');
      // Attached first: a card the issuer declines leaves no customer behind, as at Stripe.
      if (method) {
        state.customers.set(customer.id, customer);
        try {
          attachPaymentMethod(state, context, method, customer.id, 'payment_method');
        } catch (error: unknown) {
          state.customers.delete(customer.id);
          throw error;
        }
        // The test name given as payment_method stands for the card it made.
        if (requested) customer.invoice_settings.default_payment_method = method.id;
      }
      state.customers.set(customer.id, customer);
      state.stats.count('customers');
      state.emit('customer.created', customer, context);
      return ok(expandObject(state, customer, p.expand));
    }),

    route('GET', '/v1/customers/:id', ({ params, args: [id = ''] }) => {
      const p = parseForm(retrieveParams, params);
      return ok(expandObject(state, find(id), p.expand));
    }),

    route('POST', '/v1/customers/:id', ({ params, context, args: [id = ''] }) => {
      const p = parseForm(updateCustomerParams, params);
      const customer = find(id);
      const requested = p.invoice_settings?.default_payment_method;
      const defaultMethod =
        requested === undefined ? undefined : checkedDefault(customer, requested);
      if (p.email !== undefined) customer.email = p.email;
      if (p.name !== undefined) customer.name = p.name;
      if (p.description !== undefined) customer.description = p.description;
      if (defaultMethod !== undefined)
        customer.invoice_settings.default_payment_method = defaultMethod;
      // An empty value unsets a metadata key, as at Stripe.
      for (const [key, value] of Object.entries(p.metadata ?? {})) {
        if (value === '') delete customer.metadata[key];
        else customer.metadata[key] = value;
      }
      state.emit('customer.updated', customer, context);
      return ok(expandObject(state, customer, p.expand));
    }),
  ];
}

function notTheCustomersMethod(id: string) {
  return stripeErrors.invalid(
    `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`,
    { code: 'resource_missing', param: DEFAULT_METHOD_PARAM },
  );
}
