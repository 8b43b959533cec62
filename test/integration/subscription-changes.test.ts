import { getCatalog, prorate } from '../../src/catalog';
import type { SubscriptionView } from '../../src/contract/subscription-view';
import type { ChangeStatus } from '../../workflows/subscription-change-contract';
import {
  CHECKOUT_KEY,
  isFinal,
  OPS_KEY,
  planOrder,
  READ_KEY,
  startOrderStack,
  uniqueId,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

const catalog = getCatalog();
let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

interface Bought {
  tenantId: string;
  subscriptionId: string;
}

/** A paid Sales Essentials subscription: 3 monthly seats, alice and bob seated. */
async function buyEssentials(overrides: Record<string, unknown> = {}): Promise<Bought> {
  const order = planOrder({ seats: 3, assignTo: ['alice', 'bob'], ...overrides });
  expect((await stack.http.placeOrder(order)).status).toBe(201);
  expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('completed');
  return { tenantId: order.tenantId, subscriptionId: `sub-${order.orderId}` };
}

const changePath = ({ tenantId, subscriptionId }: Bought) =>
  `/v1/tenants/${tenantId}/subscriptions/${subscriptionId}/changes`;

function change<T = ChangeStatus>(bought: Bought, body: Record<string, unknown>) {
  return stack.http.call<T>('POST', changePath(bought), CHECKOUT_KEY, body);
}

async function view(bought: Bought): Promise<SubscriptionView> {
  const { status, body } = await stack.http.call<SubscriptionView>(
    'GET',
    `/v1/tenants/${bought.tenantId}/subscriptions/${bought.subscriptionId}`,
    READ_KEY,
  );
  expect(status).toBe(200);
  return body;
}

async function features(bought: Bought, user: string): Promise<string[]> {
  const { body } = await stack.http.call<{ features: { feature: string }[] }>(
    'GET',
    `/v1/tenants/${bought.tenantId}/users/${user}/entitlements`,
    READ_KEY,
  );
  return body.features.map((f) => f.feature);
}

/** What an upgrade from `from` to `to` costs when made at `at`. */
function due(sub: SubscriptionView, from: string, to: string, seats: number, at: number) {
  return prorate(catalog, {
    period: sub.period,
    from: { plan: from, seats: sub.seats! },
    to: { plan: to, seats },
    periodStart: Date.parse(sub.currentPeriodStart),
    periodEnd: Date.parse(sub.currentPeriodEnd),
    changeAt: at,
  }).amountDue;
}

describe('when a customer upgrades in the middle of the period', () => {
  it('then the prorated difference is charged once and the Premium features count at once', async () => {
    const bought = await buyEssentials();
    const before = await view(bought);
    const asked = Date.now();

    const { status, body } = await change(bought, {
      kind: 'upgrade',
      changeId: 'to-premium',
      plan: 'sales-premium',
      seats: 4,
      paymentMethod: 'pm_card_visa',
    });
    const answered = Date.now();

    expect(status).toBe(200);
    expect(body.state).toBe('applied');
    // The price of the rest of the period, between the instants of asking and answering.
    const total = body.amount!.total;
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(due(before, 'sales-essentials', 'sales-premium', 4, asked));
    expect(total).toBeGreaterThanOrEqual(
      due(before, 'sales-essentials', 'sales-premium', 4, answered),
    );
    const paymentIntentId = body.payment!.paymentIntentId;
    expect(stack.stripe!.stats.forIntent(paymentIntentId)).toMatchObject({
      authorizations: 1,
      captures: 1,
    });
    const intent = await stack.stripe!.createClient().paymentIntents.retrieve(paymentIntentId);
    expect(intent.amount_received).toBe(total);

    expect(await features(bought, 'alice')).toEqual(
      expect.arrayContaining(['quotes', 'saint', 'sales-guide']),
    );
    const after = await view(bought);
    expect(after).toMatchObject({
      productKey: 'sales-premium',
      seats: 4,
      assigned: ['alice', 'bob'],
      currentPeriodStart: before.currentPeriodStart,
      currentPeriodEnd: before.currentPeriodEnd,
    });

    // The same change again is the same change: no second charge.
    const again = await change(bought, {
      kind: 'upgrade',
      changeId: 'to-premium',
      plan: 'sales-premium',
      seats: 4,
      paymentMethod: 'pm_card_visa',
    });
    expect(again.status).toBe(200);
    expect(again.body.payment?.paymentIntentId).toBe(paymentIntentId);
    expect(stack.stripe!.stats.forIntent(paymentIntentId).captures).toBe(1);
  });

  it('then the same change sent twice at once charges once', async () => {
    const bought = await buyEssentials();
    const intentsBefore = stack.stripe!.stats.get('paymentIntents');
    const request = {
      kind: 'upgrade',
      changeId: 'twice',
      plan: 'sales-premium',
      paymentMethod: 'pm_card_visa',
    };

    const [first, second] = await Promise.all([change(bought, request), change(bought, request)]);

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body.state).toBe('applied');
    expect(second.body.payment?.paymentIntentId).toBe(first.body.payment?.paymentIntentId);
    expect(stack.stripe!.stats.get('paymentIntents') - intentsBefore).toBe(1);
    expect(stack.stripe!.stats.forIntent(first.body.payment!.paymentIntentId).captures).toBe(1);
  });

  it('then the same change id with another request is refused naming the field', async () => {
    const bought = await buyEssentials();
    await change(bought, {
      kind: 'upgrade',
      changeId: 'reused',
      seats: 4,
      paymentMethod: 'pm_card_visa',
    });

    const { status, body } = await change<{ error: { code: string; message: string } }>(bought, {
      kind: 'upgrade',
      changeId: 'reused',
      seats: 5,
      paymentMethod: 'pm_card_visa',
    });

    expect(status).toBe(409);
    expect(body.error.code).toBe('LEDGER.CHANGE_CONFLICT');
    expect(body.error.message).toContain('seats');
    expect((await view(bought)).seats).toBe(4);
  });
});

