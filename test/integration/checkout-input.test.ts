import { WorkflowNotFoundError } from '@temporalio/client';
import { orderWorkflowId } from '../../workflows/order-types';
import {
  addonOrder,
  heldLicenses,
  isFinal,
  planOrder,
  startOrderStack,
  waitForOrder,
  waitForVisibility,
  type OrderStack,
} from './support/order-stack';

interface ErrorBody {
  error: { code: string; message: string; fields?: { path: string; message: string }[] };
}

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

const exchange = (ewsUrl: string) => ({ provider: 'exchange', settings: { ewsUrl } });

describe('when checkout sends bad input', () => {
  test.each([
    { when: 'seats is 0', field: 'seats', order: planOrder({ seats: 0, assignTo: [] }) },
    { when: 'the plan is unknown', field: 'plan', order: planOrder({ plan: 'sales-ultimate' }) },
    {
      when: 'assignTo lists more users than seats',
      field: 'assignTo',
      order: planOrder({ seats: 1, assignTo: ['a', 'b'] }),
    },
    {
      when: 'assignTo lists a user twice',
      field: 'assignTo',
      order: planOrder({ seats: 3, assignTo: ['a', 'a'] }),
    },
    { when: 'the add-on is unknown', field: 'addon', order: addonOrder('teleport') },
    {
      when: 'calendar-sync comes without settings',
      field: 'settings',
      order: addonOrder('calendar-sync', { settings: undefined }),
    },
    {
      when: 'the exchange EWS URL is http://',
      field: 'settings.settings.ewsUrl',
      order: addonOrder('calendar-sync', {
        settings: exchange('http://mail.contoso.com/EWS/Exchange.asmx'),
      }),
    },
    {
      when: 'an add-on that takes no settings gets some',
      field: 'settings',
      order: addonOrder('ai', { settings: exchange('https://mail.contoso.com/EWS/Exchange.asmx') }),
    },
    {
      when: 'the order id has a space',
      field: 'orderId',
      order: planOrder({ orderId: 'order 1' }),
    },
    {
      when: 'the customer is empty',
      field: 'customer.email',
      order: planOrder({ customer: {} }),
    },
  ])(
    'when $when, then it is refused with 400 naming $field and nothing starts',
    async ({ field, order }) => {
      const stripeRequests = stack.stripe!.stats.get('requests');

      const refused = await stack.http.placeOrder<ErrorBody>(order);

      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('INVALID_INPUT');
      expect(refused.body.error.fields?.map((f) => f.path)).toEqual([field]);
      expect(refused.body.error.message).toContain(field);
      // Nothing started: no workflow, no call to Stripe, no ledger row.
      await expect(
        stack.client.workflow.getHandle(orderWorkflowId(order.orderId)).describe(),
      ).rejects.toBeInstanceOf(WorkflowNotFoundError);
      expect(stack.stripe!.stats.get('requests')).toBe(stripeRequests);
      expect(await heldLicenses(stack, order.tenantId)).toEqual([]);
    },
  );

  test('when the body is not an order at all, then it is refused with 400 naming kind', async () => {
    const refused = await stack.http.placeOrder<ErrorBody>({ hello: 'world' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields?.map((f) => f.path)).toEqual(['kind']);
  });
});

describe('when the same order is sent more than once', () => {
  /** The order's workflow runs, once visibility lists the run as finished. */
  const runsOf = (orderId: string) =>
    waitForVisibility(stack, `WorkflowId = '${orderWorkflowId(orderId)}'`, (executions) =>
      executions.some((e) => e.status.name === 'COMPLETED'),
    );

  test('when two identical checkouts arrive at once, then both get the same answer from one run, one authorization and one capture', async () => {
    const order = planOrder({ seats: 2, assignTo: ['alice'] });

    const [first, second] = await Promise.all([
      stack.http.placeOrder(order),
      stack.http.placeOrder(order),
    ]);

    expect(first.status).toBe(201);
    expect(second).toEqual(first);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('completed');
    expect(await runsOf(order.orderId)).toHaveLength(1);

    const paymentIntentId = done.payment!.paymentIntentId;
    expect(stack.stripe!.stats.forIntent(paymentIntentId)).toMatchObject({
      authorizations: 1,
      captures: 1,
    });
    const stripe = stack.stripe!.createClient();
    const intent = await stripe.paymentIntents.retrieve(paymentIntentId);
    const customerIntents = await stripe.paymentIntents.list({
      customer: intent.customer as string,
    });
    expect(customerIntents.data.map((i) => i.id)).toEqual([paymentIntentId]);
    const history = await stack.services.ledger.grantHistory(order.tenantId);
    const grants = history.entries.map((e) => `${e.subjectId}:${e.feature}`);
    expect(new Set(grants).size).toBe(grants.length);
  });

  test('when the order is sent again after it completed, then it answers the order as it is now and nothing runs again', async () => {
    const order = addonOrder('calendar-sync');
    const first = await stack.http.placeOrder(order);
    expect(first.status).toBe(201);
    const done = await waitForOrder(stack, order.orderId, isFinal);
    expect(done.state).toBe('completed');
    const requestsBefore = stack.stripe!.stats.get('requests');
    const connectionsBefore = stack.simulators!.calendarSync.stats.requests;

    const again = await stack.http.placeOrder(order);

    expect(again).toEqual({ ...first, body: { ...first.body, state: 'completed' } });
    expect(await runsOf(order.orderId)).toHaveLength(1);
    expect(stack.stripe!.stats.get('requests')).toBe(requestsBefore);
    expect(stack.simulators!.calendarSync.stats.requests).toBe(connectionsBefore);
  });

  test.each([
    ['another plan', { plan: 'sales-premium' }],
    ['another tenant', { tenantId: 'tenant-someone-else' }],
  ])(
    'when the order id is reused for %s, then it is refused with 409 and the first order stands',
    async (_case, change) => {
      const order = planOrder();
      expect((await stack.http.placeOrder(order)).status).toBe(201);

      const reused = await stack.http.placeOrder<ErrorBody>({ ...order, ...change });

      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('ORDER.CONFLICT');
      expect(reused.body.error.message).toContain(order.orderId);
      const done = await waitForOrder(stack, order.orderId, isFinal);
      expect(done).toMatchObject({
        state: 'completed',
        tenantId: order.tenantId,
        product: order.plan,
      });
      expect(stack.stripe!.stats.forIntent(done.payment!.paymentIntentId).authorizations).toBe(1);
      expect(await runsOf(order.orderId)).toHaveLength(1);
    },
  );
});
