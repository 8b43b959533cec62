import { parseArguments, runReconcile } from '../../src/cli/commands/reconcile';
import { UsageError } from '../../src/cli/command';
import { reconcile, type Drift } from '../../src/reconcile/reconcile';
import { reconcileWorkflow } from '../../workflows/reconcile-workflow';
import {
  addonOrder,
  isFinal,
  planOrder,
  startOrderStack,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

let stack: OrderStack;
const startedAt = new Date(Date.now() - 60_000).toISOString();

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

afterEach(() => {
  stack.stripe!.faults.clear();
});

async function completed(order: Record<string, unknown> & { orderId: string }) {
  expect((await stack.http.placeOrder(order)).status).toBe(201);
  const done = await waitForOrder(stack, order.orderId, isFinal);
  expect(done.state).toBe('completed');
  return done;
}

async function driftsOf(orderId: string, now?: number): Promise<Drift['kind'][]> {
  const report = await reconcile(stack.services, { since: startedAt, now });
  return report.drifts.filter((d) => d.orderId === orderId).map((d) => d.kind);
}

describe('provisioner reconcile', () => {
  test('when an order completed and nothing was touched, then there is no drift for it', async () => {
    const order = planOrder();
    await completed(order);
    expect(await driftsOf(order.orderId)).toEqual([]);
  });

  test('when the licenses of a captured order are revoked by hand, then it reports captured without licenses', async () => {
    const order = planOrder();
    const done = await completed(order);
    await stack.services.ledger.revokeGrants({
      orderId: 'by-hand',
      tenantId: order.tenantId,
      subscriptionId: done.subscriptionId,
      reason: 'planted drift',
    });
    expect(await driftsOf(order.orderId)).toEqual(['captured-without-licenses']);
  });

  test('when the paid period of an order is lost, then it reports licenses without a paid period', async () => {
    const order = planOrder();
    const done = await completed(order);
    await stack.services.ledger.db.query(
      'DELETE FROM subscription_periods WHERE subscription_id = $1',
      [done.subscriptionId],
    );
    expect(await driftsOf(order.orderId)).toEqual(['licenses-without-payment']);
  });

  test('when an authorization stays uncaptured for more than an hour, then it is reported', async () => {
    stack.stripe!.faults.add({
      type: 'error-before-write',
      method: 'POST',
      path: '/v1/payment_intents/',
      times: 2,
    });
    const order = planOrder();
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    await waitForOrder(stack, order.orderId, (s) => s.state === 'needs-attention');

    expect(await driftsOf(order.orderId)).toEqual([]);
    expect(await driftsOf(order.orderId, Date.now() + 2 * 60 * 60 * 1000)).toEqual([
      'authorization-uncaptured',
    ]);
  });

  test('when a payment is refunded in Stripe outside the product, then the refund without a revocation is reported', async () => {
    const order = planOrder();
    const done = await completed(order);
    await stack.stripe!.createClient().refunds.create({
      payment_intent: done.payment!.paymentIntentId,
    });
    expect(await driftsOf(order.orderId)).toEqual(
      expect.arrayContaining(['refund-without-revocation']),
    );
  });

  test('when a subscription ends but its portal is still provisioned, then the resource is reported', async () => {
    const order = addonOrder('cep');
    const done = await completed(order);
    await stack.services.ledger.updateSubscriptionStatus(done.subscriptionId, 'ended', {
      reason: 'planted drift',
    });
    const report = await reconcile(stack.services, { since: startedAt });
    expect(report.drifts.filter((d) => d.orderId === order.orderId)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'resource-without-subscription',
          resource: `cep-${done.subscriptionId}`,
        }),
      ]),
    );
  });

  test('when there is drift, then the command prints it as JSON and exits 1; without, it exits 0', async () => {
    const order = planOrder();
    const done = await completed(order);
    await stack.services.ledger.revokeGrants({
      orderId: 'by-hand',
      tenantId: order.tenantId,
      subscriptionId: done.subscriptionId,
      reason: 'planted drift',
    });
    let out = '';
    const io = { out: (text: string) => (out += text), err: () => undefined };

    const code = await runReconcile(stack.services, { since: startedAt, json: true }, io);
    expect(code).toBe(1);
    const printed = JSON.parse(out) as { drifts: Drift[] };
    expect(printed.drifts.map((d) => d.orderId)).toContain(order.orderId);

    out = '';
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await runReconcile(stack.services, { since: future, json: false }, io)).toBe(0);
    expect(out).toMatch(/no drift/);
  });

  test('when --since is neither a time nor a window, then the usage error names it', () => {
    expect(() => parseArguments(['--since', 'yesterday'], Date.now())).toThrow(UsageError);
    expect(() => parseArguments(['--since', 'yesterday'], Date.now())).toThrow(/--since/);
    expect(parseArguments(['--since', '24h'], Date.parse('2026-01-02T00:00:00Z'))).toEqual({
      since: '2026-01-01T00:00:00.000Z',
      json: false,
    });
  });

  test('when the reconcile workflow runs (as a schedule would start it), then its result is the report', async () => {
    const order = planOrder();
    await completed(order);
    const report = await stack.client.workflow.execute(reconcileWorkflow, {
      workflowId: `reconcile-${order.orderId}`,
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      args: [{ windowMs: 60 * 60 * 1000 }],
    });
    expect(report.checkedOrders).toBeGreaterThan(0);
    expect(report.drifts.filter((d) => d.orderId === order.orderId)).toEqual([]);
  });
});
