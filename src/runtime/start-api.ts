import type { Client } from '@temporalio/client';
import { buildApi } from '../api/app';
import { parseApiKeys } from '../api/api-keys';
import type { Config } from '../config';
import { createOrderService } from '../orders/order-service';
import type { Services } from './services';
import { orderPolicy } from './temporal';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Builds the HTTP API over the services and Temporal, and listens. */
export async function startApi(
  config: Config,
  services: Services,
  client: Client,
): Promise<RunningApi> {
  const app = buildApi({
    ledger: services.ledger,
    payments: services.payments,
    apiKeys: parseApiKeys(config.API_KEYS ?? ''),
    stripeWebhookSecret: config.STRIPE_WEBHOOK_SECRET,
    temporalUi: config.TEMPORAL_UI_URL
      ? { url: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE }
      : undefined,
    orders: createOrderService({
      client,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      policy: orderPolicy(config),
    }),
  });
  const url = await app.listen({ host: config.API_HOST, port: config.API_PORT });
  return { url, close: () => app.close() };
}
