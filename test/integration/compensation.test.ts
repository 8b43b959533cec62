import type { OrderStatus } from '../../workflows/order-types';
import {
  addonOrder,
  heldLicenses,
  isFinal,
  OPS_KEY_NAME,
  planOrder,
  startOrderStack,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

const needsAttention = (s: OrderStatus) => s.state === 'needs-attention';

/**
 * Fails every capture until cleared: the capture is `POST /v1/payment_intents/:id/capture`,
 * while the authorization is `POST /v1/payment_intents` and stays unaffected.
 */
function failCaptures(stack: OrderStack): void {
  stack.stripe!.faults.add({
    type: 'error-before-write',
    method: 'POST',
    path: '/v1/payment_intents/',
    times: 100,
  });
}

/** Money, licenses and provisioned resources of a compensated order, as the user sees them. */
async function expectFullyUndone(stack: OrderStack, order: { orderId: string; tenantId: string }) {
  const status = (await stack.http.order(order.orderId)).body;
  expect(status.state).toBe('compensated');
  expect(status.compensationsDone).toContain('revoke-licenses');
  expect(status.compensationsDone).toContain('release-payment');

  const paymentIntentId = status.payment!.paymentIntentId;
  const intent = await stack.stripe!.createClient().paymentIntents.retrieve(paymentIntentId);
  expect(intent.status).toBe('canceled');
  expect(intent.amount_received).toBe(0);
  expect(stack.stripe!.stats.forIntent(paymentIntentId)).toMatchObject({
    authorizations: 1,
    captures: 0,
    cancels: 1,
    refunds: 0,
  });
  expect(status.payment).toMatchObject({ captured: false, refunded: false });

  expect(await heldLicenses(stack, order.tenantId)).toEqual([]);
  // Audit: every grant the order made is in the history, revoked by the same order.
  const history = await stack.services.ledger.grantHistory(order.tenantId);
  expect(history.entries.length).toBeGreaterThan(0);
  for (const entry of history.entries) {
    expect(entry).toMatchObject({
      grantedByOrderId: order.orderId,
      revokedByOrderId: order.orderId,
    });
    expect(entry.revokedAt).not.toBeNull();
  }
  const subscription = await stack.services.ledger.getSubscription(status.subscriptionId);
  expect(subscription?.status).toBe('ended');
  return status;
}

describe('when ops aborts an order that needs attention', () => {
  let stack: OrderStack;

  beforeAll(async () => {
    stack = await startOrderStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  afterEach(() => {
    stack.simulators!.cep.faults.clear();
    stack.stripe!.faults.clear();
  });

  test('when the CEP portal cannot be created, then the abort releases the authorization, revokes every grant and leaves no portal', async () => {
    const cep = stack.simulators!.cep;
    cep.faults.outage(503);
    const order = addonOrder('cep');
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const parked = await waitForOrder(stack, order.orderId, needsAttention);
    expect(parked.attention).toMatchObject({ phase: 'forward', step: 'provision' });
    // Granted but not paid: the grants are in the ledger and count for nothing yet.
    expect((await stack.services.ledger.grantHistory(order.tenantId)).entries).not.toEqual([]);
    expect(await heldLicenses(stack, order.tenantId)).toEqual([]);

    cep.faults.clear();
    const aborted = await stack.http.ops('abort', order.orderId);
    expect(aborted.status).toBe(200);

    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.compensationsDone).toEqual(['deprovision', 'revoke-licenses', 'release-payment']);
    expect(done.error).toMatchObject({ step: 'provision', type: 'ORDER.ABORTED' });
    expect(done.decisions).toEqual([
      expect.objectContaining({ action: 'abort', by: OPS_KEY_NAME, step: 'provision' }),
    ]);
    await expectFullyUndone(stack, order);
    expect(cep.resources().filter((p) => p.tenantId === order.tenantId)).toEqual([]);
  });

  test('when the portal service is still down, then the other undos finish, the deprovision parks, a second abort is refused, and a retry finishes the undo', async () => {
    const cep = stack.simulators!.cep;
    cep.faults.outage(503);
    const order = addonOrder('cep');
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    await waitForOrder(stack, order.orderId, needsAttention);

    expect((await stack.http.ops('abort', order.orderId)).status).toBe(200);
    // Undoing is never given up on: the failing compensation waits for ops in turn.
    const stuck = await waitForOrder(
      stack,
      order.orderId,
      (s) => s.state === 'needs-attention' && s.attention?.phase === 'compensation',
    );
    expect(stuck.attention).toMatchObject({ step: 'deprovision' });
    // One stuck undo does not keep the licenses granted or the card held meanwhile.
    expect(stuck.compensationsDone).toEqual(['revoke-licenses', 'release-payment']);

    const refused = await stack.http.ops('abort', order.orderId);
    expect(refused.status).toBe(409);

    cep.faults.clear();
    expect((await stack.http.ops('retry', order.orderId)).status).toBe(200);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.compensationsDone).toEqual(['revoke-licenses', 'release-payment', 'deprovision']);
    expect(done.decisions.map((d) => `${d.action}:${d.step}`)).toEqual([
      'abort:provision',
      'retry:deprovision',
    ]);
    await expectFullyUndone(stack, order);
    expect(cep.resources().filter((p) => p.tenantId === order.tenantId)).toEqual([]);
  });

  test('when a retried step fails again and ops then aborts, then each compensation runs once', async () => {
    const cep = stack.simulators!.cep;
    cep.faults.outage(503);
    const order = addonOrder('cep');
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    await waitForOrder(stack, order.orderId, needsAttention);

    expect((await stack.http.ops('retry', order.orderId)).status).toBe(200);
    await waitForOrder(stack, order.orderId, (s) => needsAttention(s) && s.decisions.length === 1);
    cep.faults.clear();
    const requestsBefore = cep.stats.requests;
    expect((await stack.http.ops('abort', order.orderId)).status).toBe(200);

    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.decisions.map((d) => `${d.action}:${d.step}`)).toEqual([
      'retry:provision',
      'abort:provision',
    ]);
    expect(done.compensationsDone).toEqual(['deprovision', 'revoke-licenses', 'release-payment']);
    // One DELETE of the portal: the only call to the portal service after the abort.
    expect(cep.stats.requests - requestsBefore).toBe(1);
    await expectFullyUndone(stack, order);
  });

  test('when the capture of a plan fails, then the abort releases the seats and the users lose the plan', async () => {
    failCaptures(stack);
    const order = planOrder({ seats: 3, assignTo: ['alice', 'bob'] });
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const parked = await waitForOrder(stack, order.orderId, needsAttention);
    expect(parked.attention).toMatchObject({ phase: 'forward', step: 'capture' });
    // The users are seated on the pending subscription, which counts once paid.
    const seated = await stack.services.ledger.db.query(
      'SELECT user_id FROM seat_assignments WHERE tenant_id = $1 AND released_at IS NULL',
      [order.tenantId],
    );
    expect(seated).toHaveLength(2);
    expect(await stack.services.ledger.seatUsage(order.tenantId)).toEqual([]);

    stack.stripe!.faults.clear();
    expect((await stack.http.ops('abort', order.orderId)).status).toBe(200);
    await waitForOrder(stack, order.orderId, isFinal);

    await expectFullyUndone(stack, order);
    const alice = await stack.services.ledger.userEntitlements(order.tenantId, 'alice');
    expect(alice).toMatchObject({ plans: [], features: [] });
    for (const usage of await stack.services.ledger.seatUsage(order.tenantId)) {
      expect(usage.assigned).toBe(0);
    }
  });
});

