import type { Client } from '@temporalio/client';
import { loadConfig } from '../config';
import { createOrderService, type OrderService } from '../orders/order-service';
import { connectClient, orderPolicy } from '../runtime/temporal';

/** The order use cases over a Temporal client, for one CLI invocation. */
export async function withOrderService<T>(use: (orders: OrderService) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const client: Client = await connectClient(config);
  try {
    return await use(
      createOrderService({
        client,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        policy: orderPolicy(config),
      }),
    );
  } finally {
    await client.connection.close();
  }
}
