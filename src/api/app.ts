import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Ledger } from '../ledger';
import type { OrderService } from '../orders/order-service';
import type { Payments } from '../payments';
import { installApiDocs } from './api-docs';
import type { ApiKeys } from './api-keys';
import { installAuth } from './auth';
import { consoleRoutes } from './console/console-routes';
import type { TemporalUiLink } from './console/console-deps';
import { createEntitlementCache, type EntitlementCache } from './entitlement-cache';
import { installErrorHandling } from './error-handler';
import { installObservability } from './observability';
import { auditRoutes } from './routes/audit';
import { codecRoutes, type CodecServerDeps } from './routes/codec';
import { entitlementRoutes } from './routes/entitlements';
import { healthRoutes } from './routes/health';
import { openApiRoutes } from './routes/openapi';
import { opsRoutes } from './routes/ops';
import { orderRoutes } from './routes/orders';
import { reconcileRunRoutes } from './routes/reconcile-runs';
import { seatRoutes } from './routes/seats';
import { stripeWebhookRoutes } from './routes/stripe-webhooks';
import { subscriptionRoutes } from './routes/subscriptions';
import type { SubscriptionService } from '../subscriptions/subscription-service';

/**
 * What the API's routes need. Each resource's plugin takes the part it uses; a new
 * resource adds its dependency here and one `register` line below.
 */
export interface ApiDeps {
  ledger: Ledger;
  apiKeys: ApiKeys;
  /** Checkout and ops over Temporal; without it the API serves the read side only. */
  orders?: OrderService;
  /** Subscription reads and changes over Temporal; without it there are no such routes. */
  subscriptions?: SubscriptionService;
  payments?: Payments;
  /**
   * The Stripe webhook endpoint's signing secret; without it there is no webhook route.
   * Start-up requires it against real Stripe (src/runtime/secret-rules.ts).
   */
  stripeWebhookSecret?: string;
  /** Answers user entitlements from memory; one is made (and closed with the app) if absent. */
  entitlementCache?: EntitlementCache;
  /** Where the ops console links an order's workflow (TEMPORAL_UI_URL); no link without it. */
  temporalUi?: TemporalUiLink;
  /** The payload codec behind /codec/encode and /codec/decode; without it, no codec server. */
  codec?: Omit<CodecServerDeps, 'apiKeys'>;
  /** The process's pino logger (src/runtime/logger.ts); without it the API logs nothing. */
  logger?: FastifyBaseLogger;
}

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // A caller's own request id is kept when it is a plain token, so one id follows a
    // request across services; anything else gets a fresh one.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given)
        ? given
        : randomUUID();
    },
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // The API speaks JSON only: a text/plain body is an unsupported media type (415), not
  // a string that fails validation.
  app.removeContentTypeParser('text/plain');
  installApiDocs(app);
  installErrorHandling(app);
  installAuth(app, deps.apiKeys);
  installObservability(app);

  void app.register(healthRoutes(deps));
  void app.register(openApiRoutes());
  const entitlementCache = deps.entitlementCache ?? createEntitlementCache({ ledger: deps.ledger });
  if (!deps.entitlementCache) app.addHook('onClose', async () => entitlementCache.close());
  void app.register(entitlementRoutes({ ledger: deps.ledger, entitlementCache }));
  void app.register(seatRoutes(deps));
  void app.register(auditRoutes(deps));
  void app.register(reconcileRunRoutes(deps));
  if (deps.subscriptions) {
    void app.register(subscriptionRoutes({ subscriptions: deps.subscriptions }));
  }
  if (deps.codec) void app.register(codecRoutes({ ...deps.codec, apiKeys: deps.apiKeys }));
  const { orders, payments, stripeWebhookSecret } = deps;
  if (orders) {
    void app.register(orderRoutes({ orders }));
    void app.register(opsRoutes({ orders }));
    void app.register(consoleRoutes({ ...deps, orders }));
    if (payments && stripeWebhookSecret) {
      void app.register(
        stripeWebhookRoutes({
          orders,
          ledger: deps.ledger,
          payments,
          webhookSecret: stripeWebhookSecret,
        }),
      );
    }
  }
  return app;
}
