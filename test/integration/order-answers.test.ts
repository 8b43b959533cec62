import {
  addonOrder,
  CHECKOUT_KEY,
  OPS_KEY,
  planOrder,
  READ_KEY,
  startOrderStack,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';
import type { OrderStatus } from '../../workflows/order-types';

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

const read = (orderId: string, key: string) =>
  stack.http.call<OrderStatus>('GET', `/v1/orders/${orderId}`, key);

describe('what an order answer shows to whom', () => {
  test('the 3-D Secure client secret goes to the checkout call only, never to a later read', async () => {
    const order = planOrder({ paymentMethod: 'pm_card_authenticationRequired' });
    const placed = await stack.http.placeOrder<{ clientSecret?: string }>(order);
    expect(placed.status).toBe(201);
    const secret = placed.body.clientSecret!;
    expect(secret).toMatch(/^pi_.+_secret_/);
    await waitForOrder(stack, order.orderId, (s) => s.payment !== undefined);

    for (const key of [READ_KEY, CHECKOUT_KEY, OPS_KEY]) {
      const answer = await read(order.orderId, key);

      expect(answer.status).toBe(200);
      expect(answer.body.payment?.paymentIntentId).toMatch(/^pi_/);
      expect(JSON.stringify(answer.body)).not.toContain(secret);
      expect(JSON.stringify(answer.body)).not.toContain('clientSecret');
    }
    // A repeated checkout is the checkout call: it still gets what it needs.
    const again = await stack.http.placeOrder<{ clientSecret?: string }>(order);
    expect(again.body.clientSecret).toBe(secret);
  });

  test('an order error shows its text to ops only; other keys get the step and a stable code', async () => {
    stack.simulators!.cep.faults.outage(503);
    try {
      const order = addonOrder('cep');
      expect((await stack.http.placeOrder(order)).status).toBe(201);
      const parked = await waitForOrder(stack, order.orderId, (s) => s.state === 'needs-attention');
      expect(parked.attention!.error.message).toMatch(/503/);

      for (const key of [READ_KEY, CHECKOUT_KEY]) {
        const answer = await read(order.orderId, key);

        expect(answer.body.attention?.error).toEqual({
          step: 'provision',
          type: 'PROVISIONING.UNAVAILABLE',
        });
        expect(JSON.stringify(answer.body)).not.toMatch(/503|injected|portals/);
      }
      const aborted = await stack.http.ops('abort', order.orderId);
      expect(aborted.status).toBe(200);
    } finally {
      stack.simulators!.cep.faults.clear();
    }
  });
});
