import Stripe from 'stripe';
import {
  classifyStripeError,
  createPayments,
  verifyWebhook,
  WebhookVerificationError,
  type Payments,
} from '../../../src/payments';
import {
  signWebhookPayload,
  startStripeEmulator,
  type StripeEmulator,
} from '../../../local/stripe-emulator';
import {
  startWebhookReceiver,
  type ReceivedWebhook,
  type WebhookReceiver,
} from './webhook-receiver';

/**
 * Webhooks as Stripe sends them: signed so that the SDK's constructEvent accepts them,
 * delivered asynchronously, retried when the receiver fails, and (on demand) duplicated
 * or out of order, which receivers must tolerate.
 */
const SECRET = 'whsec_test_receiver_secret';
const PAYMENT_INTENT_EVENTS = [
  'payment_intent.amount_capturable_updated',
  'payment_intent.canceled',
];

let emulator: StripeEmulator;
let receiver: WebhookReceiver;
let payments: Payments;
let customerId: string;

async function start(
  answer?: (index: number) => number,
  enabledEvents: string[] = PAYMENT_INTENT_EVENTS,
): Promise<void> {
  receiver = await startWebhookReceiver(answer);
  emulator = await startStripeEmulator({
    webhooks: [{ url: receiver.url, secret: SECRET, enabledEvents }],
    webhookRetry: { maxAttempts: 4, initialDelayMs: 20, maxDelayMs: 100 },
  });
  payments = createPayments({ stripe: emulator.createClient() });
  customerId = await payments.ensureCustomer({ tenantId: 'tenant-webhooks' });
}

afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

async function authorizeAndCancel(orderId: string): Promise<string> {
  const outcome = await payments.authorize({
    orderId,
    amount: 3300,
    currency: 'eur',
    customerId,
    paymentMethod: 'pm_card_visa',
  });
  if (outcome.status !== 'authorized') throw new Error(outcome.status);
  await payments.releasePayment({ orderId, paymentIntentId: outcome.paymentIntentId });
  return outcome.paymentIntentId;
}

function verified(webhook: ReceivedWebhook) {
  const result = verifyWebhook(webhook.rawBody, webhook.signature, SECRET);
  if (!result.handled) throw new Error(`unhandled ${result.type}`);
  return result.event;
}

