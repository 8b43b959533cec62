import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OrderActivities } from '../../activities/order-activities';
import { opsDecisionUpdate } from '../../workflows/messages';
import {
  orderWorkflowId,
  type OrderInput,
  type OrderPolicy,
  type OrderStatus,
  type StepName,
} from '../../workflows/order-types';
import { purchaseWorkflow } from '../../workflows/purchase-workflow';
import { orderInput, untilOrder, writtenOrderStates } from './support/orders';
import { START_TIMEOUT_MS, startTimeSkippingWorker } from './support/time-skipping-stack';

/**
 * The purchase saga on the time-skipping server with every activity a `jest.fn`: each
 * compensation path, the 3-D Secure deadline and the ops decisions, checked by which
 * activities ran, in which order, with which inputs, and what the order says at the end.
 * The services behind the activities have tests of their own (test/services) and the
 * whole stack runs in test/integration; here only the workflow's decisions are under test.
 */
type Mocked<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? jest.Mock<R, A> : never;
};

// Every activity the order worker registers, each a mock that each test sets up.
const NAMES = {
  ensureCustomer: true,
  authorizePayment: true,
  getAuthorization: true,
  capturePayment: true,
  releasePayment: true,
  cancelAuthorization: true,
  recordOrderState: true,
  grantLicenses: true,
  revokeLicenses: true,
  provision: true,
  deprovision: true,
  recordSubscription: true,
  endSubscription: true,
} satisfies Record<keyof OrderActivities, true>;
const activities = Object.fromEntries(
  Object.keys(NAMES).map((name) => [name, jest.fn()]),
) as Mocked<OrderActivities>;

const taskQueue = `purchase-saga-${randomUUID()}`;
// Two attempts per forward step (four per undo), 100 ms apart; deadlines as in production.
const policy: OrderPolicy = {
  stepAttempts: 2,
  stepInitialIntervalMs: 100,
  stepTimeoutMs: 10_000,
  authenticationTimeoutMs: 30 * 60 * 1000,
  attentionDeadlineMs: 72 * 60 * 60 * 1000,
};

let env: TestWorkflowEnvironment;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ env, close } = await startTimeSkippingWorker('purchase-saga', {
    taskQueue,
    workflowsPath: require.resolve('../../workflows'),
    activities,
  }));
}, START_TIMEOUT_MS);

afterAll(async () => {
  await close?.();
});

const CUSTOMER = 'cus_saga';
const INTENT = 'pi_saga';

beforeEach(() => {
  jest.resetAllMocks();
  // Every service answers as it does on a good day; each test breaks what it is about.
  activities.ensureCustomer.mockResolvedValue(CUSTOMER);
  activities.authorizePayment.mockImplementation(async ({ amount }) => ({
    status: 'authorized',
    paymentIntentId: INTENT,
    amount,
    captured: false,
  }));
  activities.capturePayment.mockImplementation(async ({ paymentIntentId }) => ({
    paymentIntentId,
    amountReceived: 0,
    alreadyCaptured: false,
  }));
  activities.releasePayment.mockResolvedValue({
    paymentIntentId: INTENT,
    outcome: 'canceled',
    captured: false,
    refunded: false,
  });
  activities.grantLicenses.mockResolvedValue(
    undefined as unknown as Awaited<ReturnType<OrderActivities['grantLicenses']>>,
  );
});

const salesPlan = () =>
  orderInput({ kind: 'plan', plan: 'sales-premium', seats: 2, assignTo: ['alice'] }, policy);
const portalAddon = () => orderInput({ kind: 'addon', addon: 'cep' }, policy);

const started: WorkflowHandle<typeof purchaseWorkflow>[] = [];

async function start(input: OrderInput): Promise<WorkflowHandle<typeof purchaseWorkflow>> {
  const handle = await env.client.workflow.start(purchaseWorkflow, {
    workflowId: orderWorkflowId(input.purchase.orderId),
    taskQueue,
    args: [input],
  });
  started.push(handle);
  return handle;
}

// An order a failed test left waiting must not run on (time skips) into the next test.
afterEach(async () => {
  for (const handle of started.splice(0)) {
    await handle.terminate('test finished').catch(() => undefined);
  }
});

const parked = (s: OrderStatus) => s.state === 'needs-attention';

function decide(
  handle: WorkflowHandle<typeof purchaseWorkflow>,
  action: 'retry' | 'abort',
  reason = `ops ${action}`,
) {
  return handle.executeUpdate(opsDecisionUpdate, {
    args: [{ action, by: 'ops@example.com', reason }],
  });
}

