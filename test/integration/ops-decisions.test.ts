import { grantsForAddon, getCatalog } from '../../src/catalog';
import {
  addonOrder,
  CHECKOUT_KEY,
  heldLicenses,
  isFinal,
  OPS_KEY,
  OPS_KEY_NAME,
  planOrder,
  READ_KEY,
  startOrderStack,
  uniqueId,
  waitForOrder,
  waitForVisibility,
  type HttpResponse,
  type OrderStack,
} from './support/order-stack';
import type { OrderStatus } from '../../workflows/order-types';

interface ErrorBody {
  error: { code: string; message: string; fields?: { path: string; message: string }[] };
}

/** The error of a refused call; the helpers type every ops answer as an order. */
const errorOf = (response: HttpResponse<unknown>) => (response.body as ErrorBody).error;

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

afterEach(() => {
  stack.simulators!.calendarSync.faults.clear();
});

const needsAttention = (s: OrderStatus) => s.state === 'needs-attention';

describe('when provisioning keeps failing', () => {
  test('then the order parks for ops with the failing step, and a retry after the outage completes it once', async () => {
    const calendarSync = stack.simulators!.calendarSync;
    calendarSync.faults.outage(503);
    const order = addonOrder('calendar-sync');
    expect((await stack.http.placeOrder(order)).status).toBe(201);

    const parked = await waitForOrder(stack, order.orderId, needsAttention);
    expect(parked.attention).toMatchObject({
      phase: 'forward',
      step: 'provision',
      error: { step: 'provision', type: 'PROVISIONING.UNAVAILABLE' },
    });
    expect(parked.attention!.error.message).toMatch(/503|unavailable/i);
    expect(Date.parse(parked.attention!.deadline)).toBeGreaterThan(Date.now());
    // Parked before the money moves: held, not captured, and nothing half-provisioned.
    expect(parked.stepsDone).toEqual(['validate', 'price', 'authorize', 'grant']);
    expect(stack.stripe!.stats.forIntent(parked.payment!.paymentIntentId).captures).toBe(0);
    expect(calendarSync.resources()).toEqual([]);

    // Ops finds it through the search attribute, and through the API that reads it.
    const visible = await waitForVisibility(
      stack,
      `NeedsAttention = true AND TenantId = '${order.tenantId}'`,
      (executions) => executions.length > 0,
    );
    expect(visible.map((e) => e.workflowId)).toEqual([`order-${order.orderId}`]);
    const listed = await stack.http.call<{ orders: object[] }>(
      'GET',
      `/v1/ops/orders?tenantId=${order.tenantId}`,
      OPS_KEY,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.orders).toHaveLength(1);
    expect(listed.body.orders[0]).toMatchObject({
      orderId: order.orderId,
      state: 'needs-attention',
      attention: {
        phase: 'forward',
        step: 'provision',
        error: { type: 'PROVISIONING.UNAVAILABLE' },
      },
    });

    calendarSync.faults.clear();
    const retried = await stack.http.ops('retry', order.orderId);
    expect(retried.status).toBe(200);

    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('completed');
    expect(done.attention).toBeUndefined();
    expect(done.decisions).toEqual([
      expect.objectContaining({
        action: 'retry',
        // The key's name, not the `by` the body claims.
        by: OPS_KEY_NAME,
        reason: 'test retry',
        step: 'provision',
      }),
    ]);
    expect(stack.stripe!.stats.forIntent(done.payment!.paymentIntentId).captures).toBe(1);
    expect(calendarSync.resources()).toEqual([
      expect.objectContaining({
        externalId: `calsync-sub-${order.orderId}`,
        tenantId: order.tenantId,
        provider: 'm365',
      }),
    ]);
    const expected = grantsForAddon(getCatalog(), 'calendar-sync', order.tenantId).map(
      (g) => `tenant:${g.feature}`,
    );
    expect(await heldLicenses(stack, order.tenantId)).toEqual(expected.sort());

    // Once completed it leaves the ops list.
    await waitForVisibility(
      stack,
      `NeedsAttention = true AND TenantId = '${order.tenantId}'`,
      (executions) => executions.length === 0,
    );
    const after = await stack.http.call<{ orders: unknown[] }>(
      'GET',
      `/v1/ops/orders?tenantId=${order.tenantId}`,
      OPS_KEY,
    );
    expect(after.body.orders).toEqual([]);
  });
});

describe('ops decisions that do not fit the order', () => {
  test('when the order does not need attention, then retry and abort are refused with 409 and change nothing', async () => {
    const order = planOrder();
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('completed');

    for (const action of ['retry', 'abort'] as const) {
      const refused = await stack.http.ops(action, order.orderId);
      expect(refused.status).toBe(409);
      expect(errorOf(refused).code).toBe('ORDER.DECISION_REJECTED');
    }
    const after = await stack.http.order(order.orderId);
    expect(after.body).toMatchObject({ state: 'completed', decisions: [] });
    expect(stack.stripe!.stats.forIntent(done.payment!.paymentIntentId)).toMatchObject({
      captures: 1,
      cancels: 0,
      refunds: 0,
    });
  });

  test('when the order is waiting for 3-D Secure, then retry is refused with 409 while abort cancels it', async () => {
    const order = planOrder({ paymentMethod: 'pm_card_authenticationRequired' });
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const waiting = await waitForOrder(stack, order.orderId, (s) => s.payment !== undefined);
    expect(waiting.state).toBe('awaiting-authentication');

    const refused = await stack.http.ops('retry', order.orderId);
    expect(refused.status).toBe(409);
    expect(errorOf(refused).code).toBe('ORDER.DECISION_REJECTED');
    expect(errorOf(refused).message).toMatch(/does not need attention/);

    expect((await stack.http.ops('abort', order.orderId)).status).toBe(200);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('compensated');
    expect(done.decisions).toEqual([
      expect.objectContaining({ action: 'abort', step: 'authorize' }),
    ]);
    expect(stack.stripe!.stats.forIntent(waiting.payment!.paymentIntentId).captures).toBe(0);
  });

  test('when the order does not exist, then a decision is answered 404', async () => {
    const orderId = uniqueId('missing');
    for (const action of ['retry', 'abort'] as const) {
      const missing = await stack.http.ops(action, orderId);
      expect(missing.status).toBe(404);
      expect(errorOf(missing).code).toBe('ORDER.NOT_FOUND');
    }
    expect((await stack.http.order(orderId)).status).toBe(404);
  });

  test('when the reason is too long, then the decision is refused with 400 naming "reason"', async () => {
    const tooLong = await stack.http.call<ErrorBody>(
      'POST',
      `/v1/ops/orders/${uniqueId('order')}/retry`,
      OPS_KEY,
      { reason: 'x'.repeat(1001) },
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.fields?.map((f) => f.path)).toEqual(['reason']);
  });

  test.each([
    ['checkout', CHECKOUT_KEY],
    ['read', READ_KEY],
  ])('when a %s key calls the ops routes, then it is refused with 403', async (_role, key) => {
    const orderId = uniqueId('order');
    const calls = [
      stack.http.call<ErrorBody>('GET', '/v1/ops/orders', key),
      stack.http.call<ErrorBody>('POST', `/v1/ops/orders/${orderId}/retry`, key, { by: 'x' }),
      stack.http.call<ErrorBody>('POST', `/v1/ops/orders/${orderId}/abort`, key, { by: 'x' }),
    ];
    for (const response of await Promise.all(calls)) {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
    }
  });
});
