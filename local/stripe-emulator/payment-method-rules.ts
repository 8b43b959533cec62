import type { EmulatedPaymentMethod } from './emulated-objects';
import type { EmulatorState } from './emulator-state';
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
  return method;
}

export function cardNumberOf(state: EmulatorState, paymentMethodId: string): string {
  const number = state.cardNumbers.get(paymentMethodId);
  if (number === undefined)
    throw stripeErrors.noSuch('PaymentMethod', paymentMethodId, 'payment_method');
  return number;
}
