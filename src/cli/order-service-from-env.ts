import type { Client } from '@temporalio/client';
import { loadConfig } from '../config';
import { createOrderService, type OrderService } from '../orders/order-service';
import { openLedgerFor } from '../runtime/services';
import { connectClient, orderPolicy } from '../runtime/temporal';

/**
 * The order use cases over a Temporal client and the ledger, for one CLI invocation. On
 * PGlite the ledger belongs to one process: run these while `npm start` is stopped, or
 * use the API (README).
 */
export async function withOrderService<T>(use: (orders: OrderService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const ledger = await openLedgerFor(config);
  const client: Client = await connectClient(config).catch(async (error: unknown) => {
    await ledger.close();
    throw error;
  });
  try {
    return await use(
      createOrderService({
        client,
        ledger,
        answerTimeoutMs: config.CHECKOUT_ANSWER_TIMEOUT_MS,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        policy: orderPolicy(config),
      }),
    );
  } finally {
    await client.connection.close();
    await ledger.close();
  }
}