describe('when the bank says no to an upgrade', () => {
  it.each([
    ['declines the card', 'pm_card_chargeDeclined'],
    ['asks the customer to authenticate', 'pm_card_authenticationRequired'],
  ])('then, when it %s, the change is declined (402) and nothing changes', async (_, card) => {
    const bought = await buyEssentials();
    const before = await view(bought);

    const { status, body } = await change(bought, {
      kind: 'upgrade',
      changeId: 'no',
      plan: 'sales-premium',
      paymentMethod: card,
    });

    expect(status).toBe(402);
    expect(body.state).toBe('declined');
    expect(body.declineReason).toBeTruthy();
    expect(await view(bought)).toEqual(before);
    expect(await features(bought, 'alice')).not.toContain('quotes');
    if (body.payment) {
      const intent = await stack
        .stripe!.createClient()
        .paymentIntents.retrieve(body.payment.paymentIntentId);
      expect(intent.amount_received).toBe(0);
    }
    expect(await stack.services.ledger.getChange(bought.subscriptionId, 'no')).toMatchObject({
      status: 'refused',
    });
  });
});

describe('when seats are assigned and unassigned', () => {
  it('then the features follow the seats', async () => {
    const bought = await buyEssentials();

    const { status, body } = await change(bought, {
      kind: 'seats',
      changeId: 'swap',
      assign: ['carol'],
      unassign: ['bob'],
    });

    expect(status).toBe(200);
    expect(body.state).toBe('applied');
    expect(await features(bought, 'carol')).toEqual(
      expect.arrayContaining(['sales-pipeline', 'contact-management']),
    );
    expect(await features(bought, 'bob')).toEqual([]);
    expect((await view(bought)).assigned).toEqual(['alice', 'carol']);
  });
});

describe('when a customer downgrades or cancels at the period end', () => {
  it('then the change is pending until then, and can be withdrawn', async () => {
    const bought = await buyEssentials();

    const downgrade = await change(bought, {
      kind: 'downgrade',
      changeId: 'fewer',
      seats: 1,
      unassign: ['bob'],
    });
    expect(downgrade.status).toBe(200);
    expect(downgrade.body.state).toBe('scheduled');
    expect(await view(bought)).toMatchObject({
      seats: 3,
      assigned: ['alice', 'bob'],
      pendingChange: { kind: 'downgrade', changeId: 'fewer', seats: 1, unassign: ['bob'] },
    });

    const cancel = await change(bought, { kind: 'cancel', changeId: 'bye' });
    expect(cancel.status).toBe(409);

    const withdraw = await change(bought, { kind: 'withdraw', changeId: 'keep', target: 'fewer' });
    expect(withdraw.body.state).toBe('applied');
    expect((await view(bought)).pendingChange).toBeNull();
    const withdrawn = await stack.http.call<{ change: { status: string }; status: ChangeStatus }>(
      'GET',
      `${changePath(bought)}/fewer`,
      READ_KEY,
    );
    expect(withdrawn.body.change.status).toBe('withdrawn');
    expect(withdrawn.body.status.state).toBe('withdrawn');

    const scheduled = await change(bought, { kind: 'cancel', changeId: 'bye' });
    expect(scheduled.body.state).toBe('scheduled');
    expect((await view(bought)).pendingChange).toEqual({ kind: 'cancel', changeId: 'bye' });
    expect(await features(bought, 'alice')).toContain('sales-pipeline');
  });
});