/** Starts the order, waits until it parks at `step`, and aborts it as ops would. */
async function abortWhenParked(input: OrderInput, step: StepName): Promise<OrderStatus> {
  const handle = await start(input);
  expect((await untilOrder(handle, parked)).attention).toMatchObject({ phase: 'forward', step });
  await decide(handle, 'abort');
  return handle.result();
}

/** The activities that ran, each attempt once, in the order the worker started them. */
function activitiesRun(): string[] {
  return Object.entries(activities)
    .flatMap(([name, mock]: [string, jest.Mock]) =>
      mock.mock.invocationCallOrder.map((order) => ({ name, order })),
    )
    .sort((a, b) => a.order - b.order)
    .map(({ name }) => name);
}

/** What runs of every order that gets as far as granting. */
const UNTIL_GRANT = ['ensureCustomer', 'authorizePayment', 'grantLicenses'];

const down = (message: string) => new Error(message);

/** What releasing, revoking and mirroring the order are called with once it is undone. */
function expectUndone(input: OrderInput, status: OrderStatus, paymentIntentId?: string): void {
  const { orderId, tenantId } = input.purchase;
  expect(activities.revokeLicenses).toHaveBeenCalledWith({
    orderId,
    tenantId,
    subscriptionId: `sub-${orderId}`,
  });
  expect(activities.releasePayment).toHaveBeenCalledWith({ orderId, tenantId, paymentIntentId });
  expect(activities.recordOrderState).toHaveBeenCalledTimes(1);
  expect(activities.recordOrderState).toHaveBeenCalledWith({
    orderId,
    state: 'compensated',
    status: { ...status, state: 'compensated' },
  });
}

test('a plan order that succeeds runs every step once, in order, with what was planned at checkout', async () => {
  const input = salesPlan();
  const { orderId, tenantId } = input.purchase;

  const handle = await start(input);
  const status = await handle.result();
  // Listed as received from its start to its completion: no visibility write of its own.
  expect(await writtenOrderStates(handle)).toEqual([]);

  expect(activitiesRun()).toEqual([...UNTIL_GRANT, 'capturePayment', 'recordSubscription']);
  expect(activities.ensureCustomer).toHaveBeenCalledWith({
    tenantId,
    email: 'billing@example.com',
  });
  expect(activities.authorizePayment).toHaveBeenCalledWith({
    orderId,
    customerId: CUSTOMER,
    amount: input.plan.price.amount,
    currency: input.plan.price.currency,
    paymentMethod: 'pm_card_visa',
    description: input.plan.description,
  });
  expect(activities.grantLicenses).toHaveBeenCalledWith({
    orderId,
    tenantId,
    subscription: input.plan.subscription,
    grants: input.plan.grants,
    seats: { plan: 'sales-premium', userIds: ['alice'] },
    paymentIntentId: INTENT,
  });
  expect(activities.capturePayment).toHaveBeenCalledWith({ orderId, paymentIntentId: INTENT });
  expect(activities.recordSubscription).toHaveBeenCalledWith({
    subscription: input.plan.subscription,
    paymentIntentId: INTENT,
    stripeCustomerId: CUSTOMER,
    paymentMethodId: 'pm_card_visa',
    paid: { amount: input.plan.price.amount, currency: input.plan.price.currency },
    // The order is mirrored completed by the same call, as it then shows.
    order: { state: 'completed', status },
  });
  expect(status).toMatchObject({
    orderId,
    state: 'completed',
    stepsDone: ['validate', 'price', 'authorize', 'grant', 'capture', 'record'],
    compensationsDone: [],
    payment: { paymentIntentId: INTENT, captured: true, refunded: false },
    amount: { currency: input.plan.price.currency, total: input.plan.price.amount },
  });
});

test('a declined card releases what the authorization left and ends declined with the reason, granting nothing', async () => {
  activities.authorizePayment.mockResolvedValue({
    status: 'declined',
    paymentIntentId: INTENT,
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  });
  const input = salesPlan();
  const { orderId, tenantId } = input.purchase;

  const handle = await start(input);
  const status = await handle.result();

  expect(await writtenOrderStates(handle)).toEqual(['compensating', 'declined']);
  expect(activitiesRun()).toEqual([
    'ensureCustomer',
    'authorizePayment',
    'releasePayment',
    'recordOrderState',
  ]);
  expect(activities.releasePayment).toHaveBeenCalledWith({
    orderId,
    tenantId,
    paymentIntentId: INTENT,
  });
  expect(activities.recordOrderState).toHaveBeenCalledWith({
    orderId,
    state: 'declined',
    status: { ...status, state: 'declined' },
  });
  expect(status).toMatchObject({
    state: 'declined',
    declineReason: 'insufficient_funds',
    compensationsDone: ['release-payment'],
  });
  expect(status.error).toBeUndefined();
});

