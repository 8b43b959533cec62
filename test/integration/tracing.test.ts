import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../src/telemetry/tracing';
import {
  isFinal,
  planOrder,
  startOrderStack,
  waitForOrder,
  type OrderStack,
} from './support/order-stack';

/**
 * The API and the worker of the stack run in this process with tracing on, their spans
 * kept in memory: what an OTLP collector would receive from both processes.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let stack: OrderStack;

beforeAll(async () => {
  tracing = startTracing({}, { service: 'provisioner-test', exporter });
  stack = await startOrderStack();
});

afterAll(async () => {
  await stack?.close();
  await tracing?.shutdown();
});

async function spansUntil(
  done: (spans: ReadableSpan[]) => boolean,
  timeoutMs = 15_000,
): Promise<ReadableSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = exporter.getFinishedSpans();
    if (done(spans)) return spans;
    if (Date.now() > deadline) {
      throw new Error(`spans seen: ${spans.map((s) => s.name).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const checkoutSpanOf = (spans: ReadableSpan[]) =>
  spans.find(
    (s) =>
      s.attributes['http.route'] === '/v1/orders' && s.attributes['http.request.method'] === 'POST',
  );

/** The span's ancestors, nearest first, as far as the exported spans go. */
function ancestry(span: ReadableSpan, spans: ReadableSpan[]): ReadableSpan[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const chain: ReadableSpan[] = [];
  for (let parent = byId.get(span.parentSpanId ?? ''); parent;) {
    chain.push(parent);
    parent = byId.get(parent.parentSpanId ?? '');
  }
  return chain;
}

test('when an order is placed, then one trace leads from the HTTP request through the workflow to the capture', async () => {
  exporter.reset();
  const order = planOrder();
  expect((await stack.http.placeOrder(order)).status).toBe(201);
  expect((await waitForOrder(stack, order.orderId, isFinal)).state).toBe('completed');

  const spans = await spansUntil(
    (all) =>
      all.some((s) => s.name === 'RunActivity:capturePayment') &&
      all.some((s) => s.name === 'RunWorkflow:purchaseWorkflow') &&
      checkoutSpanOf(all) !== undefined,
  );
  const checkout = checkoutSpanOf(spans)!;
  const capture = spans.find((s) => s.name === 'RunActivity:capturePayment')!;
  const traceId = checkout.spanContext().traceId;

  expect(capture.spanContext().traceId).toBe(traceId);
  // Not merely the same id: the capture descends from the request, through the client's
  // update-with-start and the workflow run.
  const path = ancestry(capture, spans).map((s) => s.name);
  expect(path).toEqual(
    expect.arrayContaining([
      'RunWorkflow:purchaseWorkflow',
      'UpdateWithStartWorkflow:checkout',
      checkout.name,
    ]),
  );
  expect(path.at(-1)).toBe(checkout.name);
  expect(checkout.parentSpanId).toBeUndefined();
  // Every step of the order is in that trace.
  const activities = spans
    .filter((s) => s.spanContext().traceId === traceId && s.name.startsWith('RunActivity:'))
    .map((s) => s.name);
  expect(activities).toEqual(
    expect.arrayContaining([
      'RunActivity:authorizePayment',
      'RunActivity:grantLicenses',
      'RunActivity:capturePayment',
      'RunActivity:recordSubscription',
    ]),
  );
  expect(capture.resource.attributes['service.name']).toBe('provisioner-test');
});

test('when a caller sends a traceparent, then the checkout continues its trace, and two orders are two traces', async () => {
  exporter.reset();
  const callerTrace = '0af7651916cd43dd8448eb211c80319c';
  const first = planOrder();
  const second = planOrder();
  const placed = await fetch(`${stack.api.url}/v1/orders`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer test-checkout',
      'content-type': 'application/json',
      traceparent: `00-${callerTrace}-b7ad6b7169203331-01`,
    },
    body: JSON.stringify(first),
  });
  expect(placed.status).toBe(201);
  expect((await stack.http.placeOrder(second)).status).toBe(201);
  for (const order of [first, second]) await waitForOrder(stack, order.orderId, isFinal);

  const spans = await spansUntil(
    (all) => all.filter((s) => s.name === 'RunActivity:capturePayment').length === 2,
  );
  const captureTraces = spans
    .filter((s) => s.name === 'RunActivity:capturePayment')
    .map((s) => s.spanContext().traceId);
  expect(captureTraces).toContain(callerTrace);
  expect(new Set(captureTraces).size).toBe(2);
});
