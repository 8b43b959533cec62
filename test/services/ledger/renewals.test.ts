import type { GrantsFor } from '../../../src/ledger';
import { CURRENT_PERIOD, addonSubscription, ledgerFailure, planSubscription } from './fixtures';
import { ledgerEngines, uniqueId, useTestLedger } from './engines';

/** Three periods in a row from now: licenses count only while a period has not lapsed. */
const DAY = 24 * 60 * 60 * 1000;
const after = (period: { currentPeriodEnd: string }) => ({
  currentPeriodStart: period.currentPeriodEnd,
  currentPeriodEnd: new Date(Date.parse(period.currentPeriodEnd) + 30 * DAY).toISOString(),
});
const PERIOD_1 = CURRENT_PERIOD;
const PERIOD_2 = after(PERIOD_1);
const PERIOD_3 = after(PERIOD_2);

/** A tiny stand-in for the catalog: what each plan implies per seated user. */
const FEATURES: Record<string, string[]> = {
  'sales-premium': ['contacts', 'quotes', 'forecasts'],
  'sales-essentials': ['contacts'],
  'service-premium': ['contacts', 'forecasts', 'tickets'],
};
const grantsFor: GrantsFor = (plan, users) =>
  users.flatMap((id) =>
    (FEATURES[plan] ?? []).map((feature) => ({
      subject: { type: 'user' as const, id },
      feature,
      kind: 'feature' as const,
    })),
  );

