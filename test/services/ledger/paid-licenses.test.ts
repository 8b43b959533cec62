import { createLedger } from '../../../src/ledger';
import { ledgerEngines, uniqueId, useTestLedger } from './engines';
import { ledgerFailure, planSubscription, userFeatures } from './fixtures';

const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
/** A period around now: started yesterday, ends in a month. */
const current = () => ({
  currentPeriodStart: iso(Date.now() - DAY),
  currentPeriodEnd: iso(Date.now() + 30 * DAY),
});

describe.each(ledgerEngines())('licenses count only once paid, on %s', (engine) => {
  const opened = useTestLedger(engine);

  async function grantedPlan(status: 'pending' | 'active', period = current()) {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const id = uniqueId('sub');
    await ledger.recordSubscription(
      planSubscription(id, tenant, 'sales-premium', 2, { status, ...period }),
    );
    await ledger.applyGrants({
      orderId: `order-of-${id}`,
      tenantId: tenant,
      subscriptionId: id,
      productKey: 'sales-premium',
      grants: userFeatures(['alice'], ['quotes']),
    });
    return { tenant, id };
  }

  const featuresOf = async (tenant: string) =>
    (await opened().ledger.userEntitlements(tenant, 'alice')).features.map((f) => f.feature);

  it('when a subscription is granted but not paid (pending), then its grants do not count', async () => {
    const { tenant } = await grantedPlan('pending');
    expect(await featuresOf(tenant)).toEqual([]);
    expect((await opened().ledger.tenantEntitlements(tenant)).users).toEqual([]);
  });

  it('when a grant has no subscription recorded, then it does not count', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    await ledger.ensureTenant(tenant);
    await ledger.applyGrants({
      orderId: 'order-orphan',
      tenantId: tenant,
      subscriptionId: uniqueId('sub-never-recorded'),
      productKey: 'sales-premium',
      grants: userFeatures(['alice'], ['quotes']),
    });
    expect(await featuresOf(tenant)).toEqual([]);
    expect((await ledger.tenantEntitlements(tenant)).users).toEqual([]);
  });

  it('when the record step pays it, then it becomes active, its first period is recorded once, and its grants count', async () => {
    const { ledger } = opened();
    const { tenant, id } = await grantedPlan('pending');
    const subscription = planSubscription(id, tenant, 'sales-premium', 2, {
      ...(await ledger.getSubscription(id)),
      status: 'active',
      paymentIntentId: 'pi_paid',
    });
    const paidPeriod = { amount: 5000, currency: 'eur', paidBy: `order-of-${id}` };
    await ledger.recordSubscription(subscription, { paidPeriod });
    await ledger.recordSubscription(subscription, { paidPeriod });

    expect((await ledger.getSubscription(id))?.status).toBe('active');
    expect(await featuresOf(tenant)).toEqual(['quotes']);
    const periods = await ledger.db.query<{ amount: unknown; paid_by: string }>(
      'SELECT amount, paid_by, payment_intent_id FROM subscription_periods WHERE subscription_id = $1',
      [id],
    );
    expect(periods).toEqual([
      expect.objectContaining({ paid_by: `order-of-${id}`, payment_intent_id: 'pi_paid' }),
    ]);
    expect(Number(periods[0].amount)).toBe(5000);
  });

  const periodsOf = (id: string) =>
    opened().db.query<{ period_start: unknown; paid_by: string }>(
      'SELECT period_start, paid_by FROM subscription_periods WHERE subscription_id = $1',
      [id],
    );
  const eventTypesOf = async (tenant: string) =>
    (await opened().ledger.pendingEvents(10_000))
      .filter((event) => event.tenantId === tenant)
      .map((event) => event.type);

  it('when the record step finds no subscription, then it records one with its paid period, the subscription first in the outbox', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const id = uniqueId('sub');
    const paidPeriod = { amount: 5000, currency: 'eur', paidBy: `order-of-${id}` };

    const result = await ledger.recordSubscription(
      planSubscription(id, tenant, 'sales-premium', 2, { status: 'active' }),
      { paidPeriod },
    );

    expect(result.outcome).toBe('created');
    expect(await periodsOf(id)).toEqual([expect.objectContaining({ paid_by: `order-of-${id}` })]);
    expect(await eventTypesOf(tenant)).toEqual([
      'subscription.recorded',
      'subscription.period_paid',
    ]);
  });

  it('when the record step comes for a subscription that has ended (its order undone), then it records no period and the subscription stays ended', async () => {
    const { ledger } = opened();
    const { tenant, id } = await grantedPlan('pending');
    await ledger.updateSubscriptionStatus(id, 'ended', { reason: 'order compensated' });

    const result = await ledger.recordSubscription(
      planSubscription(id, tenant, 'sales-premium', 2, {
        ...(await ledger.getSubscription(id)),
        status: 'active',
      }),
      { paidPeriod: { amount: 5000, currency: 'eur', paidBy: `order-of-${id}` } },
    );

    expect(result.outcome).toBe('ended');
    expect((await ledger.getSubscription(id))?.status).toBe('ended');
    expect(await periodsOf(id)).toEqual([]);
    expect(await eventTypesOf(tenant)).not.toContain('subscription.period_paid');
  });

  it('when the record step is older than the period the subscription is in, then it changes nothing and records no period', async () => {
    const { ledger } = opened();
    const { tenant, id } = await grantedPlan('active');
    const before = await ledger.getSubscription(id);
    const earlier = {
      currentPeriodStart: iso(Date.now() - 40 * DAY),
      currentPeriodEnd: iso(Date.now() - 10 * DAY),
    };

    const result = await ledger.recordSubscription(
      planSubscription(id, tenant, 'sales-premium', 5, { status: 'active', ...earlier }),
      { paidPeriod: { amount: 5000, currency: 'eur', paidBy: `order-of-${id}` } },
    );

    expect(result.outcome).toBe('stale');
    expect(await ledger.getSubscription(id)).toEqual(before);
    expect(await periodsOf(id)).toEqual([]);
  });

  it('when the record step would leave fewer seats than are assigned, then it is refused naming seats and records neither the change nor a period', async () => {
    const { ledger } = opened();
    const { tenant, id } = await grantedPlan('active');
    await ledger.assignSeats({
      subscriptionId: id,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['alice', 'bob'],
      orderId: `order-of-${id}`,
    });
    const before = await ledger.getSubscription(id);

    const refused = await ledgerFailure(
      ledger.recordSubscription(
        planSubscription(id, tenant, 'sales-premium', 1, { ...before, seats: 1, status: 'active' }),
        { paidPeriod: { amount: 5000, currency: 'eur', paidBy: `order-of-${id}` } },
      ),
    );

    expect(refused).toMatchObject({ field: 'seats' });
    expect(await ledger.getSubscription(id)).toEqual(before);
    expect(await periodsOf(id)).toEqual([]);
  });

  it('when an active period ended longer ago than the grace, then its grants stop counting', async () => {
    const lapsed = {
      currentPeriodStart: iso(Date.now() - 40 * DAY),
      currentPeriodEnd: iso(Date.now() - 10 * DAY),
    };
    const { tenant } = await grantedPlan('active', lapsed);
    expect(await featuresOf(tenant)).toEqual([]);
    // With a longer grace configured, the same rows still count.
    const lenient = createLedger(opened().db, { graceMs: 15 * DAY });
    expect(
      (await lenient.userEntitlements(tenant, 'alice')).features.map((f) => f.feature),
    ).toEqual(['quotes']);
  });

  it('when an active period ended within the grace, then its grants still count', async () => {
    const { tenant } = await grantedPlan('active', {
      currentPeriodStart: iso(Date.now() - 32 * DAY),
      currentPeriodEnd: iso(Date.now() - 2 * DAY),
    });
    expect(await featuresOf(tenant)).toEqual(['quotes']);
  });
});

