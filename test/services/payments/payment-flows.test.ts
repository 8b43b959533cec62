import { createPayments } from '../../../src/payments';
import { startStripeEmulator, type StripeEmulator } from '../../../local/stripe-emulator';
import { paymentFlowTests, type FlowTarget } from './payment-flows';
import { runIds } from './run-ids';

let emulator: StripeEmulator;
let target: FlowTarget;

beforeAll(async () => {
  emulator = await startStripeEmulator();
  const stripe = emulator.createClient();
  target = { stripe, payments: createPayments({ stripe }), id: runIds() };
});

afterAll(async () => {
  await emulator.close();
});

describe('payment flows on the Stripe emulator', () => {
  paymentFlowTests(() => target);
});