describe('when a customer cancels immediately', () => {
  it('then the unused part is refunded and every license revoked', async () => {
    const bought = await buyEssentials();
    const before = await view(bought);
    const asked = Date.now();

    const { status, body } = await change(bought, {
      kind: 'cancel',
      changeId: 'now',
      immediately: true,
    });

    expect(status).toBe(200);
    expect(body.state).toBe('applied');
    const unused = (at: number) =>
      prorate(catalog, {
        period: 'month',
        from: { plan: 'sales-essentials', seats: 3 },
        to: { plan: 'sales-essentials', seats: 3 },
        periodStart: Date.parse(before.currentPeriodStart),
        periodEnd: Date.parse(before.currentPeriodEnd),
        changeAt: at,
      }).credit;
    const refunded = body.amount!.total;
    expect(refunded).toBeLessThanOrEqual(unused(asked));
    expect(refunded).toBeGreaterThan(0);
    const subscription = await stack.services.ledger.getSubscription(bought.subscriptionId);
    const refunds = await stack.stripe!.createClient().refunds.list({
      payment_intent: subscription!.paymentIntentId!,
    });
    expect(refunds.data.map((r) => r.amount)).toEqual([refunded]);

    expect(await features(bought, 'alice')).toEqual([]);
    expect(await view(bought)).toMatchObject({ status: 'ended', assigned: [] });
  });
});

describe('when a change is bad', () => {
  interface Refusal {
    error: { code: string; message: string; fields?: { path: string }[] };
  }

  it.each([
    ['an unknown plan', { kind: 'upgrade', plan: 'sales-platinum' }, 400, 'plan'],
    [
      'a yearly period made monthly mid-period',
      { kind: 'upgrade', period: 'month' },
      400,
      'period',
    ],
    ['an "upgrade" that upgrades nothing', { kind: 'upgrade', seats: 3 }, 400, 'seats'],
    ['a downgrade below the assigned seats', { kind: 'downgrade', seats: 1 }, 409, 'unassign'],
    ['more users than seats bought', { kind: 'seats', assign: ['c', 'd'] }, 409, 'assign'],
    ['a change without its id', { kind: 'cancel', changeId: undefined }, 400, 'changeId'],
  ])('then %s is refused naming the field, and nothing changes', async (_, body, code, field) => {
    const bought = await buyEssentials({ period: 'year' });
    const before = await view(bought);
    const intents = stack.stripe!.stats.get('paymentIntents');

    const { status, body: answer } = await change<Refusal>(bought, {
      changeId: uniqueId('bad'),
      paymentMethod: body.kind === 'upgrade' ? 'pm_card_visa' : undefined,
      ...body,
    });

    expect(status).toBe(code);
    expect(answer.error.fields?.map((f) => f.path)).toContain(field);
    if (code === 409) expect(answer.error.message).toMatch(/\d/);
    expect(await view(bought)).toEqual(before);
    expect(stack.stripe!.stats.get('paymentIntents')).toBe(intents);
    expect(await stack.services.ledger.listChanges(bought.subscriptionId)).toEqual([]);
  });

  it('then a change to an ended or unknown subscription is refused', async () => {
    const bought = await buyEssentials();
    await change(bought, { kind: 'cancel', changeId: 'end', immediately: true });

    const ended = await change<Refusal>(bought, { kind: 'upgrade', changeId: 'late', seats: 5 });
    const unknown = await change<Refusal>(
      { ...bought, subscriptionId: 'sub-nobody' },
      { kind: 'cancel', changeId: 'c' },
    );

    expect(ended.status).toBe(409);
    expect(ended.body.error.fields?.map((f) => f.path)).toEqual(['subscriptionId']);
    expect(unknown.status).toBe(404);
    expect((await view(bought)).seats).toBe(3);
  });
});

