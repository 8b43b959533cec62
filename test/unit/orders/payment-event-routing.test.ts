import { paymentEventWakesOrder } from '../../../src/orders/payment-event-routing';

const CAPTURABLE = 'payment_intent.amount_capturable_updated';

describe('which PaymentIntent events wake an order', () => {
  test.each([
    ['awaiting-authentication', true],
    // Authorized by a worker of an earlier release, which left the order `received`.
    ['received', true],
    [null, true],
    ['authorizing', false],
    ['granting', false],
    ['completed', false],
    ['declined', false],
    ['compensated', false],
  ])(
    'when the amount becomes capturable and the ledger says %s, then it wakes: %s',
    async (state, wakes) => {
      expect(await paymentEventWakesOrder(CAPTURABLE, async () => state)).toBe(wakes);
    },
  );

  test.each(['payment_intent.payment_failed', 'payment_intent.canceled'])(
    'when the intent %s, then it wakes the order whatever the ledger says',
    async (type) => {
      for (const state of ['authorizing', 'granting', 'completed', null]) {
        expect(await paymentEventWakesOrder(type, async () => state)).toBe(true);
      }
    },
  );
});
