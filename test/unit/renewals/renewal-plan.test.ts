import { getCatalog, priceOf } from '../../../src/catalog';
import { ConfigError, loadConfig } from '../../../src/config';
import type { Subscription } from '../../../src/ledger';
import { planRenewal } from '../../../src/renewals/renewal-plan';

const JANUARY = '2026-01-31T00:00:00.000Z';
const catalog = getCatalog(1);

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: 'sub-1',
    tenantId: 'acme',
    kind: 'plan',
    productKey: 'sales-premium',
    seats: 3,
    period: 'month',
    status: 'active',
    statusReason: null,
    catalogVersion: 1,
    currentPeriodStart: JANUARY,
    currentPeriodEnd: '2026-02-28T00:00:00.000Z',
    settings: {},
    stripeCustomerId: 'cus_1',
    paymentIntentId: 'pi_1',
    paymentMethodId: 'pm_card_visa',
    pendingChange: null,
    pastDueSince: null,
    suspendedAt: null,
    endedAt: null,
    orderId: 'order-1',
    revision: 1,
    createdAt: JANUARY,
    updatedAt: JANUARY,
    ...overrides,
  };
}

test('when a subscription is due, then the next period starts at its end and is priced under the catalog given', () => {
  const plan = planRenewal(subscription(), JANUARY, 1);

  expect(plan).toMatchObject({
    action: 'renew',
    next: {
      productKey: 'sales-premium',
      seats: 3,
      periodStart: '2026-02-28T00:00:00.000Z',
      periodEnd: '2026-03-28T00:00:00.000Z',
      catalogVersion: 1,
      amount: priceOf(catalog, { kind: 'plan', plan: 'sales-premium', seats: 3, period: 'month' })
        .amount,
    },
  });
});

test('when a downgrade is pending, then the next period is sold as the downgrade leaves it', () => {
  const plan = planRenewal(
    subscription({
      pendingChange: {
        kind: 'downgrade',
        changeId: 'c-1',
        productKey: 'sales-essentials',
        seats: 2,
        unassign: [],
      },
    }),
    JANUARY,
    1,
  );

  expect(plan).toMatchObject({
    action: 'renew',
    downgrade: { changeId: 'c-1' },
    next: {
      productKey: 'sales-essentials',
      seats: 2,
      amount: priceOf(catalog, {
        kind: 'plan',
        plan: 'sales-essentials',
        seats: 2,
        period: 'month',
      }).amount,
    },
  });
});

test('when a cancellation is pending, then the renewal ends it and deletes what the add-on provisioned', () => {
  const plan = planRenewal(
    subscription({
      kind: 'addon',
      productKey: 'cep',
      seats: null,
      pendingChange: { kind: 'cancel', changeId: 'c-2' },
    }),
    JANUARY,
    1,
  );

  expect(plan).toEqual({
    action: 'cancel',
    tenantId: 'acme',
    periodEnd: '2026-02-28T00:00:00.000Z',
    resources: [{ kind: 'cep-portal', externalId: 'cep-sub-1' }],
  });
});

test('when the subscription has renewed already, ended or was never paid, then the renewal does nothing', () => {
  expect(planRenewal(subscription(), '2025-12-31T00:00:00.000Z', 1).action).toBe('none');
  expect(planRenewal(subscription({ status: 'ended' }), JANUARY, 1).action).toBe('none');
  expect(planRenewal(subscription({ status: 'pending' }), JANUARY, 1).action).toBe('none');
  expect(planRenewal(null, JANUARY, 1).action).toBe('none');
});

test('when the dunning days or the sweep interval are malformed, then the configuration names the variable', () => {
  expect(() => loadConfig({ DUNNING_RETRY_DAYS: '3,1' })).toThrow(
    /DUNNING_RETRY_DAYS: must increase/,
  );
  expect(() => loadConfig({ RENEWAL_SWEEP_INTERVAL: 'hourly' })).toThrow(ConfigError);
  expect(() => loadConfig({ RENEWAL_SWEEP_INTERVAL: 'hourly' })).toThrow(/RENEWAL_SWEEP_INTERVAL/);
  expect(loadConfig({ DUNNING_RETRY_DAYS: '2, 4', RENEWAL_SWEEP_INTERVAL: '30m' })).toMatchObject({
    DUNNING_RETRY_DAYS: [2, 4],
    RENEWAL_SWEEP_INTERVAL: 30 * 60 * 1000,
  });
});
