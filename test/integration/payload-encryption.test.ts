import { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import {
  addonOrder,
  isFinal,
  OPS_KEY,
  planOrder,
  startOrderStack,
  uniqueId,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';
import { orderWorkflowId } from '../../workflows/order-types';

let stack: OrderStack;

beforeAll(async () => {
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
});

describe('personal data in Temporal', () => {
  test('when orders carry an email, user ids and an EWS URL, then their raw histories hold none of them', async () => {
    const tag = uniqueId('canary').replace(/[^a-z0-9]/g, '');
    const canaries = {
      email: `${tag}@example.com`,
      userId: `${tag}user`,
      ewsHost: `${tag}-mail.example.com`,
    };
    const plan = planOrder({
      assignTo: [canaries.userId],
      customer: { email: canaries.email },
    });
    const calendar = addonOrder('calendar-sync', {
      customer: { email: canaries.email },
      settings: {
        provider: 'exchange',
        settings: { ewsUrl: `https://${canaries.ewsHost}/EWS/Exchange.asmx` },
      },
    });
    for (const order of [plan, calendar]) {
      expect((await stack.http.placeOrder(order)).status).toBe(201);
      // Through the API (which holds the key) the orders read as usual.
      expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('completed');
    }

    // A client without the codec sees what Temporal's server and database store.
    const raw = new Client({ connection: stack.client.connection });
    for (const order of [plan, calendar]) {
      const history = await raw.workflow.getHandle(orderWorkflowId(order.orderId)).fetchHistory();
      const json = historyToJSON(history);
      const decodedFields = JSON.stringify(history, (_key, value: unknown) =>
        value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
      );

      expect(json).toContain('encryption-key-id');
      for (const canary of Object.values(canaries)) {
        expect({ order: order.kind, canary, found: json.includes(canary) }).toEqual({
          order: order.kind,
          canary,
          found: false,
        });
        expect(decodedFields).not.toContain(canary);
      }
    }

    // The codec server (for the Temporal UI) opens the workflow's input to an ops key only.
    const history = await raw.workflow.getHandle(orderWorkflowId(plan.orderId)).fetchHistory();
    const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
    const body = {
      payloads: input.map((p) => ({
        metadata: Object.fromEntries(
          Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        ),
        data: Buffer.from(p.data ?? []).toString('base64'),
      })),
    };
    const decoded = await stack.http.call<{ payloads: { data: string }[] }>(
      'POST',
      '/codec/decode',
      OPS_KEY,
      body,
    );
    expect(decoded.status).toBe(200);
    expect(Buffer.from(decoded.body.payloads[0].data, 'base64').toString()).toContain(
      canaries.email,
    );
    const refused = await fetch(`${stack.api.url}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain(canaries.email);
  });

  test("when a step fails, then the failure's message and stack travel encrypted too", async () => {
    stack.simulators!.cep.faults.outage(503);
    try {
      const order = addonOrder('cep');
      expect((await stack.http.placeOrder(order)).status).toBe(201);
      const parked = await waitForOrder(stack, order.orderId, (s) => s.state === 'needs-attention');
      // Through the codec the failure reads as it was thrown.
      expect(parked.attention!.error.message).toMatch(/injected fault/);

      const raw = new Client({ connection: stack.client.connection });
      const history = await raw.workflow.getHandle(orderWorkflowId(order.orderId)).fetchHistory();
      const failures = history.events!.flatMap((event) => {
        const failure = event.activityTaskFailedEventAttributes?.failure;
        return failure ? [failure] : [];
      });

      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) {
        expect(failure.message).toBe('Encoded failure');
        expect(failure.stackTrace ?? '').toBe('');
        expect(failure.encodedAttributes?.metadata?.['encryption-key-id']).toBeDefined();
      }
      expect(historyToJSON(history)).not.toContain('injected fault');
      await stack.http.ops('abort', order.orderId);
    } finally {
      stack.simulators!.cep.faults.clear();
    }
  });
});
