import { randomUUID } from 'node:crypto';
import { orderInput } from './support/orders';
import { START_TIMEOUT_MS, startTimeSkippingStack } from './support/time-skipping-stack';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LocalStack } from '../../local/stack/local-stack';
import { CURRENT_CATALOG_VERSION, getCatalog, priceOf, userFeatures } from '../../src/catalog';
import { orderPolicy, renewalStepPolicy, subscriptionPolicy } from '../../src/runtime/temporal';
import { paymentMethodUpdatedSignal, renewalStatusQuery } from '../../workflows/messages';
import { orderWorkflowId, subscriptionIdFor } from '../../workflows/order-types';
import { purchaseWorkflow } from '../../workflows/purchase-workflow';
import { renewalSweepWorkflow } from '../../workflows/renewal-sweep-workflow';
import type { RenewalStatus } from '../../workflows/renewal-types';
import { renewalWorkflow } from '../../workflows/renewal-workflow';
import { renewalWorkflowId } from '../../workflows/subscription-types';

/**
 * Renewals on the time-skipping server with the production dunning defaults (retries on
 * days 1, 3, 5, 7; suspended after 7 days; ended 30 days later): months and weeks pass
 * at once, while every activity runs against the real local services.
 *
 * The worker runs outside the test environment, so the server does not know when an
 * activity is running: while a result is awaited it may skip far ahead (to its own
 * default timeouts). Each subscription's period is therefore set from the server's
 * clock once bought, and the phases of dunning are reached with `env.sleep`, which
 * moves the clock by exactly that much.
 */
const DAY = 24 * 60 * 60 * 1000;
let env: TestWorkflowEnvironment;
let stack: LocalStack;

beforeAll(async () => {
  ({ env, stack } = await startTimeSkippingStack('renewals'));
}, START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
  await env?.teardown();
});

const catalog = getCatalog(CURRENT_CATALOG_VERSION);
const ledger = () => stack.services.ledger;
const taskQueue = () => stack.config.TEMPORAL_TASK_QUEUE;

/** Buys on the server's clock, so periods and workflow time agree. */
async function purchase(fields: Record<string, unknown>): Promise<string> {
  const input = orderInput(fields, orderPolicy(stack.config), await env.currentTimeMs());
  const parsed = input.purchase;
  const status = await env.client.workflow.execute(purchaseWorkflow, {
    workflowId: orderWorkflowId(parsed.orderId),
    taskQueue: taskQueue(),
    args: [input],
  });
  expect(status.state).toBe('completed');
  const id = subscriptionIdFor(parsed.orderId);
  await periodEndsIn(id, parsed.period === 'month' ? 30 * DAY : 365 * DAY);
  return id;
}

/** Moves the current period so that it ends `ms` after the server's now. */
async function periodEndsIn(subscriptionId: string, ms: number) {
  const now = await env.currentTimeMs();
  await ledger().db.query(
    'UPDATE subscriptions SET current_period_start = $2, current_period_end = $3 WHERE id = $1',
    [subscriptionId, new Date(now + ms - 30 * DAY).toISOString(), new Date(now + ms).toISOString()],
  );
}

async function subscription(id: string) {
  const sub = await ledger().getSubscription(id);
  if (!sub) throw new Error(`no subscription ${id}`);
  return sub;
}

async function startRenewal(subscriptionId: string) {
  const { currentPeriodStart } = await subscription(subscriptionId);
  return env.client.workflow.start(renewalWorkflow, {
    workflowId: renewalWorkflowId(subscriptionId, currentPeriodStart),
    taskQueue: taskQueue(),
    args: [
      {
        subscriptionId,
        periodStart: currentPeriodStart,
        policy: subscriptionPolicy(stack.config),
        steps: renewalStepPolicy(stack.config),
        asOf: new Date(await env.currentTimeMs()).toISOString(),
      },
    ],
  });
}

async function saveMethod(subscriptionId: string, paymentMethod: string) {
  await ledger().db.query('UPDATE subscriptions SET payment_method_id = $2 WHERE id = $1', [
    subscriptionId,
    paymentMethod,
  ]);
}

