import { ledgerEngines, uniqueId, useTestLedger } from './engines';
import { ledgerFailure, planSubscription, userFeatures } from './fixtures';

describe.each(ledgerEngines())("an order's grant step in one transaction, on %s", (engine) => {
  const opened = useTestLedger(engine);

  /** A plan order of `tenantId` as checkout records it, before its workflow runs. */
  async function recordPlacedOrder(tenantId: string) {
    const subscriptionId = uniqueId('sub');
    const orderId = `order-of-${subscriptionId}`;
    await opened().ledger.recordOrder({
      orderId,
      tenantId,
      kind: 'plan',
      productKey: 'sales-premium',
      amount: 9900,
      currency: 'EUR',
      subscriptionId,
      request: { plan: 'sales-premium', seats: 3 },
    });
    const subscription = planSubscription(subscriptionId, tenantId, 'sales-premium', 3);
    return { orderId, subscription };
  }

  /** A placed order and the grant step's input for it. */
  async function placedOrder(users = ['alice', 'bob']) {
    const tenantId = uniqueId('tenant');
    const { orderId, subscription } = await recordPlacedOrder(tenantId);
    return {
      tenantId,
      subscription,
      input: {
        orderId,
        tenantId,
        subscription,
        seats: { plan: 'sales-premium', userIds: users },
        grants: userFeatures(users, ['quotes', 'forecasts']),
        paymentIntentId: `pi_${subscription.id}`,
      },
    };
  }

  const eventTypes = async (orderId: string) =>
    (await opened().ledger.pendingEvents(10_000))
      .filter((event) => event.orderId === orderId)
      .map((event) => event.type)
      .sort();

  it('when it runs, then the order is granting, the subscription pending, the users seated and granted, each with its events, and nothing counts until paid', async () => {
    const { ledger } = opened();
    const { tenantId, subscription, input } = await placedOrder();

    expect(await ledger.grantOrder(input)).toEqual({
      inserted: 4,
      alreadyPresent: 0,
      orderRevoked: false,
    });

    const order = await ledger.getOrder(input.orderId);
    expect(order).toMatchObject({ state: 'granting', paymentIntentId: input.paymentIntentId });
    expect(await ledger.getSubscription(subscription.id)).toMatchObject({ status: 'pending' });
    expect(await ledger.seatedUsers(subscription.id)).toEqual(['alice', 'bob']);
    expect(await eventTypes(input.orderId)).toEqual([
      'license.granted',
      'license.granted',
      'license.granted',
      'license.granted',
      'seat.assigned',
      'seat.assigned',
      'subscription.recorded',
    ]);
    expect((await ledger.userEntitlements(tenantId, 'alice')).features).toEqual([]);

    // The record step pays it and mirrors the order completed in its one transaction.
    await ledger.recordSubscription(
      { ...subscription, status: 'active', paymentIntentId: input.paymentIntentId },
      {
        paidPeriod: { amount: 9900, currency: 'eur', paidBy: input.orderId },
        orderState: { orderId: input.orderId, state: 'completed', status: { state: 'completed' } },
      },
    );
    const features = (await ledger.userEntitlements(tenantId, 'alice')).features;
    expect(features.map((f) => f.feature).sort()).toEqual(['forecasts', 'quotes']);
    expect(await ledger.getOrder(input.orderId)).toMatchObject({
      state: 'completed',
      status: { state: 'completed' },
    });
  });

  it('when it runs, then its events are in the order of what they report: the subscription, the seats, then the grants', async () => {
    const { ledger } = opened();
    const { input } = await placedOrder();

    await ledger.grantOrder(input);

    // Seating and granting run at once; their events still come out in this order.
    const events = (await ledger.pendingEvents(10_000)).filter(
      (event) => event.orderId === input.orderId,
    );
    expect(events.map((event) => event.type)).toEqual([
      'subscription.recorded',
      'seat.assigned',
      'seat.assigned',
      'license.granted',
      'license.granted',
      'license.granted',
      'license.granted',
    ]);
  });

  it('when it runs again (a retried activity), then it writes nothing twice', async () => {
    const { ledger } = opened();
    const { input } = await placedOrder();
    await ledger.grantOrder(input);
    const events = await eventTypes(input.orderId);

    expect(await ledger.grantOrder(input)).toEqual({
      inserted: 0,
      alreadyPresent: 4,
      orderRevoked: false,
    });
    expect(await eventTypes(input.orderId)).toEqual(events);
  });

  it('when a seat is refused, then nothing of the step is written: no pending subscription, no grant, the order as it was', async () => {
    const { ledger } = opened();
    const first = await placedOrder(['alice']);
    await ledger.grantOrder(first.input);
    // Another order of the same tenant names alice, who holds the plan through the first.
    const { orderId, subscription } = await recordPlacedOrder(first.tenantId);

    const failure = await ledgerFailure(
      ledger.grantOrder({
        orderId,
        tenantId: first.tenantId,
        subscription,
        seats: { plan: 'sales-premium', userIds: ['carol', 'alice'] },
        grants: userFeatures(['carol', 'alice'], ['quotes']),
        paymentIntentId: 'pi_refused',
      }),
    );

    expect(failure).toEqual({ code: 'LEDGER.PLAN_ALREADY_ASSIGNED', field: 'userIds' });
    expect(await ledger.getSubscription(subscription.id)).toBeNull();
    expect(await eventTypes(orderId)).toEqual([]);
    expect(await ledger.getOrder(orderId)).toMatchObject({
      state: 'received',
      paymentIntentId: null,
    });
  });

  it('when its input is bad, then it says which field and writes nothing', async () => {
    const { ledger } = opened();
    const { input, subscription } = await placedOrder();
    const failure = await ledgerFailure(
      ledger.grantOrder({
        ...input,
        seats: { plan: 'sales-premium', userIds: ['alice', 'alice'] },
      }),
    );
    expect(failure.code).toBe('LEDGER.INVALID_INPUT');
    expect(failure.field).toBe('userIds');
    expect(await ledger.getSubscription(subscription.id)).toBeNull();
  });
});
