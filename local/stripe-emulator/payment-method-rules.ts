import type { EmulatedPaymentMethod } from './emulated-objects';
import type { EmulatorState, RequestContext } from './emulator-state';
import { newId, nowSeconds } from './ids';
import { EmulatedStripeError, stripeErrors } from './stripe-error';
import { isLuhnValid, TEST_PAYMENT_METHODS, testCard } from './test-cards';

export interface CardDetails {
  number: string;
  exp_month?: number;
  exp_year?: number;
}

/** A card payment method from raw card details, refused as Stripe refuses a bad number. */
export function createCardPaymentMethod(
  state: EmulatorState,
  card: CardDetails,
  param: string,
): EmulatedPaymentMethod {
  const number = card.number.replace(/\s+/g, '');
  if (!isLuhnValid(number)) {
    throw new EmulatedStripeError(402, {
      type: 'card_error',
      code: 'incorrect_number',
      message: 'Your card number is incorrect.',
      param: `${param}[number]`,
    });
  }
  const nextYear = new Date().getUTCFullYear() + 1;
  const method: EmulatedPaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    type: 'card',
    card: {
      brand: testCard(number).brand,
      last4: number.slice(-4),
      exp_month: card.exp_month ?? 12,
      exp_year: card.exp_year ?? nextYear,
      funding: 'credit',
      country: 'US',
    },
    customer: null,
    created: nowSeconds(),
    metadata: {},
    livemode: false,
  };
  state.paymentMethods.set(method.id, method);
  state.cardNumbers.set(method.id, number);
  return method;
}

/**
 * The payment method an id names. A test id (`pm_card_visa`) makes a new payment method
 * for its card each time it is used, as Stripe does, so the intent shows a `pm_…` id.
 */
export function resolvePaymentMethod(
  state: EmulatorState,
  id: string,
  param = 'payment_method',
): EmulatedPaymentMethod {
  const testNumber = TEST_PAYMENT_METHODS[id];
  if (testNumber !== undefined && Object.hasOwn(TEST_PAYMENT_METHODS, id)) {
    return createCardPaymentMethod(state, { number: testNumber }, param);
  }
  const method = state.paymentMethods.get(id);
  if (!method) throw stripeErrors.noSuch('PaymentMethod', id, param);
  if (state.retiredPaymentMethods.has(method.id)) throw stripeErrors.paymentMethodRetired(param);
  return method;
}

/**
 * Saves a card to a customer. Stripe validates the card with the issuer first, so a card
 * the issuer declines cannot be attached (402, as a payment would be refused); the card
 * that "attaches but fails to charge" passes. Attaching again to the same customer
 * changes nothing.
 */
export function attachPaymentMethod(
  state: EmulatorState,
  request: RequestContext,
  method: EmulatedPaymentMethod,
  customerId: string,
  param = 'customer',
): void {
  if (!state.customers.has(customerId)) throw stripeErrors.noSuch('customer', customerId, param);
  if (method.customer === customerId) return;
  if (method.customer !== null) {
    throw stripeErrors.invalid(
      'The payment method you provided has already been attached to a customer.',
      { param: 'payment_method' },
    );
  }
  const { behaviour } = testCard(cardNumberOf(state, method.id));
  if (behaviour.kind === 'decline') {
    const { decline } = behaviour;
    throw new EmulatedStripeError(402, {
      type: 'card_error',
      code: decline.code,
      decline_code: decline.declineCode,
      message: decline.message,
      ...(decline.param ? { param: decline.param } : {}),
      doc_url: `https://docs.stripe.com/error-codes/${decline.code.replaceAll('_', '-')}`,
    });
  }
  method.customer = customerId;
  state.emit('payment_method.attached', method, request);
}

/**
 * Takes a card off its customer, for good: Stripe refuses to use or attach it again. The
 * customer's default payment method is cleared when it was this one.
 */
export function detachPaymentMethod(
  state: EmulatorState,
  request: RequestContext,
  method: EmulatedPaymentMethod,
): void {
  if (method.customer === null) {
    throw stripeErrors.invalid(
      'The payment method you provided is not attached to a customer so detachment is impossible.',
      { param: 'payment_method' },
    );
  }
  const customer = state.customers.get(method.customer);
  if (customer?.invoice_settings.default_payment_method === method.id) {
    customer.invoice_settings.default_payment_method = null;
  }
  method.customer = null;
  state.retiredPaymentMethods.add(method.id);
  state.emit('payment_method.detached', method, request);
}

export function cardNumberOf(state: EmulatorState, paymentMethodId: string): string {
  const number = state.cardNumbers.get(paymentMethodId);
  if (number === undefined)
    throw stripeErrors.noSuch('PaymentMethod', paymentMethodId, 'payment_method');
  return number;
}
