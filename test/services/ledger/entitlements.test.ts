import { ledgerEngines, uniqueId, useTestLedger } from './engines';
import {
  addonSubscription,
  ledgerFailure,
  planSubscription,
  tenantFlags,
  userFeatures,
} from './fixtures';

describe.each(ledgerEngines())('entitlements on %s', (engine) => {
  const opened = useTestLedger(engine);

  /** A tenant where ann holds Sales and Service Premium, bob Sales, and CEP is bought. */
  async function seededTenant() {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const sales = uniqueId('sales');
    const service = uniqueId('service');
    const cep = uniqueId('cep');
    await ledger.recordSubscription(planSubscription(sales, tenant, 'sales-premium', 2));
    await ledger.recordSubscription(planSubscription(service, tenant, 'service-premium', 1));
    await ledger.recordSubscription(addonSubscription(cep, tenant, 'cep'));
    await ledger.assignSeats({
      subscriptionId: sales,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['ann', 'bob'],
      orderId: 'order-sales',
    });
    await ledger.assignSeats({
      subscriptionId: service,
      tenantId: tenant,
      plan: 'service-premium',
      userIds: ['ann'],
      orderId: 'order-service',
    });
    await ledger.applyGrants({
      orderId: 'order-sales',
      tenantId: tenant,
      subscriptionId: sales,
      productKey: 'sales-premium',
      grants: [
        ...userFeatures(['ann', 'bob'], ['contact-management', 'quotes', 'saint']),
        ...tenantFlags(tenant, ['quote-management', 'sales-intelligence'], 'system-license'),
      ],
    });
    await ledger.applyGrants({
      orderId: 'order-service',
      tenantId: tenant,
      subscriptionId: service,
      productKey: 'service-premium',
      grants: [
        ...userFeatures(['ann'], ['contact-management', 'escalation', 'saint']),
        ...tenantFlags(tenant, ['customer-centre', 'sales-intelligence'], 'system-license'),
      ],
    });
    await ledger.applyGrants({
      orderId: 'order-cep',
      tenantId: tenant,
      subscriptionId: cep,
      productKey: 'cep',
      grants: tenantFlags(tenant, ['customer-portal'], 'addon-feature'),
    });
    return { tenant, sales, service, cep };
  }

  it("when a multi-plan user's entitlements are read, then features are the union, each with every source and order", async () => {
    const { tenant, sales, service } = await seededTenant();

    const ann = await opened().ledger.userEntitlements(tenant, 'ann');

    expect(ann.plans).toEqual(['sales-premium', 'service-premium']);
    expect(
      ann.features.map((f) => [f.feature, f.sources.map((s) => [s.subscriptionId, s.orderId])]),
    ).toEqual([
      [
        'contact-management',
        [
          [sales, 'order-sales'],
          [service, 'order-service'],
        ],
      ],
      ['escalation', [[service, 'order-service']]],
      ['quotes', [[sales, 'order-sales']]],
      [
        'saint',
        [
          [sales, 'order-sales'],
          [service, 'order-service'],
        ],
      ],
    ]);
    expect(ann.features.every((f) => f.kind === 'feature')).toBe(true);
    const firstSource = ann.features[0].sources[0];
    expect(firstSource.productKey).toBe('sales-premium');
    expect(firstSource.grantedAt).toBe(new Date(firstSource.grantedAt).toISOString());
  });

  it('when a user reads entitlements, then the tenant flags come with them, system licenses and add-on features', async () => {
    const { tenant, cep } = await seededTenant();

    const bob = await opened().ledger.userEntitlements(tenant, 'bob');

    expect(bob.features.map((f) => f.feature)).toEqual(['contact-management', 'quotes', 'saint']);
    expect(bob.tenantFlags.map((f) => [f.feature, f.kind, f.sources.length])).toEqual([
      ['customer-centre', 'system-license', 1],
      ['customer-portal', 'addon-feature', 1],
      ['quote-management', 'system-license', 1],
      ['sales-intelligence', 'system-license', 2],
    ]);
    expect(bob.tenantFlags[1].sources[0].subscriptionId).toBe(cep);
  });

  it("when a tenant's entitlements are read, then every user and flag is listed with its sources", async () => {
    const { tenant } = await seededTenant();

    const all = await opened().ledger.tenantEntitlements(tenant);

    expect(all.users.map((u) => [u.userId, u.features.map((f) => f.feature)])).toEqual([
      ['ann', ['contact-management', 'escalation', 'quotes', 'saint']],
      ['bob', ['contact-management', 'quotes', 'saint']],
    ]);
    expect(all.tenantFlags.map((f) => f.feature)).toEqual([
      'customer-centre',
      'customer-portal',
      'quote-management',
      'sales-intelligence',
    ]);
  });

  it('when a subscription is suspended, then its grants stop counting; when it is active again, they are back', async () => {
    const { ledger } = opened();
    const { tenant, sales } = await seededTenant();

    await ledger.updateSubscriptionStatus(sales, 'suspended', { reason: 'unpaid after grace' });
    const suspended = await ledger.userEntitlements(tenant, 'bob');
    await ledger.updateSubscriptionStatus(sales, 'active');
    const restored = await ledger.userEntitlements(tenant, 'bob');

    expect(suspended.features).toEqual([]);
    expect(suspended.plans).toEqual([]);
    expect(suspended.tenantFlags.map((f) => f.feature)).not.toContain('quote-management');
    expect(restored.features.map((f) => f.feature)).toEqual([
      'contact-management',
      'quotes',
      'saint',
    ]);
  });

  it('when a subscription is past due, then its grants still count (dunning grace period)', async () => {
    const { ledger } = opened();
    const { tenant, sales } = await seededTenant();

    await ledger.updateSubscriptionStatus(sales, 'past_due');

    expect((await ledger.userEntitlements(tenant, 'bob')).features).toHaveLength(3);
  });

  it('when an order has granted but not yet recorded its subscription, then its grants do not count', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    await ledger.applyGrants({
      orderId: 'in-flight',
      tenantId: tenant,
      subscriptionId: uniqueId('not-recorded'),
      productKey: 'marketing-premium',
      grants: userFeatures(['eve'], ['marketing-automation']),
    });

    const eve = await ledger.userEntitlements(tenant, 'eve');

    expect(eve.features).toEqual([]);
  });

  it('when a user without grants is read, then only the tenant flags are returned', async () => {
    const { tenant } = await seededTenant();

    const nobody = await opened().ledger.userEntitlements(tenant, 'nobody');

    expect(nobody.features).toEqual([]);
    expect(nobody.plans).toEqual([]);
    expect(nobody.tenantFlags).toHaveLength(4);
  });

  it('when an unknown tenant is read, then the ledger says the tenant is not found', async () => {
    const { ledger } = opened();

    expect(await ledgerFailure(ledger.tenantEntitlements('unknown'))).toEqual({
      code: 'LEDGER.TENANT_NOT_FOUND',
      field: 'tenantId',
    });
    expect(await ledgerFailure(ledger.userEntitlements('unknown', 'ann'))).toEqual({
      code: 'LEDGER.TENANT_NOT_FOUND',
      field: 'tenantId',
    });
    expect(await ledgerFailure(ledger.seatUsage('unknown'))).toEqual({
      code: 'LEDGER.TENANT_NOT_FOUND',
      field: 'tenantId',
    });
  });

  it('when an id has characters outside the allowed set, then the input is refused', async () => {
    expect(await ledgerFailure(opened().ledger.userEntitlements('a tenant', 'ann'))).toEqual({
      code: 'LEDGER.INVALID_INPUT',
      field: 'input',
    });
  });
});