describe('when nobody decides before the attention deadline', () => {
  let stack: OrderStack;

  beforeAll(async () => {
    stack = await startOrderStack({ ORDER_ATTENTION_DEADLINE_MS: '3000' });
  });

  afterAll(async () => {
    await stack?.close();
  });

  test('when the capture keeps failing, then the order aborts by itself and undoes the connection, the grants and the hold', async () => {
    const calendarSync = stack.simulators!.calendarSync;
    failCaptures(stack);
    const order = addonOrder('calendar-sync');
    expect((await stack.http.placeOrder(order)).status).toBe(201);

    const parked = await waitForOrder(stack, order.orderId, needsAttention);
    expect(parked.attention).toMatchObject({ phase: 'forward', step: 'capture' });
    expect(Date.parse(parked.attention!.deadline) - Date.parse(parked.attention!.since)).toBe(3000);
    expect(parked.stepsDone).toContain('provision');
    const externalId = `calsync-sub-${order.orderId}`;
    expect(calendarSync.resources().map((c) => c.externalId)).toContain(externalId);
    // Stripe answers again; still no decision, so the deadline decides.
    stack.stripe!.faults.clear();

    const done = await waitForOrder(stack, order.orderId, isFinal, 15_000);
    expect(done.decisions).toEqual([
      expect.objectContaining({ action: 'abort', by: 'attention-deadline', step: 'capture' }),
    ]);
    expect(done.compensationsDone).toEqual(['deprovision', 'revoke-licenses', 'release-payment']);
    await expectFullyUndone(stack, order);
    expect(calendarSync.resources().map((c) => c.externalId)).not.toContain(externalId);
  });
});
