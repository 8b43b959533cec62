import type { Client } from '@temporalio/client';
import { buildApi } from '../api/app';
import { parseApiKeys } from '../api/api-keys';
import { createEntitlementCache } from '../api/entitlement-cache';
import type { Config } from '../config';
import { createOrderService } from '../orders/order-service';
import { createSubscriptionService } from '../subscriptions/subscription-service';
import type { Services } from './services';
import { createLogger } from './logger';
import { assertSecretsFit } from './secret-rules';
import { orderPolicy, payloadCodecFor } from './temporal';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** `npm start`: the local stack made its own keys and secrets (see secret-rules.ts). */
  local?: boolean;
}

/** Checks the keys and secrets, builds the HTTP API over the services and Temporal, and listens. */
export async function startApi(
  config: Config,
  services: Services,
  client: Client,
  options: StartOptions = {},
): Promise<RunningApi> {
  assertSecretsFit(config, { service: 'api', local: options.local });
  const entitlementCache = createEntitlementCache({
    ledger: services.ledger,
    maxEntries: config.ENTITLEMENT_CACHE_MAX_ENTRIES,
    pollMs: config.ENTITLEMENT_CACHE_POLL_MS,
  });
  const app = buildApi({
    logger: createLogger({ level: config.LOG_LEVEL, service: 'api' }),
    ledger: services.ledger,
    entitlementCache,
    payments: services.payments,
    apiKeys: parseApiKeys(config.API_KEYS ?? ''),
    stripeWebhookSecret: config.STRIPE_WEBHOOK_SECRET,
    codec: {
      codec: payloadCodecFor(config),
      namespace: config.TEMPORAL_NAMESPACE,
      uiOrigin: config.TEMPORAL_UI_ORIGIN,
    },
    temporalUi: config.TEMPORAL_UI_URL
      ? { url: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE }
      : undefined,
    orders: createOrderService({
      client,
      ledger: services.ledger,
      answerTimeoutMs: config.CHECKOUT_ANSWER_TIMEOUT_MS,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      policy: orderPolicy(config),
    }),
    subscriptions: createSubscriptionService({
      client,
      ledger: services.ledger,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      policy: orderPolicy(config),
    }),
  });
  const url = await app.listen({ host: config.API_HOST, port: config.API_PORT });
  return {
    url,
    close: async () => {
      await app.close();
      entitlementCache.close();
    },
  };
}
