import {
  isFinal,
  planOrder,
  startOrderStack,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack({ ORDER_STEP_TIMEOUT_MS: '60000' });
});

afterAll(async () => {
  await stack?.close();
});

test('when an order seats 10,000 users, then it completes, every user holds the plan, and the history stays small', async () => {
  const users = Array.from({ length: 10_000 }, (_, i) => `user-${String(i).padStart(5, '0')}`);
  const order = planOrder({ plan: 'marketing-essentials', seats: 10_000, assignTo: users });

  const placed = await stack.http.placeOrder(order);
  expect([201, 202]).toContain(placed.status);
  const done = await waitForOrder(stack, order.orderId, isFinal, 240_000);
  expect(done.state).toBe('completed');

  const seats = await stack.services.ledger.seatUsage(order.tenantId);
  expect(seats).toEqual([expect.objectContaining({ bought: 10_000, assigned: 10_000, free: 0 })]);
  const last = await stack.services.ledger.userEntitlements(order.tenantId, 'user-09999');
  expect(last.plans).toEqual(['marketing-essentials']);

  // The grants (a dozen features per user) are computed by the grant activity, not
  // carried through the history: what remains is the users' ids.
  const history = await stack.client.workflow.getHandle(`order-${order.orderId}`).fetchHistory();
  const bytes = Buffer.byteLength(JSON.stringify(history));
  expect(bytes).toBeLessThan(2 * 1024 * 1024);
}, 300_000);