test('when the authorization keeps failing and ops abort, the hold is looked up by order id and released, and nothing else runs', async () => {
  activities.authorizePayment.mockRejectedValue(down('Stripe unreachable'));
  const input = salesPlan();
  const handle = await start(input);

  const waiting = await untilOrder(handle, parked);
  expect(waiting.attention).toMatchObject({
    phase: 'forward',
    step: 'authorize',
    error: { step: 'authorize', message: 'Stripe unreachable' },
  });
  const answered = await decide(handle, 'abort', 'customer gave up');
  const status = await handle.result();

  expect(answered.decisions).toEqual([
    expect.objectContaining({ action: 'abort', by: 'ops@example.com', step: 'authorize' }),
  ]);
  // The answer of the authorization never came: the release finds the intent by order id.
  expect(activitiesRun()).toEqual([
    'ensureCustomer',
    'authorizePayment',
    'authorizePayment',
    'releasePayment',
    'recordOrderState',
  ]);
  expect(activities.releasePayment).toHaveBeenCalledWith({
    orderId: input.purchase.orderId,
    tenantId: input.purchase.tenantId,
    paymentIntentId: undefined,
  });
  expect(status).toMatchObject({
    state: 'compensated',
    stepsDone: ['validate', 'price'],
    compensationsDone: ['release-payment'],
    error: { step: 'authorize', type: 'ORDER.ABORTED', message: 'customer gave up' },
    decisions: [
      expect.objectContaining({ action: 'abort', reason: 'customer gave up', step: 'authorize' }),
    ],
  });
  expect(status.attention).toBeUndefined();
});

test('when granting fails and ops abort, the licenses are revoked and then the hold released, newest first', async () => {
  activities.grantLicenses.mockRejectedValue(down('ledger unavailable'));
  const input = salesPlan();
  const status = await abortWhenParked(input, 'grant');

  expect(activitiesRun()).toEqual([
    ...UNTIL_GRANT,
    'grantLicenses',
    'revokeLicenses',
    'releasePayment',
    'recordOrderState',
  ]);
  expect(activities.capturePayment).not.toHaveBeenCalled();
  expectUndone(input, status, INTENT);
  expect(status).toMatchObject({
    state: 'compensated',
    stepsDone: ['validate', 'price', 'authorize'],
    compensationsDone: ['revoke-licenses', 'release-payment'],
    payment: { paymentIntentId: INTENT, captured: false, refunded: false },
  });
});

test('when provisioning fails and ops abort, the resource is removed, the licenses revoked and the hold released', async () => {
  activities.provision.mockRejectedValue(down('portal service down'));
  const input = portalAddon();
  const resource = input.plan.provisioning!;
  const status = await abortWhenParked(input, 'provision');

  expect(activitiesRun()).toEqual([
    ...UNTIL_GRANT,
    'provision',
    'provision',
    'deprovision',
    'revokeLicenses',
    'releasePayment',
    'recordOrderState',
  ]);
  expect(resource).toMatchObject({ kind: 'cep-portal', tenantId: input.purchase.tenantId });
  expect(activities.provision).toHaveBeenCalledWith(resource);
  expect(activities.deprovision).toHaveBeenCalledWith(resource);
  expectUndone(input, status, INTENT);
  expect(status).toMatchObject({
    state: 'compensated',
    compensationsDone: ['deprovision', 'revoke-licenses', 'release-payment'],
  });
});

test('when the capture fails and ops abort, the licenses are revoked and the uncaptured hold released', async () => {
  activities.capturePayment.mockRejectedValue(down('Stripe timed out'));
  const input = salesPlan();
  const status = await abortWhenParked(input, 'capture');

  expect(activitiesRun()).toEqual([
    ...UNTIL_GRANT,
    'capturePayment',
    'capturePayment',
    'revokeLicenses',
    'releasePayment',
    'recordOrderState',
  ]);
  expect(activities.capturePayment).toHaveBeenCalledWith({
    orderId: input.purchase.orderId,
    paymentIntentId: INTENT,
  });
  expect(activities.recordSubscription).not.toHaveBeenCalled();
  expectUndone(input, status, INTENT);
  expect(status).toMatchObject({
    state: 'compensated',
    stepsDone: ['validate', 'price', 'authorize', 'grant'],
    payment: { captured: false, refunded: false },
  });
});

