import type { FastifyInstance } from 'fastify';
import { ledgerEngines, uniqueId, useTestLedger } from '../ledger/engines';
import {
  addonSubscription,
  currentPeriod,
  planSubscription,
  tenantFlags,
  userFeatures,
} from '../ledger/fixtures';
import { KEYS, bearer, testApi } from './api-harness';
import { serveForTest, type TestClient } from './http-client';

describe.each(ledgerEngines())('entitlement routes on %s', (engine) => {
  const opened = useTestLedger(engine);
  let app: FastifyInstance;
  let client: TestClient;
  let tenant: string;
  let sales: string;

  beforeAll(async () => {
    const { ledger } = opened();
    app = testApi(ledger);
    client = await serveForTest(app);
    tenant = uniqueId('tenant');
    sales = uniqueId('sales');
    const cep = uniqueId('cep');
    await ledger.recordSubscription(planSubscription(sales, tenant, 'sales-premium', 3));
    await ledger.recordSubscription(addonSubscription(cep, tenant, 'cep'));
    await ledger.assignSeats({
      subscriptionId: sales,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: ['ann', 'bob'],
      orderId: 'order-1',
    });
    await ledger.applyGrants({
      orderId: 'order-1',
      tenantId: tenant,
      subscriptionId: sales,
      productKey: 'sales-premium',
      grants: [
        ...userFeatures(['ann', 'bob'], ['quotes', 'saint']),
        ...tenantFlags(tenant, ['quote-management'], 'system-license'),
      ],
    });
    await ledger.applyGrants({
      orderId: 'order-2',
      tenantId: tenant,
      subscriptionId: cep,
      productKey: 'cep',
      grants: tenantFlags(tenant, ['customer-portal'], 'addon-feature'),
    });
  });

  afterAll(async () => {
    await app.close();
  });

  function get(url: string, key = KEYS.read) {
    return client.request('GET', url, { headers: bearer(key) });
  }

  it("when a user's entitlements are read, then the features and tenant flags come with their sources", async () => {
    const response = await get(`/v1/tenants/${tenant}/users/ann/entitlements`);

    expect(response.statusCode).toBe(200);
    const body = response.json<{
      userId: string;
      plans: string[];
      features: { feature: string; sources: { subscriptionId: string; orderId: string }[] }[];
      tenantFlags: { feature: string; kind: string }[];
    }>();
    expect(body.userId).toBe('ann');
    expect(body.plans).toEqual(['sales-premium']);
    expect(body.features.map((f) => f.feature)).toEqual(['quotes', 'saint']);
    expect(body.features[0].sources).toEqual([
      expect.objectContaining({ subscriptionId: sales, orderId: 'order-1' }),
    ]);
    expect(body.tenantFlags.map((f) => [f.feature, f.kind])).toEqual([
      ['customer-portal', 'addon-feature'],
      ['quote-management', 'system-license'],
    ]);
  });

  it("when a tenant's entitlements are read, then every user is listed", async () => {
    const response = await get(`/v1/tenants/${tenant}/entitlements`, KEYS.checkout);

    expect(response.statusCode).toBe(200);
    const body = response.json<{ users: { userId: string }[]; tenantFlags: unknown[] }>();
    expect(body.users.map((u) => u.userId)).toEqual(['ann', 'bob']);
    expect(body.tenantFlags).toHaveLength(2);
  });

  it("when a tenant's entitlements are read by pages, then every user comes once, in order, with the flags on each page", async () => {
    const first = await get(`/v1/tenants/${tenant}/entitlements?pageSize=1`);
    const firstBody = first.json<{ users: { userId: string }[]; nextPageToken: string | null }>();
    const second = await get(
      `/v1/tenants/${tenant}/entitlements?pageSize=1&pageToken=${firstBody.nextPageToken}`,
    );
    const secondBody = second.json<{
      users: { userId: string }[];
      tenantFlags: unknown[];
      nextPageToken: string | null;
    }>();

    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(firstBody.users.map((u) => u.userId)).toEqual(['ann']);
    expect(secondBody.users.map((u) => u.userId)).toEqual(['bob']);
    expect(secondBody.tenantFlags).toHaveLength(2);
    expect(secondBody.nextPageToken).toBeNull();
  });

  it('when a page token or size is malformed, then 400 names it', async () => {
    const token = await get(`/v1/tenants/${tenant}/entitlements?pageToken=${'%25'.repeat(3)}`);
    const size = await get(`/v1/tenants/${tenant}/entitlements?pageSize=0`);

    expect([token.statusCode, size.statusCode]).toEqual([400, 400]);
    expect(token.json<{ error: { fields: { path: string }[] } }>().error.fields[0].path).toBe(
      'pageToken',
    );
    expect(size.json<{ error: { fields: { path: string }[] } }>().error.fields[0].path).toBe(
      'pageSize',
    );
  });

  it('when a client polls with the entity tag it holds, then 304 without a body until the entitlements change', async () => {
    const { ledger } = opened();
    const user = uniqueId('user');
    const tenant = uniqueId('tenant');
    const sales = uniqueId('sales');
    await ledger.recordSubscription(
      planSubscription(sales, tenant, 'sales-premium', 1, currentPeriod()),
    );
    await ledger.assignSeats({
      subscriptionId: sales,
      tenantId: tenant,
      plan: 'sales-premium',
      userIds: [user],
      orderId: 'order-3',
    });
    await ledger.applyGrants({
      orderId: 'order-3',
      tenantId: tenant,
      subscriptionId: sales,
      productKey: 'sales-premium',
      grants: userFeatures([user], ['quotes']),
    });
    const url = `/v1/tenants/${tenant}/users/${user}/entitlements`;
    const first = await get(url);
    const etag = first.headers.get('etag') ?? '';

    const unchanged = await client.request('GET', url, {
      headers: { ...bearer(KEYS.read), 'if-none-match': etag },
    });
    await ledger.releaseSeats({
      subscriptionId: sales,
      tenantId: tenant,
      userIds: [user],
      orderId: 'order-4',
      reason: 'unassigned',
    });
    let changed = unchanged;
    for (let i = 0; i < 50 && changed.statusCode === 304; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      changed = await client.request('GET', url, {
        headers: { ...bearer(KEYS.read), 'if-none-match': etag },
      });
    }

    expect(first.statusCode).toBe(200);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe('');
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(changed.json<{ features: unknown[] }>().features).toEqual([]);
  });

  it('when seats are read, then each plan shows bought, assigned and free', async () => {
    const response = await get(`/v1/tenants/${tenant}/seats`, KEYS.ops);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      tenantId: tenant,
      plans: [{ plan: 'sales-premium', bought: 3, assigned: 2, free: 1 }],
    });
  });

  it('when the audit is read page by page, then every grant appears once with its order', async () => {
    const first = await get(`/v1/tenants/${tenant}/audit?limit=4`);
    const { nextCursor, entries } = first.json<{
      nextCursor: string;
      entries: { grantedByOrderId: string }[];
    }>();
    const second = await get(`/v1/tenants/${tenant}/audit?limit=4&after=${nextCursor}`);

    expect(first.statusCode).toBe(200);
    expect(entries).toHaveLength(4);
    const rest = second.json<{
      nextCursor: string | null;
      entries: { grantedByOrderId: string }[];
    }>();
    expect(rest.nextCursor).toBeNull();
    expect([...entries, ...rest.entries].map((e) => e.grantedByOrderId)).toEqual([
      'order-1',
      'order-1',
      'order-1',
      'order-1',
      'order-1',
      'order-2',
    ]);
  });

  it('when the tenant is unknown, then 404 with the ledger code', async () => {
    const response = await get('/v1/tenants/nobody-here/users/ann/entitlements');

    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: expect.objectContaining({ code: 'LEDGER.TENANT_NOT_FOUND' }) as unknown,
    });
  });

  it('when an id is malformed, then 400 names the failing fields', async () => {
    const response = await get(`/v1/tenants/bad.tenant/users/${'u'.repeat(65)}/entitlements`);

    expect(response.statusCode).toBe(400);
    const { error } = response.json<{ error: { code: string; fields: { path: string }[] } }>();
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.fields.map((f) => f.path)).toEqual(['tenantId', 'userId']);
  });

  it('when the audit page size is out of range, then 400 names limit', async () => {
    const response = await get(`/v1/tenants/${tenant}/audit?limit=5000`);

    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { fields: { path: string }[] } }>().error.fields).toEqual([
      expect.objectContaining({ path: 'limit' }),
    ]);
  });
});
