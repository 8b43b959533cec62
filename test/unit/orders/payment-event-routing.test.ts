import { paymentEventWakesOrder } from '../../../src/orders/payment-event-routing';
import { idempotencyKeys } from '../../../src/payments';

const CAPTURABLE = 'payment_intent.amount_capturable_updated';
const ORDER = 'order-7';

describe('which PaymentIntent events wake an order', () => {
  test.each([
    // The customer completed 3-D Secure: no API request of ours caused it.
    ['no request', null, true],
    ['a request of another order', idempotencyKeys.authorize('order-8'), true],
    ["the order's capture", idempotencyKeys.capture(ORDER), true],
    ["the order's own authorize call", idempotencyKeys.authorize(ORDER), false],
  ])(
    'when the amount becomes capturable by %s, then it wakes the order: %s',
    (_, requestIdempotencyKey, wakes) => {
      expect(
        paymentEventWakesOrder({ type: CAPTURABLE, orderId: ORDER, requestIdempotencyKey }),
      ).toBe(wakes);
    },
  );

  test.each(['payment_intent.payment_failed', 'payment_intent.canceled'])(
    'when the intent %s, then it wakes the order whatever request caused it',
    (type) => {
      for (const key of [null, idempotencyKeys.authorize(ORDER)]) {
        expect(paymentEventWakesOrder({ type, orderId: ORDER, requestIdempotencyKey: key })).toBe(
          true,
        );
      }
    },
  );
});