test('when recording fails after the capture and ops abort, the captured money is refunded and the order says so', async () => {
  activities.recordSubscription.mockRejectedValue(down('ledger unavailable'));
  activities.releasePayment.mockResolvedValue({
    paymentIntentId: INTENT,
    outcome: 'refunded',
    captured: true,
    refunded: true,
  });
  const input = salesPlan();
  const status = await abortWhenParked(input, 'record');

  expect(activitiesRun()).toEqual([
    ...UNTIL_GRANT,
    'capturePayment',
    'recordSubscription',
    'recordSubscription',
    'revokeLicenses',
    'releasePayment',
    'recordOrderState',
  ]);
  expectUndone(input, status, INTENT);
  expect(status).toMatchObject({
    state: 'compensated',
    stepsDone: ['validate', 'price', 'authorize', 'grant', 'capture'],
    payment: { paymentIntentId: INTENT, captured: true, refunded: true },
  });
});

test('an undo that keeps failing parks only itself: the licenses are revoked and the hold released meanwhile, and a retry finishes it', async () => {
  activities.provision.mockRejectedValue(down('portal service down'));
  activities.deprovision.mockRejectedValue(down('portal service still down'));
  const input = portalAddon();
  const handle = await start(input);
  await untilOrder(handle, parked);
  await decide(handle, 'abort');

  const stuck = await untilOrder(handle, (s) => parked(s) && s.attention?.phase === 'compensation');

  expect(stuck.attention).toMatchObject({
    phase: 'compensation',
    step: 'deprovision',
    error: { message: 'portal service still down' },
  });
  expect(stuck.compensationsDone).toEqual(['revoke-licenses', 'release-payment']);
  // One pass over every undo first (four attempts each), then the stuck one again.
  expect(activitiesRun().slice(5)).toEqual([
    ...Array<string>(4).fill('deprovision'),
    'revokeLicenses',
    'releasePayment',
    ...Array<string>(4).fill('deprovision'),
  ]);
  // Already compensating: ops may retry the undo, never abandon it.
  const refusal = decide(handle, 'abort').catch((error: Error) => {
    throw error.cause;
  });
  await expect(refusal).rejects.toThrow(/only retry is possible/);

  activities.deprovision.mockReset();
  activities.deprovision.mockResolvedValue(undefined);
  await decide(handle, 'retry', 'portal service back');
  const status = await handle.result();

  expect(activities.deprovision).toHaveBeenCalledTimes(1);
  expect(activities.deprovision).toHaveBeenCalledWith(input.plan.provisioning);
  expect(activities.revokeLicenses).toHaveBeenCalledTimes(1);
  expect(activities.releasePayment).toHaveBeenCalledTimes(1);
  expect(activities.capturePayment).not.toHaveBeenCalled();
  expectUndone(input, status, INTENT);
  expect(status).toMatchObject({
    state: 'compensated',
    compensationsDone: ['revoke-licenses', 'release-payment', 'deprovision'],
    decisions: [
      expect.objectContaining({ action: 'abort', step: 'provision' }),
      expect.objectContaining({ action: 'retry', step: 'deprovision' }),
    ],
  });
});

test('when provisioning runs out of retries, the order waits for ops, and their retry completes it', async () => {
  activities.provision
    .mockRejectedValueOnce(down('portal service down'))
    .mockRejectedValueOnce(down('portal service down'))
    .mockResolvedValue(undefined);
  const input = portalAddon();
  const handle = await start(input);

  const waiting = await untilOrder(handle, parked);
  expect(waiting).toMatchObject({
    step: 'provision',
    stepsDone: ['validate', 'price', 'authorize', 'grant'],
    attention: { phase: 'forward', step: 'provision', error: { message: 'portal service down' } },
  });
  expect(activities.provision).toHaveBeenCalledTimes(2);
  expect(activities.capturePayment).not.toHaveBeenCalled();

  const answered = await decide(handle, 'retry', 'portal service back');
  const status = await handle.result();

  expect(answered.decisions).toEqual([
    expect.objectContaining({ action: 'retry', by: 'ops@example.com', step: 'provision' }),
  ]);
  expect(activitiesRun()).toEqual([
    ...UNTIL_GRANT,
    'provision',
    'provision',
    'provision',
    'capturePayment',
    'recordSubscription',
  ]);
  expect(activities.revokeLicenses).not.toHaveBeenCalled();
  expect(activities.releasePayment).not.toHaveBeenCalled();
  // Parked, then in flight again after the retry.
  expect(await writtenOrderStates(handle)).toEqual(['needs-attention', 'received']);
  expect(status).toMatchObject({
    state: 'completed',
    compensationsDone: [],
    stepsDone: ['validate', 'price', 'authorize', 'grant', 'provision', 'capture', 'record'],
    decisions: [expect.objectContaining({ action: 'retry', reason: 'portal service back' })],
  });
  expect(status.attention).toBeUndefined();
});

