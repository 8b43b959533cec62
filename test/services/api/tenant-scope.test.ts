import type { FastifyInstance } from 'fastify';
import { parseApiKeys } from '../../../src/api/api-keys';
import { buildApi } from '../../../src/api/app';
import { ledgerEngines, uniqueId, useTestLedger } from '../ledger/engines';
import { planSubscription, userFeatures } from '../ledger/fixtures';
import { bearer } from './api-harness';
import { serveForTest, type TestClient } from './http-client';

const SCOPED = {
  read: 'acme-read-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  checkout: 'acme-shop-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  ops: 'acme-ops-key-cccccccccccccccccccccccccccccccc',
};
const EVERY_TENANT = 'all-tenants-read-key-dddddddddddddddddddddd';

describe.each(ledgerEngines())('tenant-scoped API keys on %s', (engine) => {
  const opened = useTestLedger(engine);
  let app: FastifyInstance;
  let client: TestClient;
  let acme: string;
  let globex: string;
  const missing = 'no-such-tenant';

  beforeAll(async () => {
    const { ledger } = opened();
    acme = uniqueId('acme');
    globex = uniqueId('globex');
    for (const tenant of [acme, globex]) {
      const subscription = uniqueId('sub');
      await ledger.recordSubscription(planSubscription(subscription, tenant, 'sales-premium', 2));
      await ledger.assignSeats({
        subscriptionId: subscription,
        tenantId: tenant,
        plan: 'sales-premium',
        userIds: ['ann'],
        orderId: `order-${tenant}`,
      });
      await ledger.applyGrants({
        orderId: `order-${tenant}`,
        tenantId: tenant,
        subscriptionId: subscription,
        productKey: 'sales-premium',
        grants: userFeatures(['ann'], ['quotes']),
      });
    }
    const apiKeys = parseApiKeys(
      [
        `acme-reports:read:${acme}:${SCOPED.read}`,
        `acme-shop:checkout:${acme}:${SCOPED.checkout}`,
        `acme-ops:ops:${acme}:${SCOPED.ops}`,
        `reports:read:*:${EVERY_TENANT}`,
      ].join(','),
    );
    app = buildApi({ ledger, apiKeys });
    client = await serveForTest(app);
  });

  afterAll(async () => {
    await app.close();
  });

  const routes = (tenant: string) => [
    `/v1/tenants/${tenant}/entitlements`,
    `/v1/tenants/${tenant}/users/ann/entitlements`,
    `/v1/tenants/${tenant}/seats`,
    `/v1/tenants/${tenant}/audit`,
  ];

  it.each(Object.entries(SCOPED))(
    "when a %s key reads its own tenant, then it gets the tenant's data",
    async (_role, key) => {
      for (const url of routes(acme)) {
        const response = await client.request('GET', url, { headers: bearer(key) });

        expect([url, response.statusCode]).toEqual([url, 200]);
      }
    },
  );

  it.each(Object.entries(SCOPED))(
    'when a %s key reads another tenant, then it gets the very 404 of a tenant that does not exist',
    async (_role, key) => {
      const [entitlements, userEntitlements, seats, audit] = routes(globex);
      const [unknownEntitlements, unknownUser] = routes(missing);
      // What a key of every tenant gets for a tenant that does not exist.
      const unknown = await client.request('GET', unknownEntitlements, {
        headers: bearer(EVERY_TENANT),
      });
      const unknownForUser = await client.request('GET', unknownUser, {
        headers: bearer(EVERY_TENANT),
      });
      expect(unknown.statusCode).toBe(404);

      for (const [url, answer] of [
        [entitlements, unknown],
        [userEntitlements, unknownForUser],
        [seats, unknown],
        [audit, unknown],
      ] as const) {
        const forbidden = await client.request('GET', url, { headers: bearer(key) });

        expect([url, forbidden.statusCode]).toEqual([url, 404]);
        expect(forbidden.body.replaceAll(globex, 'T')).toBe(answer.body.replaceAll(missing, 'T'));
      }
    },
  );
});
