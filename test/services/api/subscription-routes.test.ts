import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../../src/api/app';
import { ledgerEngines, uniqueId, useTestLedger } from '../ledger/engines';
import { CURRENT_PERIOD, planSubscription } from '../ledger/fixtures';
import { KEYS, apiKeys, bearer } from './api-harness';
import { serveForTest, type TestClient } from './http-client';
import { subscriptionsWithoutTemporal } from './subscriptions-without-temporal';

interface Refusal {
  error: { code: string; message: string; fields?: { path: string; message: string }[] };
}

/**
 * The subscription routes over a real ledger and a Temporal client that reaches nothing:
 * every refusal here is decided before a workflow could start, and records nothing.
 */
describe.each(ledgerEngines())('subscription routes on %s', (engine) => {
  const opened = useTestLedger(engine);
  let closeTemporal = async () => undefined as void;
  let app: FastifyInstance;
  let client: TestClient;
  const tenant = uniqueId('tenant');
  const monthly = uniqueId('sub');
  const yearly = uniqueId('sub');
  const ended = uniqueId('sub');
  const second = uniqueId('sub');
  let shrinkingId = '';

  beforeAll(async () => {
    const { ledger } = opened();
    const built = subscriptionsWithoutTemporal(ledger, {
      taskQueue: 'subscription-routes-test',
      now: () => Date.parse('2026-01-15T00:00:00.000Z'),
    });
    closeTemporal = built.close;
    const subscriptions = built.subscriptions;
    app = buildApi({ ledger, apiKeys, subscriptions });
    client = await serveForTest(app);
    await ledger.recordSubscription(planSubscription(monthly, tenant, 'sales-essentials', 3));
    await ledger.assignSeats({
      subscriptionId: monthly,
      tenantId: tenant,
      plan: 'sales-essentials',
      userIds: ['alice', 'bob'],
      orderId: 'order-1',
    });
    const shrinking = uniqueId('sub');
    shrinkingId = shrinking;
    await ledger.recordSubscription(planSubscription(shrinking, tenant, 'marketing-premium', 3));
    await ledger.assignSeats({
      subscriptionId: shrinking,
      tenantId: tenant,
      plan: 'marketing-premium',
      userIds: ['alice'],
      orderId: 'order-2',
    });
    await ledger.schedulePendingChange({
      subscriptionId: shrinking,
      change: { kind: 'downgrade', changeId: 'down', seats: 1, unassign: [] },
    });
    await ledger.recordSubscription(
      planSubscription(yearly, tenant, 'service-premium', 2, {
        period: 'year',
        currentPeriodEnd: '2027-01-01T00:00:00.000Z',
      }),
    );
    await ledger.recordSubscription(planSubscription(second, tenant, 'sales-essentials', 2));
    await ledger.schedulePendingChange({
      subscriptionId: second,
      change: { kind: 'cancel', changeId: 'bye' },
    });
    await ledger.recordSubscription(planSubscription(ended, tenant, 'sales-premium', 1));
    await ledger.updateSubscriptionStatus(ended, 'ended');
  });

  afterAll(async () => {
    await app.close();
    await closeTemporal();
  });

  const changes = (subscriptionId: string) =>
    `/v1/tenants/${tenant}/subscriptions/${subscriptionId}/changes`;

  async function refused(subscriptionId: string, body: unknown, key = KEYS.checkout) {
    const response = await client.request('POST', changes(subscriptionId), {
      headers: bearer(key),
      body,
    });
    const refusal = response.json<Refusal>();
    return {
      status: response.statusCode,
      code: refusal.error.code,
      message: refusal.error.message,
      fields: (refusal.error.fields ?? []).map((field) => field.path),
    };
  }

  it('when a subscription is read, then it shows its status, period, seats, assigned users and pending change', async () => {
    const response = await client.request('GET', `/v1/tenants/${tenant}/subscriptions/${monthly}`, {
      headers: bearer(KEYS.read),
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: monthly,
      tenantId: tenant,
      productKey: 'sales-essentials',
      status: 'active',
      period: 'month',
      seats: 3,
      assigned: ['alice', 'bob'],
      pendingChange: null,
      ...CURRENT_PERIOD,
    });
  });

  it("when a tenant's subscriptions are listed, then each is there; an unknown tenant is a 404", async () => {
    const listed = await client.request('GET', `/v1/tenants/${tenant}/subscriptions`, {
      headers: bearer(KEYS.read),
    });
    const unknown = await client.request('GET', '/v1/tenants/nobody-here/subscriptions', {
      headers: bearer(KEYS.read),
    });

    expect(listed.statusCode).toBe(200);
    expect(
      listed.json<{ subscriptions: { id: string }[] }>().subscriptions.map((s) => s.id),
    ).toEqual([monthly, shrinkingId, yearly, second, ended]);
    expect(unknown.statusCode).toBe(404);
  });

  it("when another tenant's subscription is asked for, then it is unknown", async () => {
    const response = await client.request('GET', `/v1/tenants/other/subscriptions/${monthly}`, {
      headers: bearer(KEYS.read),
    });

    expect(response.statusCode).toBe(404);
  });

  it.each([
    ['no change id', { kind: 'cancel' }, 'changeId'],
    ['an unknown kind', { kind: 'pause', changeId: 'c-1' }, 'kind'],
    ['an unknown plan', { kind: 'upgrade', changeId: 'c-1', plan: 'sales-gold' }, 'plan'],
    ['zero seats', { kind: 'downgrade', changeId: 'c-1', seats: 0 }, 'seats'],
    ['a field no change has', { kind: 'cancel', changeId: 'c-1', when: 'now' }, ''],
    [
      'a bad payment method',
      { kind: 'payment-method', changeId: 'c-1', paymentMethod: 'x' },
      'paymentMethod',
    ],
    [
      'a user both assigned and unassigned',
      { kind: 'seats', changeId: 'c-1', assign: ['bob'], unassign: ['bob'] },
      'unassign',
    ],
    ['a seat change naming nobody', { kind: 'seats', changeId: 'c-1' }, 'assign'],
  ])('when a change has %s, then it is a 400 naming the field', async (_, body, field) => {
    const answer = await refused(monthly, body);

    expect(answer.status).toBe(400);
    expect(answer.code).toBe('INVALID_INPUT');
    expect(answer.fields).toContain(field);
  });

  it.each([
    [
      'an "upgrade" that upgrades nothing',
      monthly,
      { kind: 'upgrade', seats: 3 },
      400,
      'CHANGE.NOT_AN_UPGRADE',
      'seats',
    ],
    [
      'an "upgrade" to fewer seats',
      monthly,
      { kind: 'upgrade', seats: 2 },
      400,
      'CHANGE.NOT_AN_UPGRADE',
      'seats',
    ],
    [
      'year → month as an upgrade',
      yearly,
      { kind: 'upgrade', period: 'month' },
      400,
      'CHANGE.NOT_AN_UPGRADE',
      'period',
    ],
    [
      'a plan of another solution',
      monthly,
      { kind: 'upgrade', plan: 'service-premium' },
      400,
      'CHANGE.INVALID',
      'plan',
    ],
    [
      'an upgrade without a payment method',
      monthly,
      { kind: 'upgrade', plan: 'sales-premium' },
      400,
      'CHANGE.INVALID',
      'paymentMethod',
    ],
    [
      'a "downgrade" that raises the tier',
      monthly,
      { kind: 'downgrade', plan: 'sales-premium' },
      400,
      'CHANGE.NOT_A_DOWNGRADE',
      'plan',
    ],
    [
      'a downgrade below the assigned seats',
      monthly,
      { kind: 'downgrade', seats: 1 },
      409,
      'CHANGE.UNASSIGN_REQUIRED',
      'unassign',
    ],
    [
      'a downgrade unassigning a stranger',
      monthly,
      { kind: 'downgrade', seats: 1, unassign: ['zed'] },
      400,
      'CHANGE.INVALID',
      'unassign',
    ],
    [
      'more users than seats bought',
      monthly,
      { kind: 'seats', assign: ['carol', 'dave'] },
      409,
      'CHANGE.SEATS_EXCEEDED',
      'assign',
    ],
    [
      'an upgrade while a cancellation is scheduled',
      second,
      { kind: 'upgrade', seats: 3, paymentMethod: 'pm_card_visa' },
      409,
      'CHANGE.ALREADY_SCHEDULED',
      'changeId',
    ],
    [
      'a user who holds the plan through another subscription',
      second,
      { kind: 'seats', assign: ['alice'] },
      409,
      'CHANGE.PLAN_ALREADY_ASSIGNED',
      'assign',
    ],
    [
      'a withdrawal of nothing scheduled',
      monthly,
      { kind: 'withdraw', target: 'nothing' },
      409,
      'CHANGE.NOT_SCHEDULED',
      'target',
    ],
    [
      'a change to an ended subscription',
      ended,
      { kind: 'cancel' },
      409,
      'CHANGE.SUBSCRIPTION_NOT_CHANGEABLE',
      'subscriptionId',
    ],
    [
      'a change to an unknown subscription',
      'sub-unknown',
      { kind: 'cancel' },
      404,
      'LEDGER.SUBSCRIPTION_NOT_FOUND',
      'subscriptionId',
    ],
  ])(
    'when %s is asked, then it is refused naming the field, and nothing is recorded',
    async (_, subscriptionId, body, status, code, field) => {
      const { ledger } = opened();
      const before = await ledger.getSubscription(subscriptionId);

      const answer = await refused(subscriptionId, { changeId: uniqueId('change'), ...body });

      expect(answer).toMatchObject({ status, code });
      expect(answer.fields).toContain(field);
      expect(await ledger.getSubscription(subscriptionId)).toEqual(before);
      if (before) expect(await ledger.listChanges(subscriptionId)).toEqual([]);
    },
  );

  it('when seats are assigned beyond a scheduled downgrade, then it is a 409 naming assign, and nothing is recorded', async () => {
    const answer = await refused(shrinkingId, { kind: 'seats', changeId: 'more', assign: ['bob'] });

    expect(answer).toMatchObject({
      status: 409,
      code: 'CHANGE.ALREADY_SCHEDULED',
      fields: ['assign'],
    });
    expect(answer.message).toContain('lowers the seats to 1');
    expect(await opened().ledger.listChanges(shrinkingId)).toEqual([]);
  });

  it('when a downgrade leaves too many users seated, then the 409 names the count', async () => {
    const answer = await refused(monthly, { kind: 'downgrade', changeId: 'few', seats: 1 });

    expect(answer.message).toContain('2 users are assigned and the new count is 1');
  });

  it('when a change id is reused with another request, then it is a 409 naming the differing field', async () => {
    const { ledger } = opened();
    await ledger.requestChange({
      subscriptionId: yearly,
      tenantId: tenant,
      changeId: 'reused',
      kind: 'downgrade',
      request: { seats: 1 },
    });

    const answer = await refused(yearly, { kind: 'downgrade', changeId: 'reused', seats: 2 });

    expect(answer).toMatchObject({ status: 409, code: 'LEDGER.CHANGE_CONFLICT' });
    expect(answer.message).toContain('seats');
  });

  it('when a read-only key asks for a change, then it is forbidden', async () => {
    const answer = await refused(monthly, { kind: 'cancel', changeId: 'c-1' }, KEYS.read);

    expect(answer.status).toBe(403);
  });
});
