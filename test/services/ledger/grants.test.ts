import type { GrantSpec } from '../../../src/ledger';
import { ledgerEngines, uniqueId, useTestLedger } from './engines';
import { ledgerFailure, planSubscription, sqlState, tenantFlags, userFeatures } from './fixtures';

describe.each(ledgerEngines())('grants on %s', (engine) => {
  const opened = useTestLedger(engine);

  // Subscription ids are global business ids: each test gets its own (`sub-1` of tenant-7).
  function grantCall(tenant: string, subscriptionId: string, orderId: string, grants: GrantSpec[]) {
    return {
      orderId,
      tenantId: tenant,
      subscriptionId: `${subscriptionId}-of-${tenant}`,
      productKey: 'sales-premium',
      grants,
    };
  }

  async function grantRows(tenant: string) {
    return opened().db.query<{
      subject_id: string;
      feature: string;
      source_subscription_id: string;
      revoked: boolean;
    }>(
      `SELECT subject_id, feature, source_subscription_id, revoked_at IS NOT NULL AS revoked
         FROM grants WHERE tenant_id = $1 ORDER BY id`,
      [tenant],
    );
  }

  async function licenseEvents(tenant: string) {
    const events = await opened().ledger.pendingEvents(10_000);
    return events.filter((e) => e.tenantId === tenant && e.type.startsWith('license.'));
  }

  it('when grants are applied, then each is a row with one license.granted event carrying the order', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const grants = [
      ...userFeatures(['ann'], ['quotes', 'saint']),
      ...tenantFlags(tenant, ['quote-management'], 'system-license'),
    ];

    const result = await ledger.applyGrants(grantCall(tenant, 'sub-1', 'order-1', grants));

    expect(result).toEqual({ inserted: 3, alreadyPresent: 0, orderRevoked: false });
    expect(await grantRows(tenant)).toHaveLength(3);
    const events = await licenseEvents(tenant);
    expect(events.map((e) => [e.type, e.payload.feature, e.orderId]).sort()).toEqual([
      ['license.granted', 'quote-management', 'order-1'],
      ['license.granted', 'quotes', 'order-1'],
      ['license.granted', 'saint', 'order-1'],
    ]);
  });

  it('when the same grants are applied again, then nothing new is written', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const call = grantCall(tenant, 'sub-1', 'order-1', userFeatures(['ann', 'bob'], ['quotes']));
    await ledger.applyGrants(call);

    const again = await ledger.applyGrants(call);

    expect(again).toEqual({ inserted: 0, alreadyPresent: 2, orderRevoked: false });
    expect(await grantRows(tenant)).toHaveLength(2);
    expect(await licenseEvents(tenant)).toHaveLength(2);
  });

  it('when the same grants are applied many times at once, then there is one row and one event per grant', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const call = grantCall(
      tenant,
      'sub-1',
      'order-1',
      userFeatures(['ann', 'bob', 'cid'], ['quotes', 'saint']),
    );

    const results = await Promise.all(Array.from({ length: 20 }, () => ledger.applyGrants(call)));

    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(6);
    expect(await grantRows(tenant)).toHaveLength(6);
    expect(await licenseEvents(tenant)).toHaveLength(6);
  });

  it('when a subscription is revoked, then the features other subscriptions grant stay', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    // Grants count only through a subscription in force.
    await ledger.recordSubscription(
      planSubscription(`sales-of-${tenant}`, tenant, 'sales-premium', 1),
    );
    await ledger.recordSubscription(
      planSubscription(`service-of-${tenant}`, tenant, 'service-premium', 1),
    );
    await ledger.applyGrants({
      ...grantCall(tenant, 'sales', 'order-1', [
        ...userFeatures(['ann'], ['saint', 'quotes']),
        ...tenantFlags(tenant, ['sales-intelligence', 'quote-management'], 'system-license'),
      ]),
    });
    await ledger.applyGrants({
      ...grantCall(tenant, 'service', 'order-2', [
        ...userFeatures(['ann'], ['saint', 'escalation']),
        ...tenantFlags(tenant, ['sales-intelligence'], 'system-license'),
      ]),
      productKey: 'service-premium',
    });

    const result = await ledger.revokeGrants({
      orderId: 'cancel-1',
      tenantId: tenant,
      subscriptionId: `sales-of-${tenant}`,
      reason: 'cancelled',
    });

    expect(result).toEqual({ revoked: 4, repeated: false });
    const ann = await ledger.userEntitlements(tenant, 'ann');
    expect(ann.features.map((f) => [f.feature, f.sources.map((s) => s.subscriptionId)])).toEqual([
      ['escalation', [`service-of-${tenant}`]],
      ['saint', [`service-of-${tenant}`]],
    ]);
    expect(ann.tenantFlags.map((f) => f.feature)).toEqual(['sales-intelligence']);
  });

  it('when a revocation is repeated, then nothing more is revoked and no event is added', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    await ledger.applyGrants(
      grantCall(tenant, 'sub-1', 'order-1', userFeatures(['ann'], ['quotes'])),
    );
    const revoke = {
      orderId: 'order-1',
      tenantId: tenant,
      subscriptionId: `sub-1-of-${tenant}`,
      reason: 'compensation',
    };

    const results = await Promise.all([ledger.revokeGrants(revoke), ledger.revokeGrants(revoke)]);

    expect(results.map((r) => r.revoked).sort()).toEqual([0, 1]);
    expect(results.filter((r) => r.repeated)).toHaveLength(1);
    const events = await licenseEvents(tenant);
    expect(events.map((e) => [e.type, e.payload.reason ?? null])).toEqual([
      ['license.granted', null],
      ['license.revoked', 'compensation'],
    ]);
  });

  it('when a compensated order is retried late, then it grants nothing; a later order on the subscription can', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const call = grantCall(tenant, 'sub-1', 'order-1', userFeatures(['ann'], ['quotes']));
    // The compensation may even run before the grant step's only successful attempt lands.
    await ledger.revokeGrants({
      orderId: 'order-1',
      tenantId: tenant,
      subscriptionId: `sub-1-of-${tenant}`,
      reason: 'compensation',
    });

    expect(await ledger.applyGrants(call)).toEqual({
      inserted: 0,
      alreadyPresent: 0,
      orderRevoked: true,
    });
    expect(await grantRows(tenant)).toEqual([]);

    expect((await ledger.applyGrants({ ...call, orderId: 'order-2' })).inserted).toBe(1);
  });

  it('when writing the outbox event fails, then the grants are not written either', async () => {
    const { ledger, db } = opened();
    const tenant = uniqueId('tenant');
    await db.exec(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.payload->>'feature' = 'poison' THEN RAISE EXCEPTION 'outbox unavailable'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON license_events
        FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
    try {
      const call = grantCall(
        tenant,
        'sub-1',
        'order-1',
        userFeatures(['ann'], ['quotes', 'poison']),
      );

      await expect(ledger.applyGrants(call)).rejects.toThrow('outbox unavailable');

      expect(await grantRows(tenant)).toEqual([]);
      expect(await licenseEvents(tenant)).toEqual([]);
    } finally {
      await db.exec('DROP TRIGGER refuse_poison ON license_events; DROP FUNCTION refuse_poison()');
    }
  });

  it('when a grant gives a system license to a user or a flag to another tenant, then the input is refused naming the field', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    const toUser: GrantSpec = {
      subject: { type: 'user', id: 'ann' },
      feature: 'quote-management',
      kind: 'system-license',
    };
    const elsewhere = tenantFlags('another-tenant', ['cep-portal'], 'addon-feature');

    expect(await ledgerFailure(ledger.applyGrants(grantCall(tenant, 's', 'o', [toUser])))).toEqual({
      code: 'LEDGER.INVALID_INPUT',
      field: 'grants.0.kind',
    });
    expect(await ledgerFailure(ledger.applyGrants(grantCall(tenant, 's', 'o', elsewhere)))).toEqual(
      {
        code: 'LEDGER.INVALID_INPUT',
        field: 'grants.0.subject.id',
      },
    );
  });

  it('when raw SQL inserts a second active grant from the same source or mismatches kind and subject, then the database refuses', async () => {
    const { ledger, db } = opened();
    const tenant = uniqueId('tenant');
    await ledger.applyGrants(
      grantCall(tenant, 'sub-1', 'order-1', userFeatures(['ann'], ['quotes'])),
    );
    const insert = `INSERT INTO grants (tenant_id, subject_type, subject_id, feature, kind,
                      source_subscription_id, source_product_key, granted_by_order_id)
                    VALUES ($1, $2, $3, $4, $5, $6, 'sales-premium', 'raw')`;
    const source = `sub-1-of-${tenant}`;

    const row = (subject: string, feature: string, kind: string) =>
      db.query(insert, [
        tenant,
        subject === tenant ? 'tenant' : 'user',
        subject,
        feature,
        kind,
        source,
      ]);

    expect(await sqlState(row('ann', 'quotes', 'feature'))).toBe('23505');
    expect(await sqlState(row('ann', 'x', 'system-license'))).toBe('23514');
    expect(await sqlState(row(tenant, 'x', 'feature'))).toBe('23514');
    const flagOfAnotherTenant = [tenant, 'tenant', 'other', 'x', 'addon-feature', source];
    expect(await sqlState(db.query(insert, flagOfAnotherTenant))).toBe('23514');
  });

  it('when the grant history is read, then every grant and revocation shows its order, page by page', async () => {
    const { ledger } = opened();
    const tenant = uniqueId('tenant');
    await ledger.applyGrants(
      grantCall(tenant, 'sub-1', 'order-1', userFeatures(['ann', 'bob'], ['quotes'])),
    );
    await ledger.applyGrants(
      grantCall(tenant, 'sub-2', 'order-2', tenantFlags(tenant, ['cep-portal'], 'addon-feature')),
    );
    await ledger.revokeGrants({
      orderId: 'order-1',
      tenantId: tenant,
      subscriptionId: `sub-1-of-${tenant}`,
      reason: 'compensation',
    });

    const first = await ledger.grantHistory(tenant, { limit: 2 });
    const second = await ledger.grantHistory(tenant, {
      limit: 2,
      after: first.nextCursor ?? undefined,
    });

    expect(first.nextCursor).not.toBeNull();
    expect(second.nextCursor).toBeNull();
    const entries = [...first.entries, ...second.entries];
    expect(
      entries.map((e) => [
        e.subjectId,
        e.feature,
        e.grantedByOrderId,
        e.revokedByOrderId,
        e.revokeReason,
      ]),
    ).toEqual([
      ['ann', 'quotes', 'order-1', 'order-1', 'compensation'],
      ['bob', 'quotes', 'order-1', 'order-1', 'compensation'],
      [tenant, 'cep-portal', 'order-2', null, null],
    ]);
    expect(entries.every((e) => !Number.isNaN(Date.parse(e.grantedAt)))).toBe(true);
  });

  it('when the history of an unknown tenant is read, then the ledger says the tenant is not found', async () => {
    expect(await ledgerFailure(opened().ledger.grantHistory('nobody'))).toEqual({
      code: 'LEDGER.TENANT_NOT_FOUND',
      field: 'tenantId',
    });
  });
});