describe.each(ledgerEngines())('renewals on %s', (engine) => {
  const opened = useTestLedger(engine);

  async function seatedPlan(plan: string, users: string[], seats = users.length) {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const id = uniqueId('sub');
    await ledger.recordSubscription(
      planSubscription(id, tenant, plan, seats, { paymentMethodId: 'pm_card_visa' }),
    );
    await ledger.assignSeats({
      subscriptionId: id,
      tenantId: tenant,
      plan,
      userIds: users,
      orderId: `order-of-${id}`,
    });
    await ledger.applyGrants({
      orderId: `order-of-${id}`,
      tenantId: tenant,
      subscriptionId: id,
      productKey: plan,
      grants: grantsFor(plan, users),
    });
    return { tenant, id };
  }

  function paid(id: string, overrides: Record<string, unknown> = {}) {
    return {
      subscriptionId: id,
      renewedPeriodStart: PERIOD_1.currentPeriodStart,
      periodStart: PERIOD_2.currentPeriodStart,
      periodEnd: PERIOD_2.currentPeriodEnd,
      productKey: 'sales-premium',
      seats: 2,
      period: 'month' as const,
      catalogVersion: 1,
      amount: 9000,
      currency: 'EUR',
      paymentIntentId: 'pi_renewal',
      paidBy: `renewal-${id}`,
      ...overrides,
    };
  }

  async function features(tenant: string, user: string) {
    const held = await opened().ledger.userEntitlements(tenant, user);
    return held.features.map((f) => f.feature);
  }

  it('when subscriptions are due, then they come in (period end, id) pages as of the time given, in force only', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const asOf = '2031-01-01T00:00:00.000Z';
    const ids = ['a', 'b', 'c', 'd', 'e'].map((suffix) => `${uniqueId('due')}-${suffix}`);
    const periodEnd = '2031-01-01T00:00:00.000Z';
    for (const id of ids) {
      await ledger.recordSubscription(
        planSubscription(id, tenant, 'sales-premium', 1, {
          currentPeriodStart: '2030-12-01T00:00:00.000Z',
          currentPeriodEnd: periodEnd,
        }),
      );
    }
    // Not due yet, not in force: never listed.
    const later = uniqueId('due-later');
    await ledger.recordSubscription(
      planSubscription(later, tenant, 'sales-premium', 1, {
        currentPeriodStart: '2030-12-02T00:00:00.000Z',
        currentPeriodEnd: '2031-01-02T00:00:00.000Z',
      }),
    );
    await ledger.updateSubscriptionStatus(ids[4], 'suspended');
    await ledger.updateSubscriptionStatus(ids[3], 'past_due');

    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await ledger.dueSubscriptions({ asOf, after, limit: 2 });
      seen.push(...page.items.filter((item) => item.tenantId === tenant).map((item) => item.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(seen).toEqual(ids.slice(0, 4));
    const first = await ledger.dueSubscriptions({ asOf, limit: 10_000 });
    expect(first.items.find((item) => item.id === ids[0])).toEqual({
      id: ids[0],
      tenantId: tenant,
      currentPeriodStart: '2030-12-01T00:00:00.000Z',
      currentPeriodEnd: periodEnd,
    });

    await ledger.db.query(
      `UPDATE subscriptions SET pending_change = '{"kind":"cancel","changeId":"c-1"}'::jsonb WHERE id = $1`,
      [ids[1]],
    );
    const changes = await ledger.dueSubscriptions({ asOf, limit: 10_000, only: 'pending-change' });
    expect(changes.items.filter((item) => item.tenantId === tenant).map((i) => i.id)).toEqual([
      ids[1],
    ]);
  });

  it('when the due query names no time, then it is refused naming asOf', async () => {
    const failure = await ledgerFailure(
      opened().ledger.dueSubscriptions({ asOf: 'tomorrow', limit: 10 }),
    );
    expect(failure).toEqual({ code: 'LEDGER.INVALID_INPUT', field: 'asOf' });
  });

  it('when a renewal is paid, then one period row, the period advanced, active again with the dunning clock cleared, and events', async () => {
    const { ledger } = opened();
    const { tenant, id } = await seatedPlan('sales-premium', ['ann', 'bob']);
    await ledger.updateSubscriptionStatus(id, 'past_due', { reason: 'renewal declined' });
    expect((await ledger.getSubscription(id))?.pastDueSince).not.toBeNull();

    const results = await Promise.all([
      ledger.recordPaidPeriod(paid(id)),
      ledger.recordPaidPeriod(paid(id)),
    ]);

    expect(results.map((r) => r.outcome).sort()).toEqual(['already-recorded', 'recorded']);
    const sub = await ledger.getSubscription(id);
    expect(sub).toMatchObject({
      status: 'active',
      pastDueSince: null,
      currentPeriodStart: PERIOD_2.currentPeriodStart,
      currentPeriodEnd: PERIOD_2.currentPeriodEnd,
      paymentIntentId: 'pi_renewal',
      paymentMethodId: 'pm_card_visa',
    });
    const periods = await ledger.db.query(
      'SELECT amount, paid_by AS "paidBy" FROM subscription_periods WHERE subscription_id = $1',
      [id],
    );
    expect(periods.map((p) => [Number(p.amount), p.paidBy])).toEqual([[9000, `renewal-${id}`]]);
    const events = (await ledger.pendingEvents(10_000)).filter(
      (e) => e.tenantId === tenant && e.orderId === `renewal-${id}`,
    );
    expect(events.map((e) => e.type).sort()).toEqual([
      'subscription.period_paid',
      'subscription.recorded',
      'subscription.status_changed',
    ]);
    // Licenses never lapsed: the same grants count on.
    expect(await features(tenant, 'ann')).toEqual(['contacts', 'forecasts', 'quotes']);
  });

  it('when an active subscription is renewed, then it stays active and no status change is recorded', async () => {
    const { ledger } = opened();
    const { tenant, id } = await seatedPlan('sales-premium', ['ann']);
    const before = await ledger.getSubscription(id);

    expect((await ledger.recordPaidPeriod(paid(id))).outcome).toBe('recorded');

    expect(await ledger.getSubscription(id)).toMatchObject({
      status: 'active',
      statusReason: before?.statusReason,
      currentPeriodStart: PERIOD_2.currentPeriodStart,
    });
    const events = (await ledger.pendingEvents(10_000)).filter(
      (e) => e.tenantId === tenant && e.orderId === `renewal-${id}`,
    );
    expect(events.map((e) => e.type).sort()).toEqual([
      'subscription.period_paid',
      'subscription.recorded',
    ]);
  });

  it('when the subscription has ended, then its renewal is refused naming it and no period is written', async () => {
    const { ledger } = opened();
    const { id } = await seatedPlan('sales-premium', ['ann']);
    await ledger.updateSubscriptionStatus(id, 'ended', { reason: 'cancelled' });

    const failure = await ledgerFailure(ledger.recordPaidPeriod(paid(id)));

    expect(failure).toEqual({ code: 'LEDGER.INVALID_TRANSITION', field: 'subscriptionId' });
    const periods = await ledger.db.query(
      'SELECT 1 FROM subscription_periods WHERE subscription_id = $1 AND period_start = $2',
      [id, PERIOD_2.currentPeriodStart],
    );
    expect(periods).toHaveLength(0);
  });

  it('when a renewal names a period the subscription is not in, then it is refused and nothing is written', async () => {
    const { ledger } = opened();
    const { id } = await seatedPlan('sales-premium', ['ann']);

    const failure = await ledgerFailure(
      ledger.recordPaidPeriod(
        paid(id, {
          renewedPeriodStart: PERIOD_2.currentPeriodStart,
          periodStart: PERIOD_3.currentPeriodStart,
          periodEnd: PERIOD_3.currentPeriodEnd,
        }),
      ),
    );

    expect(failure).toEqual({ code: 'LEDGER.INVALID_TRANSITION', field: 'renewedPeriodStart' });
    expect((await ledger.getSubscription(id))?.currentPeriodStart).toBe(
      PERIOD_1.currentPeriodStart,
    );
    const periods = await ledger.db.query(
      'SELECT 1 FROM subscription_periods WHERE subscription_id = $1',
      [id],
    );
    expect(periods).toHaveLength(0);
  });

  it('when a renewal moves to another catalog, then grants are re-resolved and only what the product no longer implies is revoked', async () => {
    const { ledger } = opened();
    const { tenant, id } = await seatedPlan('sales-premium', ['ann']);
    const moved: GrantsFor = (plan, users) =>
      grantsFor(plan, users)
        .filter((g) => g.feature !== 'forecasts')
        .concat(
          users.map((u) => ({ subject: { type: 'user', id: u }, feature: 'ai', kind: 'feature' })),
        );

    const result = await ledger.recordPaidPeriod(paid(id, { catalogVersion: 2 }), moved);

    expect(result).toMatchObject({ outcome: 'recorded', granted: 1, revoked: 1 });
    expect(await features(tenant, 'ann')).toEqual(['ai', 'contacts', 'quotes']);
    expect((await ledger.getSubscription(id))?.catalogVersion).toBe(2);
  });

  it('when a downgrade applies at period end, then the named seats go and only the Premium extras no other plan of the user implies are revoked', async () => {
    const { ledger } = opened();
    const { tenant, id } = await seatedPlan('sales-premium', ['ann', 'bob', 'cid'], 3);
    // Ann also holds Service Premium, which implies forecasts too.
    const other = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(other, tenant, 'service-premium', 1));
    await ledger.assignSeats({
      subscriptionId: other,
      tenantId: tenant,
      plan: 'service-premium',
      userIds: ['ann'],
      orderId: `order-of-${other}`,
    });
    await ledger.applyGrants({
      orderId: `order-of-${other}`,
      tenantId: tenant,
      subscriptionId: other,
      productKey: 'service-premium',
      grants: grantsFor('service-premium', ['ann']),
    });
    await ledger.db.query(
      `UPDATE subscriptions SET pending_change = $2::text::jsonb WHERE id = $1`,
      [
        id,
        JSON.stringify({
          kind: 'downgrade',
          changeId: 'down-1',
          productKey: 'sales-essentials',
          seats: 2,
          unassign: ['cid'],
        }),
      ],
    );
    const change = {
      subscriptionId: id,
      changeId: 'down-1',
      catalogVersion: 1,
      orderId: `renewal-${id}`,
    };

    const result = await ledger.applyPeriodEndChange(change, grantsFor);
    const again = await ledger.applyPeriodEndChange(change, grantsFor);

    expect(result).toMatchObject({ outcome: 'applied', releasedSeats: ['cid'] });
    expect(again.outcome).toBe('not-pending');
    expect(await ledger.getSubscription(id)).toMatchObject({
      productKey: 'sales-essentials',
      seats: 2,
      pendingChange: null,
    });
    expect(await features(tenant, 'ann')).toEqual(['contacts', 'forecasts', 'tickets']);
    expect(await features(tenant, 'bob')).toEqual(['contacts']);
    expect(await features(tenant, 'cid')).toEqual([]);
    expect((await ledger.userEntitlements(tenant, 'bob')).plans).toEqual(['sales-essentials']);
  });

  it('when a downgrade leaves more seated users than seats, then it is refused naming seats and nothing changes', async () => {
    const { ledger } = opened();
    const { tenant, id } = await seatedPlan('sales-premium', ['ann', 'bob']);
    await ledger.db.query(
      `UPDATE subscriptions SET pending_change = $2::text::jsonb WHERE id = $1`,
      [
        id,
        JSON.stringify({
          kind: 'downgrade',
          changeId: 'down-2',
          productKey: 'sales-essentials',
          seats: 1,
        }),
      ],
    );

    const failure = await ledgerFailure(
      ledger.applyPeriodEndChange(
        { subscriptionId: id, changeId: 'down-2', catalogVersion: 1, orderId: `renewal-${id}` },
        grantsFor,
      ),
    );

    expect(failure).toEqual({ code: 'LEDGER.SEATS_EXCEEDED', field: 'seats' });
    const unchanged = await ledger.getSubscription(id);
    expect(unchanged).toMatchObject({ productKey: 'sales-premium', seats: 2 });
    expect(unchanged?.pendingChange?.changeId).toBe('down-2');
    expect(await features(tenant, 'bob')).toEqual(['contacts', 'forecasts', 'quotes']);
  });

  it('when a subscription ends, then its grants are revoked, its seats freed, and it stays ended', async () => {
    const { ledger } = opened();
    const { tenant, id } = await seatedPlan('sales-premium', ['ann', 'bob']);
    const addon = uniqueId('sub');
    await ledger.recordSubscription(addonSubscription(addon, tenant, 'cep'));
    await ledger.db.query(
      `UPDATE subscriptions SET pending_change = '{"kind":"cancel","changeId":"bye"}'::jsonb WHERE id = $1`,
      [id],
    );

    const ended = await ledger.endSubscription({
      subscriptionId: id,
      orderId: `renewal-${id}`,
      reason: 'cancelled at period end',
    });
    const again = await ledger.endSubscription({
      subscriptionId: id,
      orderId: `renewal-${id}`,
      reason: 'cancelled at period end',
    });

    expect(ended.subscription).toMatchObject({ status: 'ended', pendingChange: null });
    expect(ended.subscription.endedAt).not.toBeNull();
    expect(ended.releasedSeats).toEqual(['ann', 'bob']);
    expect(again).toMatchObject({ revokedGrants: 0, releasedSeats: [] });
    expect(await features(tenant, 'ann')).toEqual([]);
    expect(await ledger.seatUsage(tenant)).toEqual([]);
    const failure = await ledgerFailure(ledger.recordPaidPeriod(paid(id)));
    expect(failure.code).toBe('LEDGER.INVALID_TRANSITION');
  });
});
