import type { ChildProcess } from 'node:child_process';
import { startWorkerProcess as startWorker } from './support/worker-process';
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError } from '@temporalio/client';
import { CURRENT_CATALOG_VERSION } from '../../src/catalog';
import type { Ledger } from '../../src/ledger';
import type { Payments } from '../../src/payments';
import { renewalStepPolicy, subscriptionPolicy } from '../../src/runtime/temporal';
import { scheduledJobs } from '../../src/schedules/jobs';
import { applySchedules } from '../../src/schedules/schedules';
import { ORDER_STATE } from '../../src/domain/search-attributes';
import type { RenewalStatus, SweepInput } from '../../workflows/renewal-types';
import { renewalWorkflowId } from '../../workflows/subscription-types';
import { renewalStartOptions } from '../../activities/renewal-starter';
import { openTestDatabase, type TestDatabase } from '../services/ledger/engines';
import { OPS_KEY, OPS_KEY_NAME, startOrderStack, type OrderStack } from './support/order-stack';

/**
 * The sweeps on the dev server: Schedules exist there, and sweeps run side by side and
 * across a killed worker, with the real worker, ledger and the local Stripe emulator.
 */
const HOUR = 60 * 60 * 1000;

/** Subscriptions whose month ended an hour ago, each with a saved card; returns their ids. */
async function seedDue(ledger: Ledger, payments: Payments, count: number): Promise<string[]> {
  const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
  const customerId = await payments.ensureCustomer({ tenantId });
  const end = new Date(Date.now() - HOUR);
  const start = new Date(end.getTime() - 30 * 24 * HOUR);
  const ids = Array.from({ length: count }, (_, i) => `sub-${tenantId}-${i}`);
  for (const id of ids) {
    await ledger.recordSubscription({
      id,
      tenantId,
      kind: 'plan',
      productKey: 'sales-essentials',
      seats: 1,
      period: 'month',
      catalogVersion: CURRENT_CATALOG_VERSION,
      currentPeriodStart: start.toISOString(),
      currentPeriodEnd: end.toISOString(),
      stripeCustomerId: customerId,
      paymentMethodId: 'pm_card_visa',
      orderId: `order-of-${id}`,
    });
  }
  return ids;
}

function sweepInput(stack: OrderStack, overrides: Partial<SweepInput> = {}): SweepInput {
  return {
    job: 'renewals',
    pageSize: 5,
    concurrency: 4,
    policy: subscriptionPolicy(stack.config),
    steps: renewalStepPolicy(stack.config),
    ...overrides,
  };
}

