import { createEntitlementCache, toAnswer } from '../../../src/api/entitlement-cache';
import type { Ledger } from '../../../src/ledger';
import { ledgerEngines, uniqueId, useTestLedger } from '../ledger/engines';
import { currentPeriod, planSubscription, userFeatures } from '../ledger/fixtures';

const BOUND_MS = 1000;

async function userWithQuotes(ledger: Ledger) {
  const tenant = uniqueId('tenant');
  const sub = uniqueId('sub');
  await ledger.recordSubscription(
    planSubscription(sub, tenant, 'sales-premium', 2, currentPeriod()),
  );
  await ledger.applyGrants({
    orderId: uniqueId('order'),
    tenantId: tenant,
    subscriptionId: sub,
    productKey: 'sales-premium',
    grants: userFeatures(['ann'], ['quotes']),
  });
  return { tenant, sub };
}

/** Revokes every grant of the subscription, as a cancellation does. */
async function revokeAll(ledger: Ledger, tenantId: string, subscriptionId: string) {
  await ledger.revokeGrants({
    tenantId,
    subscriptionId,
    orderId: uniqueId('order'),
    reason: 'cancelled',
  });
}

/**
 * Reads in a tight loop while `change` commits, and returns every read that started
 * after the commit plus the bound: none of them may still show the feature.
 */
async function readsAfterBound(
  read: () => Promise<string>,
  change: () => Promise<void>,
): Promise<{ late: string[]; total: number; servedBeforeChange: number }> {
  const reads: { startedAt: number; body: string }[] = [];
  let committedAt = Infinity;
  let stop = false;
  const loop = (async () => {
    while (!stop) reads.push({ startedAt: Date.now(), body: await read() });
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await change();
  committedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, BOUND_MS + 500));
  stop = true;
  await loop;
  return {
    late: reads.filter((r) => r.startedAt > committedAt + BOUND_MS).map((r) => r.body),
    total: reads.length,
    servedBeforeChange: reads.filter((r) => r.startedAt < committedAt).length,
  };
}

describe.each(ledgerEngines())('entitlement read model on %s', (engine) => {
  const opened = useTestLedger(engine);

  it('when a revocation commits while readers read in a tight loop, then no read later than the bound shows the feature', async () => {
    const { ledger } = opened();
    const { tenant, sub } = await userWithQuotes(ledger);
    const cache = createEntitlementCache({ ledger, maxStalenessMs: BOUND_MS });
    try {
      const result = await readsAfterBound(
        async () => (await cache.userAnswer(tenant, 'ann')).body,
        () => revokeAll(ledger, tenant, sub),
      );
      const stats = cache.takeStats();

      expect(result.servedBeforeChange).toBeGreaterThan(10);
      expect(stats.hits).toBeGreaterThan(stats.misses);
      expect(result.late.length).toBeGreaterThan(0);
      expect(result.late.filter((body) => body.includes('"quotes"'))).toEqual([]);
    } finally {
      cache.close();
    }
  });

  it('when a revocation commits while a whole-tenant page is polled in a tight loop, then no page later than the bound shows the feature', async () => {
    const { ledger } = opened();
    const { tenant, sub } = await userWithQuotes(ledger);
    const cache = createEntitlementCache({ ledger, maxStalenessMs: BOUND_MS });
    const firstPage = async () =>
      (
        await cache.pageAnswer(tenant, '200:', async () =>
          toAnswer(await ledger.tenantEntitlementsPage(tenant, { limit: 200 })),
        )
      ).body;
    try {
      expect(await firstPage()).toContain('"quotes"');
      const result = await readsAfterBound(firstPage, () => revokeAll(ledger, tenant, sub));
      const stats = cache.takeStats();

      expect(stats.hits).toBeGreaterThan(stats.misses);
      expect(result.late.length).toBeGreaterThan(0);
      expect(result.late.filter((body) => body.includes('"quotes"'))).toEqual([]);
    } finally {
      cache.close();
    }
  });

  it('when a subscription is suspended, then its features stop being served within the bound', async () => {
    const { ledger } = opened();
    const { tenant, sub } = await userWithQuotes(ledger);
    const cache = createEntitlementCache({ ledger, maxStalenessMs: BOUND_MS });
    try {
      expect((await cache.userAnswer(tenant, 'ann')).body).toContain('"quotes"');
      const result = await readsAfterBound(
        async () => (await cache.userAnswer(tenant, 'ann')).body,
        async () => {
          await ledger.updateSubscriptionStatus(sub, 'suspended', { reason: 'unpaid' });
        },
      );

      expect(result.late.length).toBeGreaterThan(0);
      expect(result.late.filter((body) => body.includes('"quotes"'))).toEqual([]);
    } finally {
      cache.close();
    }
  });

  it('when the version poller cannot confirm a snapshot, then the snapshot is not served', async () => {
    const { ledger } = opened();
    const { tenant } = await userWithQuotes(ledger);
    // A poll interval far beyond the bound: nothing confirms the snapshot after it is made.
    const cache = createEntitlementCache({ ledger, maxStalenessMs: 100, pollMs: 60_000 });
    try {
      await cache.userAnswer(tenant, 'ann');
      await cache.userAnswer(tenant, 'ann');
      await new Promise((resolve) => setTimeout(resolve, 150));
      await cache.userAnswer(tenant, 'ann');

      expect(cache.takeStats()).toMatchObject({ hits: 1, misses: 2 });
    } finally {
      cache.close();
    }
  });
});
