import { randomUUID } from 'node:crypto';
import {
  parseArguments,
  parseRunsArguments,
  runReconcile,
  showRuns,
} from '../../src/cli/commands/reconcile';
import type { ReconcileRun } from '../../src/ledger';
import { scheduledJobs } from '../../src/schedules/jobs';
import { applySchedules, triggerSchedule } from '../../src/schedules/schedules';
import { UsageError } from '../../src/cli/command';
import { reconcile, type Drift } from '../../src/reconcile/reconcile';
import { reconcileWorkflow } from '../../workflows/reconcile-workflow';
import {
  addonOrder,
  isFinal,
  planOrder,
  startOrderStack,
  OPS_KEY,
  READ_KEY,
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

/** A completed order whose licenses are then revoked by hand: Stripe keeps its money. */
async function capturedWithoutLicenses() {
  const order = planOrder();
  const done = await completed(order);
  await stack.services.ledger.revokeGrants({
    orderId: 'by-hand',
    tenantId: order.tenantId,
    subscriptionId: done.subscriptionId,
    reason: 'planted drift',
  });
  return order;
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

  test('when a plan is bought without assigning anyone, then its seats are licenses paid for and there is no drift', async () => {
    const order = planOrder({ plan: 'marketing-premium', seats: 3, assignTo: [] });
    await completed(order);
    expect(await driftsOf(order.orderId)).toEqual([]);
  });

  test('when the licenses of a captured order are revoked by hand, then it reports captured without licenses', async () => {
    const order = await capturedWithoutLicenses();
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
    const order = await capturedWithoutLicenses();
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
    expect(() => parseRunsArguments(['runs', '--limit', '0'])).toThrow(/--limit/);
    expect(() => parseRunsArguments(['show'])).toThrow(/ID/);
    expect(parseRunsArguments(['runs', '--next', '41', '--json'])).toEqual({
      action: 'runs',
      limit: 20,
      next: '41',
      json: true,
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

  test('when the daily schedule runs, then its report is kept and ops list it with its drift', async () => {
    const order = await capturedWithoutLicenses();
    // The product's own job, under an id of this test's (the dev server is shared).
    const job = scheduledJobs(stack.config).find((j) => j.id === 'reconcile')!;
    const scheduleId = `reconcile-${randomUUID()}`;
    await applySchedules(
      stack.client,
      [{ ...job, id: scheduleId }],
      stack.config.TEMPORAL_TASK_QUEUE,
    );
    try {
      await triggerSchedule(stack.client, scheduleId);
      const run = await keptRun((r) => r.runId.startsWith(`${scheduleId}-`));

      expect(run).toMatchObject({ trigger: 'schedule' });
      expect(run.driftCount).toBe(run.drifts.length);
      expect(run.drifts).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'captured-without-licenses', orderId: order.orderId }),
        ]),
      );

      const listed = await stack.http.call<{ runs: ReconcileRun[] }>(
        'GET',
        '/v1/ops/reconcile-runs?pageSize=5',
        OPS_KEY,
      );
      expect(listed.status).toBe(200);
      const fromApi = listed.body.runs.find((r) => r.runId === run.runId);
      expect(fromApi?.drifts.map((d) => d.orderId)).toContain(order.orderId);

      let out = '';
      const io = { out: (text: string) => (out += text), err: () => undefined };
      expect(await showRuns(stack.services.ledger, parseRunsArguments(['runs']), io)).toBe(0);
      expect(out).toContain(run.runId);
      out = '';
      expect(await showRuns(stack.services.ledger, parseRunsArguments(['show', run.id]), io)).toBe(
        0,
      );
      expect(out).toMatch(new RegExp(`captured-without-licenses[\\s\\S]*${order.orderId}`));
    } finally {
      await stack.client.schedule.getHandle(scheduleId).delete();
    }
  });

  test('when reconcile runs by hand, then its report is kept too, and the read key may not list runs', async () => {
    const io = { out: () => undefined, err: () => undefined };
    await runReconcile(stack.services, { since: startedAt, json: true }, io);
    const { runs } = await stack.services.ledger.listReconcileRuns({ pageSize: 1 });
    expect(runs[0]).toMatchObject({ trigger: 'command' });
    expect(runs[0].runId).toMatch(/^command-/);

    const asReader = await stack.http.call('GET', '/v1/ops/reconcile-runs', READ_KEY);
    expect(asReader.status).toBe(403);
    const bad = await stack.http.call('GET', '/v1/ops/reconcile-runs?pageSize=0', OPS_KEY);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('pageSize');
  });
});

/** The kept run `match` picks, once the schedule's workflow has recorded it. */
async function keptRun(match: (run: ReconcileRun) => boolean): Promise<ReconcileRun> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { runs } = await stack.services.ledger.listReconcileRuns({ pageSize: 20 });
    const run = runs.find(match);
    if (run) return run;
    if (Date.now() > deadline) throw new Error('the scheduled reconcile run was never kept');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
