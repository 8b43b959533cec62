import { ledgerEngines, uniqueId, useTestLedger } from './engines';
import { ledgerFailure, planSubscription, userFeatures } from './fixtures';

describe.each(ledgerEngines())('outbox on %s', (engine) => {
  const opened = useTestLedger(engine);

  it('when events are pending, then they come oldest first; once marked published they are gone', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sub = uniqueId('sub');
    await ledger.recordSubscription(planSubscription(sub, tenant, 'sales-premium', 1));
    await ledger.applyGrants({
      orderId: 'order-1',
      tenantId: tenant,
      subscriptionId: sub,
      productKey: 'sales-premium',
      grants: userFeatures(['ann'], ['quotes']),
    });

    const pending = await ledger.pendingEvents(100);
    const marked = await ledger.markEventsPublished(pending.map((e) => e.id));
    const markedAgain = await ledger.markEventsPublished(pending.map((e) => e.id));

    expect(pending.map((e) => e.type)).toEqual(['subscription.recorded', 'license.granted']);
    expect(Number(pending[0].id)).toBeLessThan(Number(pending[1].id));
    expect(pending[1].idempotencyKey).toMatch(/^license\.granted:/);
    expect(pending[1].publishedAt).toBeNull();
    expect(marked).toBe(2);
    expect(markedAgain).toBe(0);
    expect(await ledger.pendingEvents(100)).toEqual([]);
  });

  it('when fewer events are asked for than are pending, then only that many are returned', async () => {
    const { ledger } = opened();
    await ledger.applyGrants({
      orderId: 'order-2',
      tenantId: uniqueId('tenant'),
      subscriptionId: uniqueId('sub'),
      productKey: 'sales-premium',
      grants: userFeatures(['a', 'b', 'c'], ['quotes']),
    });

    expect(await ledger.pendingEvents(2)).toHaveLength(2);
  });

  it('when the limit or an id is malformed, then the input is refused', async () => {
    const { ledger } = opened();

    expect((await ledgerFailure(ledger.pendingEvents(0))).code).toBe('LEDGER.INVALID_INPUT');
    expect(await ledgerFailure(ledger.markEventsPublished(['1; DROP TABLE grants']))).toEqual({
      code: 'LEDGER.INVALID_INPUT',
      field: '0',
    });
  });
});
