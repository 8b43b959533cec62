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

/**
 * An order's history as Temporal's server and database store it, read by a client
 * without the codec: as JSON, and with every byte field spelled out as text.
 */
async function rawHistory(orderId: string) {
  const raw = new Client({ connection: stack.client.connection });
  const history = await raw.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
  const json = historyToJSON(history);
  const decodedFields = JSON.stringify(history, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
  );
  return { json, decodedFields };
}

describe('personal data in Temporal', () => {
  test("when checkout answers a 3-D Secure order with the PaymentIntent's client secret, then its raw history never holds that secret", async () => {
    const order = planOrder({ paymentMethod: 'pm_card_authenticationRequired' });
    const placed = await stack.http.placeOrder<{ clientSecret?: string }>(order);
    expect(placed.status).toBe(201);
    const clientSecret = placed.body.clientSecret!;
    expect(clientSecret).toMatch(/^pi_.+_secret_/);
    const waiting = await waitForOrder(stack, order.orderId, (s) => s.payment !== undefined);
    stack.stripe!.authenticate(waiting.payment!.paymentIntentId, 'succeed');
    expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('completed');

    const { json, decodedFields } = await rawHistory(order.orderId);
    expect(json).toContain('encryption-key-id');
    expect(json).not.toContain(clientSecret);
    expect(decodedFields).not.toContain(clientSecret);
    // Not even its secret part, wherever it might be split off.
    const secretPart = clientSecret.slice(clientSecret.indexOf('_secret_') + '_secret_'.length);
    expect(decodedFields).not.toContain(secretPart);
  });

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

    for (const order of [plan, calendar]) {
      const { json, decodedFields } = await rawHistory(order.orderId);

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
    const raw = new Client({ connection: stack.client.connection });
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
      // An activity's failure, or a local activity's in the marker that records it.
      const failures = history.events!.flatMap((event) => {
        const failure =
          event.activityTaskFailedEventAttributes?.failure ??
          event.markerRecordedEventAttributes?.failure;
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
