import { createPayments, createStripeClient } from '../../../src/payments';
import { paymentFlowTests, type FlowTarget } from './payment-flows';
import { runIds } from './run-ids';

/**
 * The same flows against Stripe's test mode, when a test key is given
 * (STRIPE_SECRET_KEY=sk_test_… npx jest test/services/payments/stripe-test-mode).
 * A live key is refused: these tests move money.
 */
const secretKey = process.env.STRIPE_SECRET_KEY;
const describeStripe = secretKey ? describe : describe.skip;

describeStripe('payment flows on Stripe test mode', () => {
  let target: FlowTarget;

  beforeAll(() => {
    if (!secretKey?.startsWith('sk_test_')) {
      throw new Error('STRIPE_SECRET_KEY must be a test mode key (sk_test_…) for these tests');
    }
    const stripe = createStripeClient({ secretKey, timeoutMs: 30_000 });
    target = { stripe, payments: createPayments({ stripe }), id: runIds() };
  });

  paymentFlowTests(() => target);
});