async function skipPast(instant: string) {
  const wait = Date.parse(instant) - (await env.currentTimeMs());
  if (wait > 0) await env.sleep(wait + 1000);
}

function delay(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function featuresOf(tenantId: string, userId: string) {
  return (await ledger().userEntitlements(tenantId, userId)).features.map((f) => f.feature);
}

async function waitForState(
  handle: { query: (q: typeof renewalStatusQuery) => Promise<RenewalStatus> },
  state: RenewalStatus['state'],
) {
  for (let i = 0; i < 200; i++) {
    const status = await handle.query(renewalStatusQuery);
    if (status.state === state) return status;
    await delay(50);
  }
  throw new Error(`the renewal never reached ${state}`);
}

/** The periods renewals paid: the purchase's own first period (paid by its order) left out. */
async function periodsOf(subscriptionId: string) {
  return ledger().db.query<{ amount: string | number; paymentIntentId: string }>(
    `SELECT p.amount, p.payment_intent_id AS "paymentIntentId" FROM subscription_periods p
       JOIN subscriptions s ON s.id = p.subscription_id
      WHERE p.subscription_id = $1 AND p.paid_by <> s.order_id ORDER BY p.period_start`,
    [subscriptionId],
  );
}

test('when a monthly subscription renews for a year through the sweep, then exactly 12 charges, each once, at the catalog price', async () => {
  const id = await purchase({ kind: 'plan', plan: 'sales-premium', seats: 3, assignTo: ['ann'] });
  const price = priceOf(catalog, {
    kind: 'plan',
    plan: 'sales-premium',
    seats: 3,
    period: 'month',
  });
  const chargesBefore = stack.stripe!.stats.get('charges');

  for (let month = 0; month < 12; month++) {
    const { currentPeriodStart, currentPeriodEnd } = await subscription(id);
    await skipPast(currentPeriodEnd);
    // Each month's sweep runs twice: the second finds the renewal started and starts nothing.
    // Both, and the renewal, are awaited through the stack's client, which keeps the clock
    // where skipPast put it. The environment's client lets the server skip ahead while it
    // waits, by ten years (its default run timeout) when it sees nothing running: the
    // second sweep then found next month's period due and renewed it early.
    for (let run = 0; run < 2; run++) {
      await stack.client.workflow.execute(renewalSweepWorkflow, {
        workflowId: `sweep-${randomUUID()}`,
        taskQueue: taskQueue(),
        args: [
          {
            job: 'renewals',
            pageSize: 2,
            concurrency: 2,
            policy: subscriptionPolicy(stack.config),
            steps: renewalStepPolicy(stack.config),
          },
        ],
      });
    }
    const renewal = await stack.client.workflow
      .getHandle<typeof renewalWorkflow>(renewalWorkflowId(id, currentPeriodStart))
      .result();
    expect(stack.stripe!.stats.get('charges') - chargesBefore).toBe(month + 1);
    expect(renewal.state).toBe('renewed');
  }

  expect(stack.stripe!.stats.get('charges') - chargesBefore).toBe(12);
  const periods = await periodsOf(id);
  expect(periods).toHaveLength(12);
  expect(periods.map((p) => Number(p.amount))).toEqual(Array(12).fill(price.amount));
  expect(new Set(periods.map((p) => p.paymentIntentId)).size).toBe(12);
  for (const period of periods) {
    expect(stack.stripe!.stats.forIntent(period.paymentIntentId)).toMatchObject({ charges: 1 });
  }
  const sub = await subscription(id);
  expect(sub.status).toBe('active');
  expect(await featuresOf(sub.tenantId, 'ann')).toEqual(userFeatures(catalog, ['sales-premium']));
});

test('when a renewal is declined, then it is past due with its licenses, and the retry on day 1 makes it active again with no gap', async () => {
  const id = await purchase({
    kind: 'plan',
    plan: 'service-essentials',
    seats: 1,
    assignTo: ['bo'],
  });
  const { tenantId, currentPeriodEnd } = await subscription(id);
  await saveMethod(id, 'pm_card_chargeDeclined');
  await skipPast(currentPeriodEnd);

  const handle = await startRenewal(id);
  const pastDue = await waitForState(handle, 'past-due');
  expect(pastDue.charges).toEqual([
    expect.objectContaining({ attempt: 1, outcome: 'declined', code: 'card_declined' }),
  ]);
  expect((await subscription(id)).status).toBe('past_due');
  expect(await featuresOf(tenantId, 'bo')).toEqual(userFeatures(catalog, ['service-essentials']));

  await saveMethod(id, 'pm_card_visa');
  await env.sleep(DAY / 2);
  expect((await handle.query(renewalStatusQuery)).charges).toHaveLength(1);
  await env.sleep(DAY / 2 + 60_000);
  const status = await handle.result();

  expect(status.state).toBe('renewed');
  expect(status.charges.map((c) => c.outcome)).toEqual(['declined', 'succeeded']);
  expect(
    Date.parse(status.charges[1].at) - Date.parse(status.charges[0].at),
  ).toBeGreaterThanOrEqual(DAY);
  expect(await subscription(id)).toMatchObject({ status: 'active', pastDueSince: null });
  const history = await ledger().grantHistory(tenantId);
  expect(history.entries.filter((g) => g.revokedAt !== null)).toEqual([]);
  expect(await periodsOf(id)).toHaveLength(1);
});

test('when a suspended subscription is paid with a new card, then it is active again with the same grants and its portal enabled', async () => {
  const id = await purchase({ kind: 'addon', addon: 'cep' });
  const { tenantId, currentPeriodEnd } = await subscription(id);
  const flags = (await ledger().tenantEntitlements(tenantId)).tenantFlags.map((f) => f.feature);
  await saveMethod(id, 'pm_card_chargeDeclinedInsufficientFunds');
  await skipPast(currentPeriodEnd);

  const handle = await startRenewal(id);
  await waitForState(handle, 'past-due');
  await env.sleep(8 * DAY);
  const suspended = await waitForState(handle, 'suspended');

  expect(suspended.charges.map((c) => c.outcome)).toEqual(Array(5).fill('declined'));
  expect((await subscription(id)).status).toBe('suspended');
  expect((await ledger().tenantEntitlements(tenantId)).tenantFlags).toEqual([]);
  const portal = () => stack.simulators!.cep.resources().find((p) => p.externalId === `cep-${id}`);
  expect(portal()?.status).toBe('disabled');

  await saveMethod(id, 'pm_card_visa');
  await handle.signal(paymentMethodUpdatedSignal);
  const status = await handle.result();

  expect(status.state).toBe('renewed');
  expect(status.stepsDone).toContain('reactivate');
  expect(await subscription(id)).toMatchObject({ status: 'active', suspendedAt: null });
  const after = (await ledger().tenantEntitlements(tenantId)).tenantFlags.map((f) => f.feature);
  expect(after).toEqual(flags);
  expect(portal()?.status).toBe('active');
});

test('when a cancellation is pending, then the licenses last to the period end, then are revoked without a charge or a renewal', async () => {
  const id = await purchase({
    kind: 'plan',
    plan: 'marketing-premium',
    seats: 1,
    assignTo: ['di'],
  });
  await periodEndsIn(id, 3 * DAY);
  const { tenantId, currentPeriodEnd } = await subscription(id);
  await ledger().db.query(
    `UPDATE subscriptions SET pending_change = '{"kind":"cancel","changeId":"cancel-1"}'::jsonb WHERE id = $1`,
    [id],
  );
  const chargesBefore = stack.stripe!.stats.get('charges');

  await env.sleep(2 * DAY);
  expect(await featuresOf(tenantId, 'di')).toEqual(userFeatures(catalog, ['marketing-premium']));
  await skipPast(currentPeriodEnd);
  const status = await (await startRenewal(id)).result();

  expect(status.state).toBe('ended');
  expect(Date.parse((await subscription(id)).endedAt!)).toBeGreaterThan(0);
  expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(Date.parse(currentPeriodEnd));
  expect(await featuresOf(tenantId, 'di')).toEqual([]);
  expect(await subscription(id)).toMatchObject({ status: 'ended', pendingChange: null });
  expect(stack.stripe!.stats.get('charges')).toBe(chargesBefore);
});

test('when Premium is downgraded to Essentials at period end, then only the extras no other plan of the user implies are revoked, and the renewal charges the Essentials price', async () => {
  const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
  const sales = await purchase({
    kind: 'plan',
    plan: 'sales-premium',
    seats: 2,
    tenantId,
    assignTo: ['eve', 'fay'],
  });
  await purchase({ kind: 'plan', plan: 'service-premium', seats: 1, tenantId, assignTo: ['eve'] });
  await ledger().db.query(
    `UPDATE subscriptions SET pending_change = $2::text::jsonb WHERE id = $1`,
    [
      sales,
      JSON.stringify({
        kind: 'downgrade',
        changeId: 'down-1',
        productKey: 'sales-essentials',
        seats: 1,
        unassign: ['fay'],
      }),
    ],
  );
  await skipPast((await subscription(sales)).currentPeriodEnd);

  const status = await (await startRenewal(sales)).result();

  expect(status.state).toBe('renewed');
  expect(await featuresOf(tenantId, 'eve')).toEqual(
    userFeatures(catalog, ['sales-essentials', 'service-premium']),
  );
  expect(await featuresOf(tenantId, 'fay')).toEqual([]);
  expect(await subscription(sales)).toMatchObject({
    productKey: 'sales-essentials',
    seats: 1,
    pendingChange: null,
  });
  const essentials = priceOf(catalog, {
    kind: 'plan',
    plan: 'sales-essentials',
    seats: 1,
    period: 'month',
  });
  expect((await periodsOf(sales)).map((p) => Number(p.amount))).toEqual([essentials.amount]);
});

// Last: after this one the test server has been seen to stop skipping time for the next.
test('when a renewal is declined through grace and suspension, then it is suspended, then ended: revoked, seats freed, resources deleted', async () => {
  const plan = await purchase({
    kind: 'plan',
    plan: 'sales-essentials',
    seats: 2,
    assignTo: ['cy'],
  });
  const { tenantId } = await subscription(plan);
  const addon = await purchase({
    kind: 'addon',
    addon: 'calendar-sync',
    tenantId,
    settings: { provider: 'google', settings: { workspaceDomain: 'example.com' } },
  });
  await saveMethod(plan, 'pm_card_chargeDeclined');
  await saveMethod(addon, 'pm_card_authenticationRequired');
  await skipPast((await subscription(addon)).currentPeriodEnd);

  const handles = [await startRenewal(plan), await startRenewal(addon)];
  for (const handle of handles) await waitForState(handle, 'past-due');
  await env.sleep(8 * DAY);
  for (const handle of handles) await waitForState(handle, 'suspended');
  expect(await featuresOf(tenantId, 'cy')).toEqual([]);
  const connection = () =>
    stack.simulators!.calendarSync.resources().find((c) => c.externalId === `calsync-${addon}`);
  expect(connection()?.status).toBe('disabled');

  await env.sleep(31 * DAY);
  for (const handle of handles) await waitForState(handle, 'ended');
  const results = await Promise.all(handles.map((handle) => handle.result()));

  expect(results.map((r) => r.state)).toEqual(['ended', 'ended']);
  expect(results[1].charges[0]).toMatchObject({ code: 'authentication_required' });
  expect((await subscription(plan)).status).toBe('ended');
  expect((await subscription(addon)).status).toBe('ended');
  const seated = await ledger().db.query(
    'SELECT 1 FROM seat_assignments WHERE subscription_id = $1 AND released_at IS NULL',
    [plan],
  );
  expect(seated).toEqual([]);
  const history = await ledger().grantHistory(tenantId);
  expect(history.entries.filter((g) => g.revokedAt === null)).toEqual([]);
  expect(connection()).toBeUndefined();
  expect(await periodsOf(plan)).toHaveLength(0);
});
