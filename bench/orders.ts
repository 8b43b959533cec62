import { performance } from 'node:perf_hooks';
import { startLocalStack } from '../local/stack/local-stack';
import { startDevServer } from '../local/binaries/servers';
import { FINAL_STATES, type OrderState } from '../workflows/order-types';

/**
 * Orders end to end on the local stack (Temporal dev server, worker, API, PGlite, the
 * Stripe emulator, the simulators): checkout latency (until the authorization answer)
 * and time until completed, for a bounded number of orders at a fixed concurrency.
 * Prints figures, asserts nothing:  npx tsx bench/orders.ts [orders] [concurrency]
 */
const ORDERS = Number(process.argv[2] ?? 200);
const CONCURRENCY = Number(process.argv[3] ?? 8);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const server = await startDevServer();
  const stack = await startLocalStack({
    ephemeralPorts: true,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: server.address,
      PGLITE_DATA_DIR: 'memory://',
      LOG_LEVEL: 'warn',
    },
  });
  const key = stack.generatedApiKeys!.checkout;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const checkout: number[] = [];
  const completion: number[] = [];
  let next = 0;
  let failures = 0;

  const placeOne = async (i: number) => {
    const orderId = `bench-${i}`;
    const body = {
      kind: i % 3 === 0 ? 'addon' : 'plan',
      orderId,
      tenantId: `bench-tenant-${i % 50}`,
      ...(i % 3 === 0
        ? { addon: 'cep' }
        : { plan: i % 2 ? 'sales-premium' : 'service-essentials', seats: 5, assignTo: [`u${i}`] }),
      period: 'month',
      customer: { email: 'billing@example.com' },
      paymentMethod: 'pm_card_visa',
    };
    const started = performance.now();
    const response = await fetch(`${stack.api.url}/v1/orders`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    checkout.push(performance.now() - started);
    if (response.status !== 201) failures++;
    for (;;) {
      const status = (await (
        await fetch(`${stack.api.url}/v1/orders/${orderId}`, { headers })
      ).json()) as { state: OrderState };
      if (FINAL_STATES.includes(status.state)) {
        if (status.state !== 'completed') failures++;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    completion.push(performance.now() - started);
  };

  const began = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ORDERS) await placeOne(next++);
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  checkout.sort((a, b) => a - b);
  completion.sort((a, b) => a - b);
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`${ORDERS} orders, concurrency ${CONCURRENCY}, ${failures} not completed`);
  console.log(`  throughput: ${(ORDERS / seconds).toFixed(1)} orders/s completed`);
  console.log(
    `  checkout answer: p50 ${ms(percentile(checkout, 50))}, p90 ${ms(percentile(checkout, 90))}, p99 ${ms(percentile(checkout, 99))}`,
  );
  console.log(
    `  until completed: p50 ${ms(percentile(completion, 50))}, p90 ${ms(percentile(completion, 90))}, p99 ${ms(percentile(completion, 99))}`,
  );
  await stack.close();
  await server.teardown();
}

void main();
