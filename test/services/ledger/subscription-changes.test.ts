import { ledgerEngines, uniqueId, useTestLedger } from './engines';
import {
  CURRENT_PERIOD,
  ledgerFailure,
  planSubscription,
  tenantFlags,
  userFeatures,
} from './fixtures';

describe.each(ledgerEngines())('subscription changes on %s', (engine) => {
  const opened = useTestLedger(engine);

  /** A paid Sales Essentials subscription of 3 seats, ann and bob seated and granted. */
  async function essentials() {
    const { ledger } = opened();
    const tenantId = uniqueId('tenant');
    const subscriptionId = uniqueId('sub');
    await ledger.recordSubscription(
      planSubscription(subscriptionId, tenantId, 'sales-essentials', 3),
    );
    await ledger.assignSeats({
      subscriptionId,
      tenantId,
      plan: 'sales-essentials',
      userIds: ['ann', 'bob'],
      orderId: `order-of-${subscriptionId}`,
    });
    await ledger.applyGrants({
      orderId: `order-of-${subscriptionId}`,
      tenantId,
      subscriptionId,
      productKey: 'sales-essentials',
      grants: userFeatures(['ann', 'bob'], ['contact-management', 'sales-pipeline']),
    });
    return { tenantId, subscriptionId };
  }

  const featuresOf = async (tenantId: string, userId: string) =>
    (await opened().ledger.userEntitlements(tenantId, userId)).features.map((f) => f.feature);

  describe('requesting a change by its change id', () => {
    it('when the same change id comes again with the same request, then it is the same change', async () => {
      const { ledger } = opened();
      const { tenantId, subscriptionId } = await essentials();
      const request = { plan: 'sales-premium', seats: 4 };

      const first = await ledger.requestChange({
        subscriptionId,
        tenantId,
        changeId: 'c-1',
        kind: 'upgrade',
        request,
      });
      const again = await ledger.requestChange({
        subscriptionId,
        tenantId,
        changeId: 'c-1',
        kind: 'upgrade',
        request: { seats: 4, plan: 'sales-premium' },
      });

      expect(first.repeated).toBe(false);
      expect(again.repeated).toBe(true);
      expect(again.change).toEqual(first.change);
      expect(first.change.status).toBe('requested');
    });

    it('when the same change id comes at once many times, then one change is recorded', async () => {
      const { ledger } = opened();
      const { tenantId, subscriptionId } = await essentials();
      const call = { subscriptionId, tenantId, changeId: 'c-1', kind: 'cancel', request: {} };

      const results = await Promise.all(
        Array.from({ length: 6 }, () => ledger.requestChange(call)),
      );

      expect(results.filter((r) => !r.repeated)).toHaveLength(1);
      expect(await ledger.listChanges(subscriptionId)).toHaveLength(1);
    });

    it('when the same change id comes with another request, then it is refused naming the fields that differ', async () => {
      const { ledger } = opened();
      const { tenantId, subscriptionId } = await essentials();
      const call = { subscriptionId, tenantId, changeId: 'c-1', kind: 'upgrade' };
      await ledger.requestChange({ ...call, request: { plan: 'sales-premium', seats: 4 } });

      const failure = await ledgerFailure(
        ledger.requestChange({ ...call, request: { plan: 'sales-premium', seats: 5 } }),
      );
      const otherKind = await ledgerFailure(
        ledger.requestChange({ ...call, kind: 'cancel', request: {} }),
      );

      expect(failure).toEqual({ code: 'LEDGER.CHANGE_CONFLICT', field: 'seats' });
      expect(otherKind).toEqual({ code: 'LEDGER.CHANGE_CONFLICT', field: 'kind' });
    });

    it("when a tenant asks to change another tenant's subscription, then it is unknown to it", async () => {
      const { ledger } = opened();
      const { subscriptionId } = await essentials();

      const failure = await ledgerFailure(
        ledger.requestChange({
          subscriptionId,
          tenantId: 'someone-else',
          changeId: 'c-1',
          kind: 'cancel',
          request: {},
        }),
      );

      expect(failure.code).toBe('LEDGER.SUBSCRIPTION_NOT_FOUND');
      expect(await ledger.listChanges(subscriptionId)).toEqual([]);
    });

    it('when an outcome is recorded, then the change keeps it and a final status stays', async () => {
      const { ledger } = opened();
      const { tenantId, subscriptionId } = await essentials();
      await ledger.requestChange({
        subscriptionId,
        tenantId,
        changeId: 'c-1',
        kind: 'upgrade',
        request: {},
      });

      await ledger.recordChangeOutcome({
        subscriptionId,
        changeId: 'c-1',
        status: 'applied',
        amount: 1234,
        paymentIntentId: 'pi_1',
      });
      const late = await ledger.recordChangeOutcome({
        subscriptionId,
        changeId: 'c-1',
        status: 'refused',
        reason: 'a late retry',
      });

      expect(late).toEqual(
        expect.objectContaining({ status: 'applied', amount: 1234, paymentIntentId: 'pi_1' }),
      );
      const events = await ledger.pendingEvents(10_000);
      expect(
        events.filter(
          (e) => e.type === 'subscription.changed' && e.payload.subscriptionId === subscriptionId,
        ),
      ).toHaveLength(1);
    });
  });

  describe('changes at the period end', () => {
    it('when a downgrade is scheduled, then it is the pending change until withdrawn', async () => {
      const { ledger } = opened();
      const { tenantId, subscriptionId } = await essentials();
      await ledger.requestChange({
        subscriptionId,
        tenantId,
        changeId: 'down-1',
        kind: 'downgrade',
        request: { seats: 1, unassign: ['bob'] },
      });
      const change = {
        kind: 'downgrade' as const,
        changeId: 'down-1',
        seats: 1,
        unassign: ['bob'],
      };

      const scheduled = await ledger.schedulePendingChange({ subscriptionId, change });
      const again = await ledger.schedulePendingChange({ subscriptionId, change });

      expect(scheduled.pendingChange).toEqual(change);
      expect(again.revision).toBe(scheduled.revision);
      expect((await ledger.getChange(subscriptionId, 'down-1'))?.status).toBe('scheduled');
      // Nothing changes before the period end.
      expect(scheduled.seats).toBe(3);
      expect(await ledger.seatedUsers(subscriptionId)).toEqual(['ann', 'bob']);

      const withdrawn = await ledger.withdrawPendingChange({
        subscriptionId,
        changeId: 'down-1',
        byChangeId: 'keep-1',
      });

      expect(withdrawn.pendingChange).toBeNull();
      expect(await ledger.getChange(subscriptionId, 'down-1')).toEqual(
        expect.objectContaining({
          status: 'withdrawn',
          statusReason: 'withdrawn by change keep-1',
        }),
      );
    });

    it('when another change is scheduled already, then a second one is refused until it is withdrawn', async () => {
      const { ledger } = opened();
      const { subscriptionId } = await essentials();
      await ledger.schedulePendingChange({
        subscriptionId,
        change: { kind: 'cancel', changeId: 'cancel-1' },
      });

      const failure = await ledgerFailure(
        ledger.schedulePendingChange({
          subscriptionId,
          change: { kind: 'downgrade', changeId: 'down-1', seats: 2, unassign: [] },
        }),
      );

      expect(failure).toEqual({ code: 'LEDGER.CHANGE_CONFLICT', field: 'pendingChange' });
      expect((await ledger.getSubscription(subscriptionId))?.pendingChange).toEqual({
        kind: 'cancel',
        changeId: 'cancel-1',
      });
    });

    it('when the subscription has ended, then nothing can be scheduled on it', async () => {
      const { ledger } = opened();
      const { subscriptionId } = await essentials();
      await ledger.updateSubscriptionStatus(subscriptionId, 'ended');

      const failure = await ledgerFailure(
        ledger.schedulePendingChange({
          subscriptionId,
          change: { kind: 'cancel', changeId: 'cancel-1' },
        }),
      );

      expect(failure.code).toBe('LEDGER.INVALID_TRANSITION');
    });
  });

  describe('upgrades in place', () => {
    const premium = {
      productKey: 'sales-premium',
      seats: 4,
      period: 'month' as const,
      currentPeriodEnd: CURRENT_PERIOD.currentPeriodEnd,
    };
    const before = { ...premium, productKey: 'sales-essentials', seats: 3 };

    it('when Essentials becomes Premium, then the seats follow the plan and the new features count at once', async () => {
      const { ledger } = opened();
      const { tenantId, subscriptionId } = await essentials();

      const result = await ledger.applyUpgrade({
        subscriptionId,
        orderId: 'chg-1',
        to: premium,
        grants: [
          ...userFeatures(['ann', 'bob'], ['contact-management', 'sales-pipeline', 'quotes']),
          ...tenantFlags(tenantId, ['quote-management'], 'system-license'),
        ],
      });

      expect(result).toEqual({ inserted: 3, alreadyPresent: 4, orderRevoked: false });
      expect(await ledger.getSubscription(subscriptionId)).toEqual(
        expect.objectContaining({
          productKey: 'sales-premium',
          seats: 4,
          currentPeriodStart: CURRENT_PERIOD.currentPeriodStart,
          orderId: `order-of-${subscriptionId}`,
        }),
      );
      expect(await ledger.seatUsage(tenantId)).toEqual([
        { plan: 'sales-premium', bought: 4, assigned: 2, free: 2 },
      ]);
      expect(await featuresOf(tenantId, 'ann')).toEqual(
        expect.arrayContaining(['quotes', 'sales-pipeline']),
      );

      // Applying it again (a retried activity) adds nothing.
      const again = await ledger.applyUpgrade({
        subscriptionId,
        orderId: 'chg-1',
        to: premium,
        grants: userFeatures(['ann', 'bob'], ['quotes']),
      });
      expect(again.inserted).toBe(0);
    });

    it('when an upgrade is undone, then only what it granted goes and the holding is restored', async () => {
      const { ledger } = opened();
      const { tenantId, subscriptionId } = await essentials();
      await ledger.applyUpgrade({
        subscriptionId,
        orderId: 'chg-1',
        to: premium,
        grants: userFeatures(['ann', 'bob'], ['contact-management', 'sales-pipeline', 'quotes']),
      });

      await ledger.revertUpgrade({ subscriptionId, orderId: 'chg-1', to: before });
      // A late retry of the upgrade's grant step grants nothing again.
      const late = await ledger.applyUpgrade({
        subscriptionId,
        orderId: 'chg-1',
        to: premium,
        grants: userFeatures(['ann'], ['quotes']),
      });
      await ledger.revertUpgrade({ subscriptionId, orderId: 'chg-1', to: before });

      expect(late.orderRevoked).toBe(true);
      expect(await featuresOf(tenantId, 'ann')).toEqual(['contact-management', 'sales-pipeline']);
      expect(await ledger.getSubscription(subscriptionId)).toEqual(
        expect.objectContaining({ productKey: 'sales-essentials', seats: 3 }),
      );
      expect(await ledger.seatUsage(tenantId)).toEqual([
        { plan: 'sales-essentials', bought: 3, assigned: 2, free: 1 },
      ]);
    });

    it('when the subscription has ended, then an upgrade is refused and nothing changes', async () => {
      const { ledger } = opened();
      const { subscriptionId } = await essentials();
      await ledger.updateSubscriptionStatus(subscriptionId, 'ended');

      const failure = await ledgerFailure(
        ledger.applyUpgrade({ subscriptionId, orderId: 'chg-1', to: premium, grants: [] }),
      );

      expect(failure.code).toBe('LEDGER.INVALID_TRANSITION');
      expect((await ledger.getSubscription(subscriptionId))?.productKey).toBe('sales-essentials');
    });
  });

  describe('holding and payment method writes', () => {
    it('when an upgrade is applied to a subscription that fell past due, then its status stays as the renewal wrote it', async () => {
      const { ledger } = opened();
      const { subscriptionId } = await essentials();
      await ledger.updateSubscriptionStatus(subscriptionId, 'past_due');

      await ledger.applyUpgrade({
        subscriptionId,
        orderId: 'chg-1',
        to: { productKey: 'sales-essentials', seats: 5, period: 'month', ...CURRENT_PERIOD },
        grants: [],
      });

      expect(await ledger.getSubscription(subscriptionId)).toEqual(
        expect.objectContaining({ seats: 5, status: 'past_due' }),
      );
    });

    it('when a payment method is saved, then renewals find it, and saving it again changes nothing', async () => {
      const { ledger } = opened();
      const { subscriptionId } = await essentials();
      await ledger.updateSubscriptionStatus(subscriptionId, 'past_due');

      const saved = await ledger.savePaymentMethod({
        subscriptionId,
        paymentMethodId: 'pm_card_mastercard',
        orderId: 'chg-2',
      });
      const again = await ledger.savePaymentMethod({
        subscriptionId,
        paymentMethodId: 'pm_card_mastercard',
        orderId: 'chg-2',
      });

      expect(saved).toEqual(
        expect.objectContaining({ paymentMethodId: 'pm_card_mastercard', status: 'past_due' }),
      );
      expect(again.revision).toBe(saved.revision);
      const failure = await ledgerFailure(
        ledger.savePaymentMethod({ subscriptionId, paymentMethodId: 'visa', orderId: 'chg-3' }),
      );
      expect(failure).toEqual({ code: 'LEDGER.INVALID_INPUT', field: 'paymentMethodId' });
    });
  });
});
