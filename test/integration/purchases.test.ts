import { temporal } from '@temporalio/proto';
import { getCatalog, grantsForAddon, userFeatures } from '../../src/catalog';
import { ORDER_STATE } from '../../src/domain/search-attributes';
import {
  addonOrder,
  isFinal,
  OPS_KEY,
  planOrder,
  READ_KEY,
  startOrderStack,
  waitForOrder,
  waitForVisibility,
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

interface EntitlementsBody {
  features: { feature: string; kind: string; sources: { orderId: string }[] }[];
}

const featureKeys = (body: EntitlementsBody, kind: string) =>
  body.features
    .filter((f) => f.kind === kind)
    .map((f) => f.feature)
    .sort();

describe('when a plan is purchased and paid', () => {
  test.each(catalog.plans.map((plan) => plan.key))(
    'then %s is captured once and its users hold exactly the features the catalog gives it',
    async (plan) => {
      const order = planOrder({ plan, seats: 3, assignTo: ['alice', 'bob'] });
      const placed = await stack.http.placeOrder(order);
      expect(placed.status).toBe(201);

      const done = await waitForOrder(stack, order.orderId, isFinal);
      expect(done.state).toBe('completed');
      expect(done.payment?.captured).toBe(true);
      expect(stack.stripe!.stats.forIntent(done.payment!.paymentIntentId).captures).toBe(1);

      for (const user of ['alice', 'bob']) {
        const { status, body } = await stack.http.call<EntitlementsBody>(
          'GET',
          `/v1/tenants/${order.tenantId}/users/${user}/entitlements`,
          READ_KEY,
        );
        expect(status).toBe(200);
        expect(featureKeys(body, 'feature')).toEqual(userFeatures(catalog, [plan]));
        for (const feature of body.features) {
          expect(feature.sources.map((s) => s.orderId)).toContain(order.orderId);
        }
      }
      const seats = await stack.services.ledger.seatUsage(order.tenantId);
      expect(seats).toEqual([expect.objectContaining({ plan, bought: 3, assigned: 2, free: 1 })]);
    },
  );
});

describe('when an add-on is purchased and paid', () => {
  test.each(catalog.addons.map((addon) => addon.key))(
    'then %s is captured once, provisioned when it needs to be, and the tenant holds exactly its flags',
    async (addon) => {
      const order = addonOrder(addon);
      expect((await stack.http.placeOrder(order)).status).toBe(201);

      const done = await waitForOrder(stack, order.orderId, isFinal);
      expect(done.state).toBe('completed');
      expect(stack.stripe!.stats.forIntent(done.payment!.paymentIntentId).captures).toBe(1);

      const tenant = await stack.services.ledger.tenantEntitlements(order.tenantId);
      const expected = grantsForAddon(catalog, addon, order.tenantId)
        .map((g) => `${g.kind}:${g.feature}`)
        .sort();
      const held = tenant.tenantFlags.map((f) => `${f.kind}:${f.feature}`).sort();
      expect(held).toEqual(expected);

      const portals = stack.simulators!.cep.resources();
      const connections = stack.simulators!.calendarSync.resources();
      const subscriptionId = `sub-${order.orderId}`;
      expect(portals.some((p) => p.externalId === `cep-${subscriptionId}`)).toBe(addon === 'cep');
      expect(connections.some((c) => c.externalId === `calsync-${subscriptionId}`)).toBe(
        addon === 'calendar-sync',
      );
    },
  );
});

describe('when an order runs to completion', () => {
  test('then it writes no visibility of its own, and the ops list shows it completed', async () => {
    const order = addonOrder('cep');
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('completed');

    const handle = stack.client.workflow.getHandle(`order-${order.orderId}`);
    // Started listed as received; the list reads completion from the execution's close.
    expect((await handle.describe()).typedSearchAttributes.get(ORDER_STATE)).toBe('received');
    const { EventType } = temporal.api.enums.v1;
    const upserts = ((await handle.fetchHistory()).events ?? []).filter(
      (event) => event.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    );
    expect(upserts).toEqual([]);

    await waitForVisibility(
      stack,
      `TenantId = '${order.tenantId}' AND ExecutionStatus = 'Completed'`,
      (executions) => executions.length > 0,
    );
    const list = (state: string) =>
      stack.http.call<{ orders: { orderId: string; state: string }[] }>(
        'GET',
        `/v1/ops/orders?tenantId=${order.tenantId}&state=${state}`,
        OPS_KEY,
      );
    const completed = await list('completed');
    expect(completed.status).toBe(200);
    expect(completed.body.orders).toEqual([
      expect.objectContaining({ orderId: order.orderId, state: 'completed' }),
    ]);
    expect((await list('received')).body.orders).toEqual([]);
  });

  test('then the server schedules only the grant as an activity and runs two workflow tasks; every other step is a local activity recorded in a marker', async () => {
    const order = addonOrder('cep');
    expect((await stack.http.placeOrder(order)).status).toBe(201);
    expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('completed');

    const { EventType } = temporal.api.enums.v1;
    const events =
      (await stack.client.workflow.getHandle(`order-${order.orderId}`).fetchHistory()).events ?? [];
    const ofType = (type: temporal.api.enums.v1.EventType) =>
      events.filter((event) => event.eventType === type);
    const scheduled = ofType(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name,
    );
    // The marker's own data (not the step's result, which the codec encrypts) names the step.
    const local = ofType(EventType.EVENT_TYPE_MARKER_RECORDED).map((event) => {
      const [data] = event.markerRecordedEventAttributes?.details?.data?.payloads ?? [];
      const marker = JSON.parse(Buffer.from(data?.data ?? []).toString()) as {
        activity_type: string;
      };
      return marker.activity_type;
    });

    expect(scheduled).toEqual(['grantLicenses']);
    expect(local).toEqual([
      'ensureCustomer',
      'authorizePayment',
      'provision',
      'capturePayment',
      'recordSubscription',
    ]);
    expect(ofType(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toHaveLength(2);
  });
});
