import type Stripe from 'stripe';
import { declinedOrThrow } from './declines';
import { idempotencyKeys } from './idempotency-keys';
import { PaymentInputError, parsePaymentInput, parseStripeObject } from './payment-errors';
import { savePaymentMethodInputSchema, type SavePaymentMethodInput } from './payment-inputs';
import type { SavedPaymentMethod } from './payment-outcomes';
import { customerSchema, paymentMethodSchema, type StripePaymentMethod } from './stripe-objects';

/** Attaches a card to the customer and makes it the default that renewals charge. */
export async function savePaymentMethod(
  stripe: Stripe,
  raw: SavePaymentMethodInput,
): Promise<SavedPaymentMethod> {
  const { customerId, paymentMethod } = parsePaymentInput(savePaymentMethodInputSchema, raw);
  let attached: StripePaymentMethod;
  try {
    const answer = await stripe.paymentMethods.attach(
      paymentMethod,
      { customer: customerId },
      { idempotencyKey: idempotencyKeys.attachPaymentMethod(customerId, paymentMethod) },
    );
    attached = parseStripeObject(paymentMethodSchema, answer, 'payment method');
  } catch (error: unknown) {
    // Stripe validates the card with its issuer on attach: a refusal is an outcome.
    return declinedOrThrow(error);
  }
  if ((await defaultOf(stripe, customerId)) !== attached.id) {
    // Setting the default is a set, safe to repeat, and sent without an idempotency key
    // on purpose: a key would replay a stale answer when the default went A → B → A
    // within Stripe's 24 hours, leaving B in place while reporting A.
    await stripe.customers.update(customerId, {
      invoice_settings: { default_payment_method: attached.id },
    });
  }
  return { status: 'saved', customerId, ...savedCard(attached) };
}

/**
 * The customer's default payment method, which a renewal charges when given none. Stripe
 * never picks it for a PaymentIntent by itself, so the caller passes it explicitly.
 */
export async function defaultPaymentMethod(stripe: Stripe, customerId: string): Promise<string> {
  const method = await defaultOf(stripe, customerId);
  if (!method) {
    throw new PaymentInputError(
      `paymentMethod: customer ${customerId} has no default payment method to charge`,
      'paymentMethod',
    );
  }
  return method;
}

async function defaultOf(stripe: Stripe, customerId: string): Promise<string | null | undefined> {
  const customer = parseStripeObject(
    customerSchema,
    await stripe.customers.retrieve(customerId),
    'customer',
  );
  return customer.invoice_settings?.default_payment_method;
}

function savedCard(method: StripePaymentMethod): {
  paymentMethodId: string;
  card?: { brand: string; last4: string; expMonth: number; expYear: number };
} {
  const { id, card } = method;
  if (!card) return { paymentMethodId: id };
  return {
    paymentMethodId: id,
    card: {
      brand: card.brand,
      last4: card.last4,
      expMonth: card.exp_month,
      expYear: card.exp_year,
    },
  };
}