describe('webhook delivery', () => {
  test('when an authorization is made and canceled, then each event arrives signed so that the SDK constructEvent accepts it', async () => {
    await start();
    const paymentIntentId = await authorizeAndCancel('order-webhook-signed');

    await emulator.webhooks.idle();
    const events = receiver.received.map((webhook) =>
      Stripe.webhooks.constructEvent(webhook.rawBody, webhook.signature ?? '', SECRET),
    );

    expect(events.map((event) => event.type)).toEqual(PAYMENT_INTENT_EVENTS);
    expect(events.map((event) => (event.data.object as Stripe.PaymentIntent).id)).toEqual([
      paymentIntentId,
      paymentIntentId,
    ]);
    expect(receiver.received[0]?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  test('when verifyWebhook reads a delivery, then it returns the parsed event with the intent state at that moment', async () => {
    await start();
    const paymentIntentId = await authorizeAndCancel('order-webhook-parsed');

    await emulator.webhooks.idle();
    const [capturable, canceled] = receiver.received.map(verified);

    expect(capturable).toMatchObject({
      type: 'payment_intent.amount_capturable_updated',
      data: {
        object: { id: paymentIntentId, status: 'requires_capture', amount_capturable: 3300 },
      },
    });
    expect(canceled).toMatchObject({
      type: 'payment_intent.canceled',
      data: { object: { id: paymentIntentId, status: 'canceled' } },
    });
  });

  test('when the receiver answers 500 twice, then the event is delivered again until it answers 200', async () => {
    await start((index) => (index < 2 ? 500 : 200), ['payment_intent.canceled']);
    await authorizeAndCancel('order-webhook-retry');

    await emulator.webhooks.idle();
    const ids = receiver.received.map((webhook) => verified(webhook).id);

    expect(receiver.received.map((webhook) => webhook.status)).toEqual([500, 500, 200]);
    expect(new Set(ids).size).toBe(1);
    expect(emulator.stats.get('webhookFailures')).toBe(2);
    expect(emulator.stats.get('webhookDeliveries')).toBe(1);
  });

  test('when the receiver never answers 2xx, then delivery stops after the configured attempts', async () => {
    await start(() => 503, ['payment_intent.canceled']);
    await authorizeAndCancel('order-webhook-give-up');

    await emulator.webhooks.idle();

    expect(receiver.received).toHaveLength(4);
    expect(emulator.webhooks.attempts().filter((attempt) => attempt.delivered)).toHaveLength(0);
  });

  test('when the receiver cannot be reached, then each attempt is recorded as a connection failure and delivery stops after the configured attempts', async () => {
    await start(() => 200, ['payment_intent.canceled']);
    await receiver.close();
    await authorizeAndCancel('order-webhook-unreachable');

    await emulator.webhooks.idle();
    const attempts = emulator.webhooks.attempts();

    expect(attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3, 4]);
    expect(attempts.every((attempt) => !attempt.delivered && attempt.error !== undefined)).toBe(
      true,
    );
  });

  test('when duplicate mode is on, then every event arrives twice with the same id', async () => {
    await start();
    emulator.webhooks.setModes({ duplicate: true });
    await authorizeAndCancel('order-webhook-duplicate');

    await emulator.webhooks.idle();
    const ids = receiver.received.map((webhook) => verified(webhook).id);

    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(2);
  });

  test('when deliveries are held and released in reverse, then the cancel arrives before the authorization', async () => {
    await start();
    emulator.webhooks.setModes({ hold: true });
    await authorizeAndCancel('order-webhook-reverse');

    await emulator.webhooks.idle();
    const heldBack = receiver.received.length;
    const released = emulator.webhooks.release('reverse');
    await emulator.webhooks.idle();

    expect(heldBack).toBe(0);
    expect(released).toBe(2);
    expect(receiver.received.map((webhook) => verified(webhook).type)).toEqual([
      'payment_intent.canceled',
      'payment_intent.amount_capturable_updated',
    ]);
  });

  test('when an endpoint is created through the API at run time, then its events are signed with the secret it was given', async () => {
    await start();
    const other = await startWebhookReceiver();
    try {
      const endpoint = await emulator.createClient().webhookEndpoints.create({
        url: other.url,
        enabled_events: ['payment_intent.canceled'],
      });
      await authorizeAndCancel('order-webhook-runtime');

      await emulator.webhooks.idle();
      const events = other.received.map((webhook) =>
        verifyWebhook(webhook.rawBody, webhook.signature, endpoint.secret ?? ''),
      );

      expect(endpoint.secret).toMatch(/^whsec_/);
      expect(events).toEqual([
        expect.objectContaining({
          handled: true,
          event: expect.objectContaining({ type: 'payment_intent.canceled' }) as unknown,
        }),
      ]);
    } finally {
      await other.close();
    }
  });

  test('when the modes are switched over HTTP, then deliveries are held until released over HTTP', async () => {
    await start();
    const control = (path: string, body: unknown) =>
      fetch(`${emulator.url}/_emulator/webhooks/${path}`, {
        method: 'POST',
        body: JSON.stringify(body),
      });

    await control('modes', { hold: true });
    await authorizeAndCancel('order-webhook-http');
    const state = (await (await fetch(`${emulator.url}/_emulator/webhooks`)).json()) as {
      held: number;
    };
    const release = await control('release', { order: 'sent' });
    await emulator.webhooks.idle();

    expect(state.held).toBe(2);
    expect(await release.json()).toEqual({ released: 2 });
    expect(receiver.received).toHaveLength(2);
  });
});

describe('webhook verification', () => {
  const payload = JSON.stringify({
    id: 'evt_forged',
    object: 'event',
    type: 'payment_intent.succeeded',
    created: 1_700_000_000,
    livemode: false,
    data: {
      object: {
        id: 'pi_forged',
        object: 'payment_intent',
        status: 'succeeded',
        amount: 100,
        amount_capturable: 0,
        amount_received: 100,
        currency: 'eur',
      },
    },
  });

  test('when a payload is signed with another secret, then verifyWebhook refuses it with a typed error', () => {
    const forged = signWebhookPayload(payload, 'whsec_attacker');

    const verify = () => verifyWebhook(payload, forged, SECRET);

    expect(verify).toThrow(WebhookVerificationError);
  });

  test('when a signed payload is altered, then verifyWebhook refuses it and the error is classified as a signature failure', () => {
    const header = signWebhookPayload(payload, SECRET);
    const altered = payload.replace('"amount":100', '"amount":1');

    let error: unknown;
    try {
      verifyWebhook(altered, header, SECRET);
    } catch (caught: unknown) {
      error = caught;
    }

    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(classifyStripeError(error)).toMatchObject({
      type: 'PAYMENT.WEBHOOK_SIGNATURE',
      retryable: false,
    });
  });

  test('when the signature header is missing or too old, then verifyWebhook refuses it', () => {
    const stale = signWebhookPayload(payload, SECRET, Math.floor(Date.now() / 1000) - 3600);

    expect(() => verifyWebhook(payload, undefined, SECRET)).toThrow(
      /Stripe-Signature header is missing/,
    );
    expect(() => verifyWebhook(payload, stale, SECRET)).toThrow(WebhookVerificationError);
  });

  test('when a correctly signed event is of a type we do not act on, then it is reported as unhandled, not refused', () => {
    const other = JSON.stringify({
      id: 'evt_other',
      object: 'event',
      type: 'customer.created',
      data: { object: {} },
    });

    const result = verifyWebhook(other, signWebhookPayload(other, SECRET), SECRET);

    expect(result).toEqual({ handled: false, id: 'evt_other', type: 'customer.created' });
  });
});
