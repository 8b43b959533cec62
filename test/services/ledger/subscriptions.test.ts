import { FEBRUARY, JANUARY, addonSubscription, ledgerFailure, planSubscription } from './fixtures';
import { ledgerEngines, uniqueId, useTestLedger } from './engines';

describe.each(ledgerEngines())('subscriptions on %s', (engine) => {
  const opened = useTestLedger(engine);

  async function eventsOf(subscriptionId: string) {
    const events = await opened().ledger.pendingEvents(10_000);
    return events.filter(
      (event) =>
        (event.payload.subscription as { id?: string } | undefined)?.id === subscriptionId ||
        event.payload.subscriptionId === subscriptionId,
    );
  }

  it('when a subscription is recorded, then it reads back with ISO times and one recorded event', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const id = uniqueId('sub');

    const result = await ledger.recordSubscription(
      planSubscription(id, tenant, 'sales-premium', 5, { stripeCustomerId: 'cus_1', ...JANUARY }),
    );

    expect(result.outcome).toBe('created');
    expect(await ledger.getSubscription(id)).toEqual(
      expect.objectContaining({
        id,
        tenantId: tenant,
        kind: 'plan',
        productKey: 'sales-premium',
        seats: 5,
        status: 'active',
        currentPeriodStart: JANUARY.currentPeriodStart,
        currentPeriodEnd: JANUARY.currentPeriodEnd,
        stripeCustomerId: 'cus_1',
        orderId: `order-of-${id}`,
        revision: 1,
      }),
    );
    const events = await eventsOf(id);
    expect(events.map((event) => [event.type, event.orderId])).toEqual([
      ['subscription.recorded', `order-of-${id}`],
    ]);
  });

  it('when the same subscription is recorded many times at once, then one row, one revision and one event', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const id = uniqueId('sub');
    const sub = addonSubscription(id, tenant, 'calendar-sync', {
      settings: { provider: 'google' },
    });

    const results = await Promise.all(
      Array.from({ length: 10 }, () => ledger.recordSubscription(sub)),
    );

    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'unchanged')).toHaveLength(9);
    expect(await ledger.listSubscriptions(tenant)).toEqual([
      expect.objectContaining({ id, revision: 1, settings: { provider: 'google' } }),
    ]);
    expect(await eventsOf(id)).toHaveLength(1);
  });

  it('when a renewal records the next period, then the row is updated, keeps its creating order and reports it', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const id = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(id, tenant, 'service-essentials', 3, JANUARY));

    const renewed = await ledger.recordSubscription(
      planSubscription(id, tenant, 'service-essentials', 3, { ...FEBRUARY, orderId: 'renewal-1' }),
    );

    expect(renewed.outcome).toBe('updated');
    expect(renewed.subscription).toEqual(
      expect.objectContaining({ revision: 2, orderId: `order-of-${id}`, ...FEBRUARY }),
    );
    const events = await eventsOf(id);
    expect(events.map((event) => event.orderId)).toEqual([`order-of-${id}`, 'renewal-1']);
  });

  it('when a late retry records an earlier period than the stored one, then nothing is written', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const id = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(id, tenant, 'sales-premium', 2, FEBRUARY));

    const late = await ledger.recordSubscription(
      planSubscription(id, tenant, 'sales-premium', 9, JANUARY),
    );

    expect(late.outcome).toBe('stale');
    expect(await ledger.getSubscription(id)).toEqual(
      expect.objectContaining({ seats: 2, revision: 1, ...FEBRUARY }),
    );
  });

  it('when a subscription id is recorded for another tenant, then the ledger refuses naming tenantId', async () => {
    const { ledger } = opened();
    const id = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(id, uniqueId('tenant'), 'sales-premium', 2));

    const failure = await ledgerFailure(
      ledger.recordSubscription(planSubscription(id, uniqueId('tenant'), 'sales-premium', 2)),
    );

    expect(failure).toEqual({ code: 'LEDGER.SUBSCRIPTION_CONFLICT', field: 'tenantId' });
  });

  it('when a plan has no seats or an add-on has seats, then the input is refused naming seats', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');

    const planWithout = planSubscription(uniqueId('sub'), tenant, 'sales-premium', 1, {
      seats: null,
    });
    const addonWith = addonSubscription(uniqueId('sub'), tenant, 'cep', { seats: 3 });

    expect(await ledgerFailure(ledger.recordSubscription(planWithout))).toEqual({
      code: 'LEDGER.INVALID_INPUT',
      field: 'seats',
    });
    expect(await ledgerFailure(ledger.recordSubscription(addonWith))).toEqual({
      code: 'LEDGER.INVALID_INPUT',
      field: 'seats',
    });
    expect(await ledger.getSubscription(planWithout.id)).toBeNull();
  });

  it('when the period end is not after its start, then the input is refused naming currentPeriodEnd', async () => {
    const { ledger } = opened();
    const sub = planSubscription(uniqueId('sub'), uniqueId('tenant'), 'sales-premium', 1, {
      currentPeriodEnd: JANUARY.currentPeriodStart,
    });

    expect(await ledgerFailure(ledger.recordSubscription(sub))).toEqual({
      code: 'LEDGER.INVALID_INPUT',
      field: 'currentPeriodEnd',
    });
  });

  it('when the status changes, then it is stored with its reason and one event; the same status again is a no-op', async () => {
    const { ledger } = opened();
    const id = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(id, uniqueId('tenant'), 'sales-premium', 1));

    const first = await ledger.updateSubscriptionStatus(id, 'past_due', {
      orderId: 'renewal-2',
      reason: 'card declined',
    });
    const again = await ledger.updateSubscriptionStatus(id, 'past_due', { orderId: 'renewal-2' });

    expect(first.outcome).toBe('updated');
    expect(first.subscription).toEqual(
      expect.objectContaining({ status: 'past_due', statusReason: 'card declined', revision: 2 }),
    );
    expect(again.outcome).toBe('unchanged');
    const changes = (await eventsOf(id)).filter((e) => e.type === 'subscription.status_changed');
    expect(changes.map((e) => [e.payload.from, e.payload.to, e.orderId])).toEqual([
      ['active', 'past_due', 'renewal-2'],
    ]);
  });

  it('when a subscription has ended, then it cannot become active again', async () => {
    const { ledger } = opened();
    const id = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(id, uniqueId('tenant'), 'sales-premium', 1));
    await ledger.updateSubscriptionStatus(id, 'ended');

    expect(await ledgerFailure(ledger.updateSubscriptionStatus(id, 'active'))).toEqual({
      code: 'LEDGER.INVALID_TRANSITION',
      field: 'status',
    });
  });

  it('when an order step records an ended subscription again, then nothing is written and it stays ended', async () => {
    const { ledger } = opened();
    const id = uniqueId('sub');
    const sub = planSubscription(id, uniqueId('tenant'), 'sales-premium', 1);
    await ledger.recordSubscription(sub);
    await ledger.updateSubscriptionStatus(id, 'ended', { reason: 'order compensated' });

    const again = await ledger.recordSubscription({ ...sub, status: 'active', seats: 2 });

    expect(again.outcome).toBe('ended');
    expect(await ledger.getSubscription(id)).toMatchObject({ status: 'ended', seats: sub.seats });
  });

  it('when anything updates an ended subscription in the database, then the database refuses', async () => {
    const { ledger } = opened();
    const id = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(id, uniqueId('tenant'), 'sales-premium', 1));
    await ledger.updateSubscriptionStatus(id, 'ended');

    await expect(
      ledger.db.query(`UPDATE subscriptions SET status = 'active' WHERE id = $1`, [id]),
    ).rejects.toThrow(/has ended and cannot become active/);
  });

  it('when a subscription falls past due, is suspended and recovers, then the dunning clock follows', async () => {
    const { ledger } = opened();
    const id = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(id, uniqueId('tenant'), 'sales-premium', 1));

    const pastDue = (await ledger.updateSubscriptionStatus(id, 'past_due')).subscription;
    expect(pastDue.pastDueSince).not.toBeNull();
    const suspended = (await ledger.updateSubscriptionStatus(id, 'suspended')).subscription;
    expect(suspended).toMatchObject({ pastDueSince: pastDue.pastDueSince });
    expect(suspended.suspendedAt).not.toBeNull();
    const recovered = (await ledger.updateSubscriptionStatus(id, 'active')).subscription;
    expect(recovered).toMatchObject({ pastDueSince: null, suspendedAt: null, endedAt: null });
  });

  it('when the status of an unknown subscription changes, then the ledger says it is not found', async () => {
    const { ledger } = opened();

    expect(await ledgerFailure(ledger.updateSubscriptionStatus('nope', 'ended'))).toEqual({
      code: 'LEDGER.SUBSCRIPTION_NOT_FOUND',
      field: 'id',
    });
  });

  it('when listing a tenant, then only its subscriptions are returned, oldest first', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const first = uniqueId('sub');
    const second = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(first, tenant, 'sales-premium', 1));
    await ledger.recordSubscription(addonSubscription(second, tenant, 'cep'));
    await ledger.recordSubscription(planSubscription(uniqueId('sub'), uniqueId('tenant'), 'x', 1));

    const listed = await ledger.listSubscriptions(tenant);

    expect(listed.map((sub) => sub.id)).toEqual([first, second]);
  });
});