describe('when an upgrade cannot capture its payment', () => {
  /** Fails every capture (and release) until cleared; the authorization is another path. */
  function failCaptures(): void {
    stack.stripe!.faults.add({
      type: 'error-before-write',
      method: 'POST',
      path: '/v1/payment_intents/',
      times: 100,
    });
  }

  async function parkedUpgrade(bought: Bought, changeId: string) {
    failCaptures();
    const parked = await change(bought, {
      kind: 'upgrade',
      changeId,
      plan: 'sales-premium',
      paymentMethod: 'pm_card_visa',
    });
    stack.stripe!.faults.clear();
    return parked;
  }

  const decide = (bought: Bought, changeId: string, action: 'retry' | 'abort') =>
    stack.http.call<ChangeStatus>(
      'POST',
      `/v1/ops/subscriptions/${bought.subscriptionId}/changes/${changeId}/${action}`,
      OPS_KEY,
      { by: 'ops@example.com', reason: `test ${action}` },
    );

  it('then it waits for ops, and an abort undoes it: the hold is released and the plan restored', async () => {
    const bought = await buyEssentials();

    const parked = await parkedUpgrade(bought, 'stuck');

    expect(parked.status).toBe(202);
    expect(parked.body).toMatchObject({ state: 'needs-attention', step: 'capture' });
    expect(parked.body.attention?.step).toBe('capture');
    const listed = await waitForAttentionList(bought, (changes) => changes.length > 0);
    expect(listed).toEqual([
      expect.objectContaining({
        subscriptionId: bought.subscriptionId,
        changeId: 'stuck',
        kind: 'upgrade',
        state: 'needs-attention',
        attention: expect.objectContaining({ step: 'capture' }) as unknown,
      }),
    ]);

    const aborted = await decide(bought, 'stuck', 'abort');
    expect(aborted.status).toBe(200);
    const done = await waitForChange(bought, 'stuck', (s) => s.state === 'compensated');
    expect(done.compensationsDone).toEqual(['revert-upgrade', 'release-payment', 'record-refusal']);
    const intent = await stack
      .stripe!.createClient()
      .paymentIntents.retrieve(parked.body.payment!.paymentIntentId);
    expect(intent.status).toBe('canceled');
    expect(await view(bought)).toMatchObject({ productKey: 'sales-essentials', seats: 3 });
    expect(await features(bought, 'alice')).not.toContain('quotes');
    expect(await stack.services.ledger.getChange(bought.subscriptionId, 'stuck')).toMatchObject({
      status: 'refused',
    });
  });

  it('then ops can retry it once the payment service is back, and it is charged once', async () => {
    const bought = await buyEssentials();
    const parked = await parkedUpgrade(bought, 'retried');
    expect(parked.body.state).toBe('needs-attention');

    await decide(bought, 'retried', 'retry');

    const done = await waitForChange(bought, 'retried', (s) => s.state === 'applied');
    expect(stack.stripe!.stats.forIntent(done.payment!.paymentIntentId).captures).toBe(1);
    expect(await features(bought, 'alice')).toContain('quotes');
  });
});

describe('when a customer saves a new payment method', () => {
  it('then renewals will charge it, and no renewal running is fine', async () => {
    const bought = await buyEssentials();

    const { status, body } = await change(bought, {
      kind: 'payment-method',
      changeId: 'new-card',
      paymentMethod: 'pm_card_mastercard',
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({ state: 'applied', renewalSignalled: false });
    expect((await view(bought)).paymentMethodId).toBe('pm_card_mastercard');
  });
});

describe('when a monthly subscription becomes yearly', () => {
  it('then the month is credited, the year charged from the same start, and the period ends a year after it', async () => {
    const bought = await buyEssentials();
    const before = await view(bought);

    const { status, body } = await change(bought, {
      kind: 'upgrade',
      changeId: 'yearly',
      period: 'year',
      paymentMethod: 'pm_card_visa',
    });

    expect(status).toBe(200);
    expect(body.state).toBe('applied');
    const start = new Date(before.currentPeriodStart);
    const yearLater = new Date(start);
    yearLater.setUTCFullYear(start.getUTCFullYear() + 1);
    expect(await view(bought)).toMatchObject({
      period: 'year',
      currentPeriodStart: before.currentPeriodStart,
      currentPeriodEnd: yearLater.toISOString(),
    });
    const price = catalog.prices.plans['sales-essentials'];
    // At the period start, a whole year less the whole month; later the month's credit
    // shrinks faster than the year's charge (a year costs less per day), never above a year.
    expect(body.amount!.total).toBeGreaterThanOrEqual(3 * (price.year - price.month));
    expect(body.amount!.total).toBeLessThanOrEqual(3 * price.year);
  });
});

async function waitForChange(
  bought: Bought,
  changeId: string,
  done: (status: ChangeStatus) => boolean,
): Promise<ChangeStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { body } = await stack.http.call<{ status?: ChangeStatus }>(
      'GET',
      `${changePath(bought)}/${changeId}`,
      READ_KEY,
    );
    if (body.status && done(body.status)) return body.status;
    if (Date.now() > deadline) throw new Error(`change ${changeId}: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ChangeSummaryBody {
  subscriptionId: string;
  changeId: string;
  kind: string;
  state: string;
}

/** Visibility lags the workflow a moment: poll the ops list until `done` holds. */
async function waitForAttentionList(
  bought: Bought,
  done: (changes: ChangeSummaryBody[]) => boolean,
): Promise<ChangeSummaryBody[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { body } = await stack.http.call<{ changes: ChangeSummaryBody[] }>(
      'GET',
      `/v1/ops/subscription-changes?tenantId=${bought.tenantId}`,
      OPS_KEY,
    );
    if (done(body.changes)) return body.changes;
    if (Date.now() > deadline) throw new Error(`ops list: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
