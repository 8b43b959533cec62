import { createPayments, createStripeClient } from '../../../src/payments';
import { paymentFlowTests, type FlowTarget } from './payment-flows';
import { runIds } from './run-ids';

/**
 * The same flows against Stripe's test mode. Jest runs this file only when a test key is
 * given (STRIPE_SECRET_KEY=sk_test_… npm test -- --selectProjects stripe; see
 * jest.config.js). A live key is refused: these tests move money.
 */
const secretKey = process.env.STRIPE_SECRET_KEY;

describe('payment flows on Stripe test mode', () => {
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