test('a step that refuses for good parks at once, without retries, and ops abort it', async () => {
  activities.grantLicenses.mockRejectedValue(
    ApplicationFailure.nonRetryable('seat count exceeded', 'LEDGER.SEATS_EXCEEDED'),
  );
  const input = salesPlan();
  const handle = await start(input);

  const waiting = await untilOrder(handle, parked);
  expect(waiting.attention?.error).toEqual({
    step: 'grant',
    type: 'LEDGER.SEATS_EXCEEDED',
    message: 'seat count exceeded',
  });
  expect(activities.grantLicenses).toHaveBeenCalledTimes(1);
  await decide(handle, 'abort');

  expect((await handle.result()).state).toBe('compensated');
});

describe('3-D Secure', () => {
  const CHALLENGE = {
    status: 'requires_action' as const,
    paymentIntentId: INTENT,
    clientSecret: `${INTENT}_secret`,
  };

  test('when no webhook comes, the intent is read again at the 30-minute deadline, and a customer who never authenticated is cancelled', async () => {
    activities.authorizePayment.mockResolvedValue(CHALLENGE);
    activities.getAuthorization.mockResolvedValue(CHALLENGE);
    const input = salesPlan();
    const startedAt = await env.currentTimeMs();

    const status = await (await start(input)).result();

    expect((await env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(30 * 60 * 1000);
    expect(activitiesRun()).toEqual([
      'ensureCustomer',
      'authorizePayment',
      'getAuthorization',
      'releasePayment',
      'recordOrderState',
    ]);
    expect(activities.getAuthorization).toHaveBeenCalledWith({ paymentIntentId: INTENT });
    expect(activities.releasePayment).toHaveBeenCalledWith({
      orderId: input.purchase.orderId,
      tenantId: input.purchase.tenantId,
      paymentIntentId: INTENT,
    });
    expect(status).toMatchObject({
      state: 'compensated',
      compensationsDone: ['release-payment'],
      error: { step: 'authorize' },
    });
    expect(status.error?.message).toMatch(/3-D Secure/);
  });

  test('when the customer authenticated but the webhook was lost, the read at the deadline finds it, and the order completes', async () => {
    activities.authorizePayment.mockResolvedValue(CHALLENGE);
    activities.getAuthorization.mockResolvedValue({
      status: 'authorized',
      paymentIntentId: INTENT,
      amount: 1,
      captured: false,
    });
    const input = salesPlan();

    const status = await (await start(input)).result();

    expect(activitiesRun()).toEqual([
      'ensureCustomer',
      'authorizePayment',
      'getAuthorization',
      'grantLicenses',
      'capturePayment',
      'recordSubscription',
    ]);
    expect(activities.releasePayment).not.toHaveBeenCalled();
    expect(status).toMatchObject({ state: 'completed', payment: { captured: true } });
  });

  test('ops may abort an order waiting for the customer, and the hold is released at once', async () => {
    activities.authorizePayment.mockResolvedValue(CHALLENGE);
    const input = salesPlan();
    const handle = await start(input);
    const waiting = await untilOrder(handle, (s) => s.state === 'awaiting-authentication');
    expect(waiting.payment).toMatchObject({
      paymentIntentId: INTENT,
      clientSecret: CHALLENGE.clientSecret,
    });

    await decide(handle, 'abort', 'customer called to cancel');
    const status = await handle.result();

    expect(activities.getAuthorization).not.toHaveBeenCalled();
    expect(activitiesRun().slice(2)).toEqual(['releasePayment', 'recordOrderState']);
    expect(status).toMatchObject({
      state: 'compensated',
      error: { step: 'authorize', message: 'customer called to cancel' },
      decisions: [expect.objectContaining({ action: 'abort', step: 'authorize' })],
    });
  });
});
