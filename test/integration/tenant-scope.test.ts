import { randomUUID } from 'node:crypto';
import {
  addonOrder,
  OPS_KEY,
  planOrder,
  READ_KEY,
  startOrderStack,
  STACK_API_KEYS,
  uniqueId,
  waitForOrder,
  waitForVisibility,
  type OrderStack,
} from './support/order-stack';
import type { OrderStatus } from '../../workflows/order-types';

interface ErrorBody {
  error: { code: string; message: string };
}

/** Two tenants, and keys limited to the first. */
const acme = uniqueId('acme');
const globex = uniqueId('globex');
const ACME = {
  checkout: `acme-shop-${randomUUID()}`,
  read: `acme-read-${randomUUID()}`,
  ops: `acme-ops-${randomUUID()}`,
};

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack({
    API_KEYS: [
      STACK_API_KEYS,
      `acme-shop:checkout:${acme}:${ACME.checkout}`,
      `acme-reports:read:${acme}:${ACME.read}`,
      `acme-ops:ops:${acme}:${ACME.ops}`,
    ].join(','),
  });
});

afterAll(async () => {
  await stack?.close();
});

const needsAttention = (s: OrderStatus) => s.state === 'needs-attention';

describe('when keys are limited to one tenant', () => {
  test("then another tenant's order reads exactly like an order that does not exist", async () => {
    const order = planOrder({ tenantId: globex });
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    const missing = uniqueId('missing');

    for (const key of Object.values(ACME)) {
      const other = await stack.http.call<ErrorBody>('GET', `/v1/orders/${order.orderId}`, key);
      const absent = await stack.http.call<ErrorBody>('GET', `/v1/orders/${missing}`, key);

      expect(other.status).toBe(404);
      expect(JSON.stringify(other.body).replace(order.orderId, 'X')).toBe(
        JSON.stringify(absent.body).replace(missing, 'X'),
      );
    }
    const own = await stack.http.call<OrderStatus>('GET', `/v1/orders/${order.orderId}`, READ_KEY);
    expect(own.status).toBe(200);
  });

  test('then checkout for another tenant is a 404 and starts nothing', async () => {
    const order = planOrder({ tenantId: uniqueId('globex') });

    const refused = await stack.http.call<ErrorBody>('POST', '/v1/orders', ACME.checkout, order);

    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('LEDGER.TENANT_NOT_FOUND');
    const status = await stack.http.order(order.orderId);
    expect(status.status).toBe(404);
  });

  test('then an order id already used by another tenant is a 409 that does not name that tenant', async () => {
    const theirs = planOrder({ tenantId: globex, assignTo: ['carol'] });
    expect((await stack.http.placeOrder(theirs)).status).toBe(201);

    const mine = planOrder({ tenantId: acme, orderId: theirs.orderId });
    const reused = await stack.http.call<ErrorBody>('POST', '/v1/orders', ACME.checkout, mine);

    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('ORDER.CONFLICT');
    expect(JSON.stringify(reused.body)).not.toContain(globex);
  });

  test('then an ops key of that tenant lists and decides only its orders, under its own name', async () => {
    stack.simulators!.cep.faults.outage(503);
    try {
      const ours = addonOrder('cep', { tenantId: acme });
      const theirs = addonOrder('cep', { tenantId: globex });
      expect((await stack.http.placeOrder(ours)).status).toBe(201);
      expect((await stack.http.placeOrder(theirs)).status).toBe(201);
      await waitForOrder(stack, ours.orderId, needsAttention);
      await waitForOrder(stack, theirs.orderId, needsAttention);
      await waitForVisibility(
        stack,
        `NeedsAttention = true AND TenantId IN ('${acme}', '${globex}')`,
        (executions) => executions.length >= 2,
      );

      const listed = await stack.http.call<{ orders: { orderId: string; tenantId: string }[] }>(
        'GET',
        '/v1/ops/orders',
        ACME.ops,
      );
      expect(listed.status).toBe(200);
      expect(listed.body.orders.map((o) => o.tenantId)).toEqual(listed.body.orders.map(() => acme));
      expect(listed.body.orders.map((o) => o.orderId)).toContain(ours.orderId);
      const filtered = await stack.http.call<{ orders: unknown[] }>(
        'GET',
        `/v1/ops/orders?tenantId=${globex}`,
        ACME.ops,
      );
      expect(filtered.body.orders).toEqual([]);

      const refused = await stack.http.call<ErrorBody>(
        'POST',
        `/v1/ops/orders/${theirs.orderId}/abort`,
        ACME.ops,
        { reason: 'not yours' },
      );
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe('ORDER.NOT_FOUND');

      const aborted = await stack.http.call<OrderStatus>(
        'POST',
        `/v1/ops/orders/${ours.orderId}/abort`,
        ACME.ops,
        { by: 'someone-else@example.com', reason: 'customer asked' },
      );
      expect(aborted.status).toBe(200);
      expect(aborted.body.decisions).toEqual([
        expect.objectContaining({ action: 'abort', by: 'acme-ops', reason: 'customer asked' }),
      ]);
      const untouched = await stack.http.order(theirs.orderId);
      expect(untouched.body.state).toBe('needs-attention');
    } finally {
      stack.simulators!.cep.faults.clear();
    }
  });

  test('then ops lists come by pages, and a forged page token is a 400 naming it', async () => {
    const tenant = uniqueId('paged');
    stack.simulators!.cep.faults.outage(503);
    try {
      const orders = [1, 2, 3].map(() => addonOrder('cep', { tenantId: tenant }));
      for (const order of orders) expect((await stack.http.placeOrder(order)).status).toBe(201);
      for (const order of orders) await waitForOrder(stack, order.orderId, needsAttention);
      await waitForVisibility(
        stack,
        `NeedsAttention = true AND TenantId = '${tenant}'`,
        (executions) => executions.length === 3,
      );

      type Page = { orders: { orderId: string }[]; nextPageToken?: string };
      const list = (query: string) =>
        stack.http.call<Page>('GET', `/v1/ops/orders?tenantId=${tenant}&${query}`, OPS_KEY);
      const first = await list('pageSize=2');
      const second = await list(`pageSize=2&nextPageToken=${first.body.nextPageToken}`);

      expect(first.body.orders).toHaveLength(2);
      expect(first.body.nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(second.body.orders).toHaveLength(1);
      expect(second.body.nextPageToken).toBeUndefined();
      expect([...first.body.orders, ...second.body.orders].map((o) => o.orderId).sort()).toEqual(
        orders.map((o) => o.orderId).sort(),
      );

      const forged = await stack.http.call<{ error: { fields: { path: string }[] } }>(
        'GET',
        '/v1/ops/orders?nextPageToken=Zm9yZ2Vk',
        OPS_KEY,
      );
      expect(forged.status).toBe(400);
      expect(forged.body.error.fields[0].path).toBe('nextPageToken');
      for (const order of orders) await stack.http.ops('abort', order.orderId);
    } finally {
      stack.simulators!.cep.faults.clear();
    }
  });
});
