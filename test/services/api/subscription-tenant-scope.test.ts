import type { FastifyInstance } from 'fastify';
import { parseApiKeys } from '../../../src/api/api-keys';
import { buildApi } from '../../../src/api/app';
import { ledgerEngines, uniqueId, useTestLedger } from '../ledger/engines';
import { planSubscription } from '../ledger/fixtures';
import { bearer } from './api-harness';
import { serveForTest, type TestClient } from './http-client';
import { subscriptionsWithoutTemporal } from './subscriptions-without-temporal';

const ACME = {
  read: 'acme-read-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  checkout: 'acme-shop-key-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  ops: 'acme-ops-key-cccccccccccccccccccccccccccccccc',
};

/**
 * Tenant-A keys on tenant B's subscription routes, over a real ledger and a Temporal
 * client that reaches nothing: each answer must be the 404 the same key gets for a
 * tenant or subscription that does not exist, and nothing may be recorded or started.
 */
describe.each(ledgerEngines())('subscription routes under tenant-scoped keys on %s', (engine) => {
  const opened = useTestLedger(engine);
  let closeTemporal = async () => undefined as void;
  let app: FastifyInstance;
  let client: TestClient;
  const acme = uniqueId('acme');
  const globex = uniqueId('globex');
  const missingTenant = uniqueId('nobody');
  const globexSub = uniqueId('sub');
  const missingSub = uniqueId('sub');

  beforeAll(async () => {
    const { ledger } = opened();
    const built = subscriptionsWithoutTemporal(ledger, { taskQueue: 'subscription-scope-test' });
    closeTemporal = built.close;
    const subscriptions = built.subscriptions;
    const apiKeys = parseApiKeys(
      [
        `acme-reports:read:${acme}:${ACME.read}`,
        `acme-shop:checkout:${acme}:${ACME.checkout}`,
        `acme-ops:ops:${acme}:${ACME.ops}`,
      ].join(','),
    );
    app = buildApi({ ledger, apiKeys, subscriptions });
    client = await serveForTest(app);
    await ledger.recordSubscription(planSubscription(globexSub, globex, 'sales-essentials', 3));
  });

  afterAll(async () => {
    await app.close();
    await closeTemporal();
  });

  /** An answer with the ids it names blanked, so two 404s compare as the caller sees them. */
  async function answer(key: string, method: string, path: string, body?: unknown) {
    const response = await client.request(method, path, { headers: bearer(key), body });
    const text = [globex, missingTenant, globexSub, missingSub].reduce(
      (blanked, id) => blanked.split(id).join('<id>'),
      response.body,
    );
    return { status: response.statusCode, body: text };
  }

  const change = { kind: 'cancel', changeId: 'bye-1' };
  const tenantRoutes = (tenant: string, sub: string) =>
    [
      ['read', 'GET', `/v1/tenants/${tenant}/subscriptions`],
      ['read', 'GET', `/v1/tenants/${tenant}/subscriptions/${sub}`],
      ['read', 'GET', `/v1/tenants/${tenant}/subscriptions/${sub}/changes/bye-1`],
      ['checkout', 'POST', `/v1/tenants/${tenant}/subscriptions/${sub}/changes`],
      ['ops', 'POST', `/v1/tenants/${tenant}/subscriptions/${sub}/changes`],
    ] as const;

  it("when a tenant-A key calls each of tenant B's subscription routes, then it gets the 404 of a tenant that does not exist", async () => {
    const theirs = tenantRoutes(globex, globexSub);
    const nobodys = tenantRoutes(missingTenant, missingSub);
    for (const [i, [role, method, path]] of theirs.entries()) {
      const body = method === 'POST' ? change : undefined;
      const got = await answer(ACME[role], method, path, body);
      const missing = await answer(ACME[role], method, nobodys[i][2], body);

      expect({ role, method, path, ...got }).toEqual({ role, method, path, ...missing });
      expect(got.status).toBe(404);
    }
    // Nothing was recorded for tenant B's subscription.
    expect(await opened().ledger.listChanges(globexSub)).toEqual([]);
  });

  it("when a tenant-A ops key decides on tenant B's subscription change, then it is the 404 of an unknown subscription", async () => {
    for (const action of ['retry', 'abort']) {
      const path = (sub: string) => `/v1/ops/subscriptions/${sub}/changes/bye-1/${action}`;
      const got = await answer(ACME.ops, 'POST', path(globexSub), { reason: 'test' });
      const missing = await answer(ACME.ops, 'POST', path(missingSub), { reason: 'test' });

      expect(got).toEqual(missing);
      expect(got.status).toBe(404);
    }
  });

  it("when a tenant-A ops key lists tenant B's stuck changes, then the list is empty", async () => {
    const listed = await answer(ACME.ops, 'GET', `/v1/ops/subscription-changes?tenantId=${globex}`);
    expect(listed).toEqual({ status: 200, body: JSON.stringify({ changes: [] }) });
  });
});