describe.each(ledgerEngines())('orders in the ledger, on %s', (engine) => {
  const opened = useTestLedger(engine);

  const order = (orderId: string, tenantId: string, request: Record<string, unknown>) => ({
    orderId,
    tenantId,
    kind: 'plan' as const,
    productKey: 'sales-premium',
    amount: 5000,
    currency: 'eur',
    subscriptionId: `sub-${orderId}`,
    request,
  });

  it('when the same order is recorded twice with the same request, then it is the same order', async () => {
    const { ledger } = opened();
    const id = uniqueId('order');
    const tenant = uniqueId('tenant');
    const first = await ledger.recordOrder(order(id, tenant, { seats: 2, assignTo: ['a', 'b'] }));
    const again = await ledger.recordOrder(order(id, tenant, { assignTo: ['a', 'b'], seats: 2 }));
    expect(first.outcome).toBe('created');
    expect(again.outcome).toBe('existing');
    expect(again.order.fingerprint).toBe(first.order.fingerprint);
    expect(again.order.state).toBe('received');
  });

  it('when an order would seat a user who holds the plan through another subscription, then it is refused naming assignTo and nothing is written', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const held = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(held, tenant, 'sales-premium', 2, current()));
    await ledger.assignSeats({
      subscriptionId: held,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['alice'],
      orderId: `order-of-${held}`,
    });
    const id = uniqueId('order');
    const failure: unknown = await ledger
      .recordOrder({
        ...order(id, tenant, { assignTo: ['alice', 'bob'] }),
        assigns: { plan: 'sales-premium', userIds: ['bob', 'alice'] },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(failure).toMatchObject({ code: 'LEDGER.PLAN_ALREADY_ASSIGNED', field: 'assignTo' });
    if (!(failure instanceof Error)) throw new Error('expected a refusal');
    expect(failure.message).toMatch(/already hold sales-premium: alice$/);
    expect(await ledger.getOrder(id)).toBeNull();

    // Another plan, or the order's own subscription (its checkout placed again), holds nothing back.
    const other = await ledger.recordOrder({
      ...order(id, tenant, { assignTo: ['alice'] }),
      productKey: 'service-essentials',
      assigns: { plan: 'service-essentials', userIds: ['alice'] },
    });
    expect(other.outcome).toBe('created');
    const own = uniqueId('order');
    const placedAgain = await ledger.recordOrder({
      ...order(own, tenant, { assignTo: ['alice'] }),
      subscriptionId: held,
      assigns: { plan: 'sales-premium', userIds: ['alice'] },
    });
    expect(placedAgain.outcome).toBe('created');
  });

  it('when the same order id comes with other values, then the conflict names the fields and not the stored values', async () => {
    const { ledger } = opened();
    const id = uniqueId('order');
    const tenant = uniqueId('tenant');
    await ledger.recordOrder(
      order(id, tenant, { tenantId: tenant, seats: 2, customer: { email: 'a@x.example' } }),
    );
    const error: unknown = await ledger
      .recordOrder(
        order(id, 'other', { tenantId: 'other', seats: 3, customer: { email: 'b@x.example' } }),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: 'LEDGER.ORDER_CONFLICT' });
    if (!(error instanceof Error)) throw new Error('expected a conflict');
    expect(error.message).toMatch(/customer\.email, seats, tenantId/);
    expect(error.message).not.toContain(tenant);
  });

  it('when a finished order is mirrored again with an earlier state, then it stays finished', async () => {
    const { ledger } = opened();
    const id = uniqueId('order');
    await ledger.recordOrder(order(id, uniqueId('tenant'), {}));
    await ledger.updateOrderState({
      orderId: id,
      state: 'completed',
      status: { state: 'completed' },
    });
    await ledger.updateOrderState({ orderId: id, state: 'granting', paymentIntentId: 'pi_1' });
    expect(await ledger.getOrder(id)).toMatchObject({
      state: 'completed',
      status: { state: 'completed' },
      paymentIntentId: null,
    });
  });

  it('when a tenant has a Stripe customer, then a second one never replaces it', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    expect(await ledger.getStripeCustomer(tenant)).toBeNull();
    expect(await ledger.keepStripeCustomer(tenant, 'cus_first')).toBe('cus_first');
    expect(await ledger.keepStripeCustomer(tenant, 'cus_second')).toBe('cus_first');
    expect(await ledger.getStripeCustomer(tenant)).toBe('cus_first');
  });

  it('when an order request is not valid, then nothing is written and the field is named', async () => {
    const { ledger } = opened();
    expect(await ledgerFailure(ledger.recordOrder(order('bad id!', 't', {})))).toMatchObject({
      code: 'LEDGER.INVALID_INPUT',
      field: 'orderId',
    });
  });
});