/** Paid periods of these subscriptions: how many each, and their intents. */
async function paidPeriods(ledger: Ledger, ids: string[]) {
  return ledger.db.query<{ subscriptionId: string; paymentIntentId: string }>(
    `SELECT subscription_id AS "subscriptionId", payment_intent_id AS "paymentIntentId"
       FROM subscription_periods WHERE subscription_id = ANY($1::text[])`,
    [ids],
  );
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function expectEachRenewedOnce(stack: OrderStack, ids: string[], chargesBefore: number) {
  const ledger = stack.services.ledger;
  await until(async () => (await paidPeriods(ledger, ids)).length >= ids.length, 'the renewals');
  // Settle: a doubled renewal would show up as a second row or a second charge.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const periods = await paidPeriods(ledger, ids);
  expect(periods.map((p) => p.subscriptionId).sort()).toEqual([...ids].sort());
  expect(new Set(periods.map((p) => p.paymentIntentId)).size).toBe(ids.length);
  expect(stack.stripe!.stats.get('charges') - chargesBefore).toBe(ids.length);
  for (const period of periods) {
    expect(stack.stripe!.stats.forIntent(period.paymentIntentId)).toMatchObject({ charges: 1 });
  }
}

describe('in one process, on PGlite', () => {
  let stack: OrderStack;
  beforeAll(async () => {
    stack = await startOrderStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  test('when the schedules are applied twice, then there is one schedule per job, updated in place', async () => {
    const jobs = scheduledJobs(stack.config);
    try {
      const first = await applySchedules(stack.client, jobs, stack.config.TEMPORAL_TASK_QUEUE);
      const second = await applySchedules(
        stack.client,
        jobs.map((job) => ({ ...job, intervalMs: 2 * HOUR })),
        stack.config.TEMPORAL_TASK_QUEUE,
      );

      expect(first.map((s) => s.id)).toEqual(['renewal-sweep', 'period-end-changes', 'reconcile']);
      expect(second.map((s) => s.outcome)).toEqual(['updated', 'updated', 'updated']);
      const listed: string[] = [];
      await until(async () => {
        listed.length = 0;
        for await (const schedule of stack.client.schedule.list()) listed.push(schedule.scheduleId);
        return jobs.every((job) => listed.includes(job.id));
      }, 'the schedules in visibility');
      for (const job of jobs) expect(listed.filter((id) => id === job.id)).toHaveLength(1);
      const described = await stack.client.schedule.getHandle('renewal-sweep').describe();
      expect(described.spec.intervals?.[0]?.every).toBe(2 * HOUR);
      expect(described.action).toMatchObject({ workflowType: 'renewalSweepWorkflow' });
    } finally {
      for (const job of jobs) {
        await stack.client.schedule
          .getHandle(job.id)
          .delete()
          .catch((error: unknown) => {
            if (!(error instanceof ScheduleNotFoundError)) throw error;
          });
      }
    }
  });

  test('when two sweeps start at once over the same due subscriptions, then each subscription-period is charged once', async () => {
    const ids = await seedDue(stack.services.ledger, stack.services.payments, 12);
    const chargesBefore = stack.stripe!.stats.get('charges');

    const totals = await Promise.all(
      ['a', 'b'].map((name) =>
        stack.client.workflow.execute('renewalSweepWorkflow', {
          workflowId: `sweep-${name}-${randomUUID()}`,
          taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
          args: [sweepInput(stack)],
        }),
      ),
    );

    await expectEachRenewedOnce(stack, ids, chargesBefore);
    const started = totals.map((t) => (t as { started: number }).started);
    expect(started.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(ids.length);
  }, 120_000);

  test('when a sweep starts a renewal, then it lists as planning from its start and writes no state ops do not list by', async () => {
    const [id] = await seedDue(stack.services.ledger, stack.services.payments, 1);
    const sweepId = `sweep-listing-${randomUUID()}`;
    const started = stack.client.workflow.execute('renewalSweepWorkflow', {
      workflowId: sweepId,
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      args: [sweepInput(stack)],
    });
    const [row] = await stack.services.ledger.db.query<{ start: Date }>(
      'SELECT current_period_start AS start FROM subscriptions WHERE id = $1',
      [id],
    );
    const handle = stack.client.workflow.getHandle(
      renewalWorkflowId(id, new Date(row.start).toISOString()),
    );
    await started;
    const atStart = (await handle.fetchHistory()).events?.[0];
    const startAttributes =
      atStart?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields ?? {};
    expect(Object.keys(startAttributes)).toContain('OrderState');

    expect(((await handle.result()) as RenewalStatus).state).toBe('renewed');
    const written = ((await handle.fetchHistory()).events ?? []).flatMap((event) => {
      const fields =
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      const state = fields?.OrderState?.data;
      return state ? [JSON.parse(Buffer.from(state).toString()) as string] : [];
    });
    expect(written).toEqual(['renewed']);
    expect((await handle.describe()).typedSearchAttributes.get(ORDER_STATE)).toBe('renewed');
  });

  test('when a renewal keeps failing to charge, then ops see it as a renewal that needs attention, and a retry renews it once', async () => {
    const [id] = await seedDue(stack.services.ledger, stack.services.payments, 1);
    const { tenantId, currentPeriodStart } = (await stack.services.ledger.getSubscription(id))!;
    const workflowId = renewalWorkflowId(id, currentPeriodStart);
    // Stripe answers 500 to every try of the charge until ops act.
    stack.stripe!.faults.add({
      type: 'error-before-write',
      method: 'POST',
      path: '/v1/payment_intents',
      times: 1000,
    });
    try {
      // Started as a sweep starts it: listed by its coarse states, as production lists it.
      await stack.client.workflow.start(
        'renewalWorkflow',
        renewalStartOptions(
          { id, tenantId, periodStart: currentPeriodStart },
          {
            policy: subscriptionPolicy(stack.config),
            steps: renewalStepPolicy(stack.config),
            asOf: new Date().toISOString(),
          },
          stack.config.TEMPORAL_TASK_QUEUE,
        ),
      );
      let listed: { workflowId: string; kind: string; attention?: { step: string } }[] = [];
      await until(async () => {
        const response = await stack.http.call<{ orders: typeof listed }>(
          'GET',
          `/v1/ops/orders?tenantId=${tenantId}`,
          OPS_KEY,
        );
        listed = response.body.orders;
        return listed.length > 0;
      }, 'the renewal in the ops list');
      expect(listed).toEqual([expect.objectContaining({ workflowId, kind: 'renewal' })]);
      expect(listed[0].attention?.step).toBe('charge');
    } finally {
      stack.stripe!.faults.clear();
    }

    const decided = await stack.http.call(
      'POST',
      `/v1/ops/workflows/${encodeURIComponent(workflowId)}/retry`,
      OPS_KEY,
      { reason: 'Stripe is back' },
    );
    expect(decided.status).toBe(200);
    const status = (await stack.client.workflow.getHandle(workflowId).result()) as RenewalStatus;

    expect(status.state).toBe('renewed');
    expect(status.decisions).toEqual([
      expect.objectContaining({ action: 'retry', step: 'charge', by: OPS_KEY_NAME }),
    ]);
    expect(await paidPeriods(stack.services.ledger, [id])).toHaveLength(1);
  }, 120_000);
});

describe('with the worker in another process, on PostgreSQL', () => {
  let database: TestDatabase;
  let stack: OrderStack;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    if (!process.env.DATABASE_URL) {
      throw new Error('the worker crash test needs PostgreSQL: export DATABASE_URL');
    }
    database = await openTestDatabase('postgres');
    stack = await startOrderStack({ DATABASE_URL: database.databaseUrl! }, { worker: false });
  });

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await stack?.close();
    await database?.dispose();
  });

  async function startWorkerProcess(): Promise<ChildProcess> {
    const child = await startWorker(stack.config, database.databaseUrl!, {
      ORDER_STEP_TIMEOUT_MS: '5000',
    });
    workers.push(child);
    return child;
  }

  test('when the worker is killed in the middle of a sweep and another starts, then every subscription-period is charged once and none is lost', async () => {
    const ids = await seedDue(stack.services.ledger, stack.services.payments, 30);
    const chargesBefore = stack.stripe!.stats.get('charges');
    // Slow charges, so that the kill lands with renewals and pages in flight.
    stack.stripe!.faults.add({
      type: 'delay',
      ms: 300,
      method: 'POST',
      path: '/v1/payment_intents',
      times: 1000,
    });
    const first = await startWorkerProcess();

    const sweep = stack.client.workflow.execute('renewalSweepWorkflow', {
      workflowId: `sweep-crash-${randomUUID()}`,
      taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
      args: [sweepInput(stack, { pageSize: 5, concurrency: 2 })],
    });
    await until(
      async () => (await paidPeriods(stack.services.ledger, ids)).length >= 3,
      'the first renewals',
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    stack.stripe!.faults.clear();
    await startWorkerProcess();

    await sweep;
    await expectEachRenewedOnce(stack, ids, chargesBefore);
  }, 180_000);
});
