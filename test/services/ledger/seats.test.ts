import type { Ledger } from '../../../src/ledger';
import { ledgerEngines, uniqueId, useTestLedger } from './engines';
import {
  addonSubscription,
  ledgerFailure,
  planSubscription,
  sqlState,
  userFeatures,
} from './fixtures';

describe.each(ledgerEngines())('seats on %s', (engine) => {
  const opened = useTestLedger(engine);

  async function planWithSeats(ledger: Ledger, tenant: string, plan: string, seats: number) {
    const id = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(id, tenant, plan, seats));
    return id;
  }

  async function activeSeats(subscriptionId: string): Promise<string[]> {
    const rows = await opened().db.query<{ user_id: string }>(
      `SELECT user_id FROM seat_assignments
        WHERE subscription_id = $1 AND released_at IS NULL ORDER BY user_id`,
      [subscriptionId],
    );
    return rows.map((row) => row.user_id);
  }

  it('when users are seated within the seats bought, then usage shows them and each seat has an event', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sub = await planWithSeats(ledger, tenant, 'sales-premium', 3);

    const result = await ledger.assignSeats({
      subscriptionId: sub,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['ann', 'bob'],
      orderId: 'order-1',
    });

    expect(result).toEqual({ assigned: ['ann', 'bob'], unchanged: [] });
    expect(await ledger.seatUsage(tenant)).toEqual([
      { plan: 'sales-premium', bought: 3, assigned: 2, free: 1 },
    ]);
    const events = (await ledger.pendingEvents(10_000)).filter(
      (e) => e.type === 'seat.assigned' && e.payload.subscriptionId === sub,
    );
    expect(events.map((e) => e.payload.userId).sort()).toEqual(['ann', 'bob']);
  });

  it('when more users are seated than seats are free, then SEATS_EXCEEDED and nothing is written', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sub = await planWithSeats(ledger, tenant, 'sales-premium', 2);
    await ledger.assignSeats({
      subscriptionId: sub,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['ann'],
      orderId: 'order-1',
    });

    const failure = await ledgerFailure(
      ledger.assignSeats({
        subscriptionId: sub,
        tenantId: tenant,
        plan: 'sales-premium',
        userIds: ['bob', 'cid'],
        orderId: 'order-2',
      }),
    );

    expect(failure).toEqual({ code: 'LEDGER.SEATS_EXCEEDED', field: 'userIds' });
    expect(await activeSeats(sub)).toEqual(['ann']);
  });

  it('when the same seats are assigned many times at once, then each user has one seat', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sub = await planWithSeats(ledger, tenant, 'marketing-premium', 5);
    const call = {
      subscriptionId: sub,
      tenantId: tenant,
      plan: 'marketing-premium',
      userIds: ['ann', 'bob', 'cid'],
      orderId: 'order-1',
    };

    const results = await Promise.all(Array.from({ length: 12 }, () => ledger.assignSeats(call)));

    expect(results.flatMap((r) => r.assigned).sort()).toEqual(['ann', 'bob', 'cid']);
    expect(await activeSeats(sub)).toEqual(['ann', 'bob', 'cid']);
  });

  it('when a user already holds the plan through another subscription, then PLAN_ALREADY_ASSIGNED and nothing is written', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const first = await planWithSeats(ledger, tenant, 'sales-premium', 2);
    const second = await planWithSeats(ledger, tenant, 'sales-premium', 2);
    await ledger.assignSeats({
      subscriptionId: first,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['ann'],
      orderId: 'order-1',
    });

    const failure = await ledgerFailure(
      ledger.assignSeats({
        subscriptionId: second,
        tenantId: tenant,
        plan: 'sales-premium',
        userIds: ['bob', 'ann'],
        orderId: 'order-2',
      }),
    );

    expect(failure).toEqual({ code: 'LEDGER.PLAN_ALREADY_ASSIGNED', field: 'userIds' });
    expect(await activeSeats(second)).toEqual([]);
  });

  it('when a user holds two different plans, then both seats count', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sales = await planWithSeats(ledger, tenant, 'sales-premium', 1);
    const service = await planWithSeats(ledger, tenant, 'service-premium', 1);

    for (const [sub, plan] of [
      [sales, 'sales-premium'],
      [service, 'service-premium'],
    ]) {
      await ledger.assignSeats({
        subscriptionId: sub,
        tenantId: tenant,
        plan,
        userIds: ['ann'],
        orderId: 'o',
      });
    }

    expect(await ledger.seatUsage(tenant)).toEqual([
      { plan: 'sales-premium', bought: 1, assigned: 1, free: 0 },
      { plan: 'service-premium', bought: 1, assigned: 1, free: 0 },
    ]);
  });

  it('when seats are assigned on a suspended subscription, or one not recorded, then the ledger refuses', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sub = await planWithSeats(ledger, tenant, 'sales-premium', 2);
    await ledger.updateSubscriptionStatus(sub, 'suspended');
    const call = { tenantId: tenant, plan: 'sales-premium', userIds: ['ann'], orderId: 'o' };

    expect(await ledgerFailure(ledger.assignSeats({ ...call, subscriptionId: sub }))).toEqual({
      code: 'LEDGER.SUBSCRIPTION_NOT_IN_FORCE',
      field: 'subscriptionId',
    });
    expect(await ledgerFailure(ledger.assignSeats({ ...call, subscriptionId: 'unknown' }))).toEqual(
      {
        code: 'LEDGER.SUBSCRIPTION_NOT_FOUND',
        field: 'subscriptionId',
      },
    );
    expect(await ledger.seatUsage(tenant)).toEqual([]);
  });

  it('when seats of another plan are assigned on a subscription, then the ledger refuses naming plan', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sub = await planWithSeats(ledger, tenant, 'sales-premium', 2);

    const failure = await ledgerFailure(
      ledger.assignSeats({
        subscriptionId: sub,
        tenantId: tenant,
        plan: 'service-premium',
        userIds: ['a'],
        orderId: 'o',
      }),
    );

    expect(failure).toEqual({ code: 'LEDGER.SUBSCRIPTION_CONFLICT', field: 'plan' });
  });

  it("when seats are released, then they are free again and the users lose that subscription's features only", async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sales = await planWithSeats(ledger, tenant, 'sales-premium', 2);
    const service = await planWithSeats(ledger, tenant, 'service-premium', 2);
    await ledger.assignSeats({
      subscriptionId: sales,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['ann', 'bob'],
      orderId: 'o1',
    });
    await ledger.assignSeats({
      subscriptionId: service,
      tenantId: tenant,
      plan: 'service-premium',
      userIds: ['ann'],
      orderId: 'o2',
    });
    await ledger.applyGrants({
      orderId: 'o1',
      tenantId: tenant,
      subscriptionId: sales,
      productKey: 'sales-premium',
      grants: userFeatures(['ann', 'bob'], ['saint', 'quotes']),
    });
    await ledger.applyGrants({
      orderId: 'o2',
      tenantId: tenant,
      subscriptionId: service,
      productKey: 'service-premium',
      grants: userFeatures(['ann'], ['saint', 'escalation']),
    });

    const released = await ledger.releaseSeats({
      subscriptionId: sales,
      tenantId: tenant,
      userIds: ['ann'],
      orderId: 'o3',
      reason: 'user left',
    });
    const again = await ledger.releaseSeats({
      subscriptionId: sales,
      tenantId: tenant,
      userIds: ['ann'],
      orderId: 'o3',
    });

    expect(released).toEqual({ released: ['ann'], revokedGrants: 2 });
    expect(again).toEqual({ released: [], revokedGrants: 0 });
    expect(await ledger.seatUsage(tenant)).toEqual([
      { plan: 'sales-premium', bought: 2, assigned: 1, free: 1 },
      { plan: 'service-premium', bought: 2, assigned: 1, free: 1 },
    ]);
    const ann = await ledger.userEntitlements(tenant, 'ann');
    expect(ann.plans).toEqual(['service-premium']);
    expect(ann.features.map((f) => f.feature)).toEqual(['escalation', 'saint']);
    const bob = await ledger.userEntitlements(tenant, 'bob');
    expect(bob.features.map((f) => f.feature)).toEqual(['quotes', 'saint']);
  });

  it('when an order is retried after its seats were released, then they are not given again; a new order can', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sub = await planWithSeats(ledger, tenant, 'sales-premium', 1);
    const call = {
      subscriptionId: sub,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['ann'],
      orderId: 'o1',
    };
    await ledger.assignSeats(call);
    await ledger.releaseSeats({
      subscriptionId: sub,
      tenantId: tenant,
      orderId: 'o1',
      reason: 'compensation',
    });

    const retried = await ledger.assignSeats(call);
    expect(retried).toEqual({ assigned: [], unchanged: ['ann'] });
    expect(await activeSeats(sub)).toEqual([]);

    const next = await ledger.assignSeats({ ...call, orderId: 'o2' });
    expect(next.assigned).toEqual(['ann']);
  });

  it('when a downgrade lowers seats below the users seated, then SEATS_EXCEEDED naming seats; after releasing, it succeeds', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sub = await planWithSeats(ledger, tenant, 'sales-premium', 3);
    await ledger.assignSeats({
      subscriptionId: sub,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['a', 'b', 'c'],
      orderId: 'o1',
    });

    const lower = planSubscription(sub, tenant, 'sales-premium', 2, { orderId: 'downgrade' });
    expect(await ledgerFailure(ledger.recordSubscription(lower))).toEqual({
      code: 'LEDGER.SEATS_EXCEEDED',
      field: 'seats',
    });

    await ledger.releaseSeats({
      subscriptionId: sub,
      tenantId: tenant,
      userIds: ['c'],
      orderId: 'downgrade',
    });
    expect((await ledger.recordSubscription(lower)).subscription.seats).toBe(2);
  });

  it('when a plan is upgraded in place, then its seats follow the new plan', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sub = await planWithSeats(ledger, tenant, 'sales-essentials', 2);
    await ledger.assignSeats({
      subscriptionId: sub,
      tenantId: tenant,
      plan: 'sales-essentials',
      userIds: ['ann'],
      orderId: 'o1',
    });

    await ledger.recordSubscription(
      planSubscription(sub, tenant, 'sales-premium', 2, { orderId: 'upgrade' }),
    );

    expect(await ledger.seatUsage(tenant)).toEqual([
      { plan: 'sales-premium', bought: 2, assigned: 1, free: 1 },
    ]);
    expect((await ledger.userEntitlements(tenant, 'ann')).plans).toEqual(['sales-premium']);
  });

  describe('constraints the database enforces on raw SQL', () => {
    async function seatedPlan(seats: number) {
      const { ledger } = opened();
      const tenant = uniqueId('tenant');
      const sub = await planWithSeats(ledger, tenant, 'sales-premium', seats);
      return { tenant, sub };
    }

    const insertSeat = `INSERT INTO seat_assignments (subscription_id, tenant_id, user_id, plan_key, order_id)
                        VALUES ($1, $2, $3, $4, 'raw')`;

    it('when more seats are inserted than bought, then the insert fails', async () => {
      const { tenant, sub } = await seatedPlan(1);
      await opened().db.query(insertSeat, [sub, tenant, 'ann', 'sales-premium']);

      expect(
        await sqlState(opened().db.query(insertSeat, [sub, tenant, 'bob', 'sales-premium'])),
      ).toBe('PV001');
    });

    it('when many connections insert seats at once, then no more than the seats bought are held', async () => {
      const { tenant, sub } = await seatedPlan(2);
      const others = await Promise.all([1, 2, 3].map(() => opened().openAnother()));
      const connections = [opened().db, ...others];

      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          connections[i % connections.length].transaction((tx) =>
            tx.query(insertSeat, [sub, tenant, `user-${i}`, 'sales-premium']),
          ),
        ),
      );

      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
      expect(await activeSeats(sub)).toHaveLength(2);
    });

    it('when a user gets a second active seat of the same plan, then the unique index refuses it', async () => {
      const { tenant, sub } = await seatedPlan(2);
      const other = await planWithSeats(opened().ledger, tenant, 'sales-premium', 2);
      await opened().db.query(insertSeat, [sub, tenant, 'ann', 'sales-premium']);

      expect(
        await sqlState(opened().db.query(insertSeat, [other, tenant, 'ann', 'sales-premium'])),
      ).toBe('23505');
    });

    it('when a seat is inserted on an add-on or for another plan, then the insert fails', async () => {
      const { ledger } = opened();
      const tenant = uniqueId('tenant');
      const addon = uniqueId('sub');
      await ledger.recordSubscription(addonSubscription(addon, tenant, 'cep'));
      const { sub } = await seatedPlan(2);

      expect(await sqlState(opened().db.query(insertSeat, [addon, tenant, 'ann', 'cep']))).toBe(
        'PV002',
      );
      expect(
        await sqlState(opened().db.query(insertSeat, [sub, tenant, 'ann', 'other-plan'])),
      ).not.toBe('');
    });

    it('when seats are lowered below those held, then the update fails', async () => {
      const { tenant, sub } = await seatedPlan(2);
      await opened().db.query(insertSeat, [sub, tenant, 'ann', 'sales-premium']);
      await opened().db.query(insertSeat, [sub, tenant, 'bob', 'sales-premium']);

      expect(
        await sqlState(
          opened().db.query('UPDATE subscriptions SET seats = 1 WHERE id = $1', [sub]),
        ),
      ).toBe('PV001');
    });

    it('when seats are zero, the status is unknown or an add-on has seats, then the check constraints refuse', async () => {
      const { sub } = await seatedPlan(2);
      const db = opened().db;

      expect(
        await sqlState(db.query('UPDATE subscriptions SET seats = 0 WHERE id = $1', [sub])),
      ).toBe('23514');
      expect(
        await sqlState(db.query("UPDATE subscriptions SET status = 'paused' WHERE id = $1", [sub])),
      ).toBe('23514');
      expect(
        await sqlState(db.query("UPDATE subscriptions SET kind = 'addon' WHERE id = $1", [sub])),
      ).toBe('23514');
    });
  });
});
