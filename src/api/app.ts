import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Ledger } from '../ledger';
import type { OrderService } from '../orders/order-service';
import type { Payments } from '../payments';
import type { ApiKeys } from './api-keys';
import { installAuth } from './auth';
import { consoleRoutes } from './console/console-routes';
import type { TemporalUiLink } from './console/console-deps';
import { createEntitlementCache, type EntitlementCache } from './entitlement-cache';
import { installErrorHandling } from './error-handler';
import { auditRoutes } from './routes/audit';
import { entitlementRoutes } from './routes/entitlements';
import { healthRoutes } from './routes/health';
import { openApiRoutes } from './routes/openapi';
import { opsRoutes } from './routes/ops';
import { orderRoutes } from './routes/orders';
import { seatRoutes } from './routes/seats';
import { stripeWebhookRoutes } from './routes/stripe-webhooks';

/**
 * What the API's routes need. Each resource's plugin takes the part it uses; a new
 * resource adds its dependency here and one `register` line below.
 */
export interface ApiDeps {
  ledger: Ledger;
  apiKeys: ApiKeys;
  /** Checkout and ops over Temporal; without it the API serves the read side only. */
  orders?: OrderService;
  payments?: Payments;
  /** The Stripe webhook endpoint's signing secret; without it there is no webhook route. */
  stripeWebhookSecret?: string;
  /** Answers user entitlements from memory; one is made (and closed with the app) if absent. */
  entitlementCache?: EntitlementCache;
  /** Where the ops console links an order's workflow (TEMPORAL_UI_URL); no link without it. */
  temporalUi?: TemporalUiLink;
  /** Fastify's logger (pino options, or false); off by default. */
  logger?: FastifyServerOptions['logger'];
}

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: deps.logger ?? false });
  installErrorHandling(app);
  installAuth(app, deps.apiKeys);

  void app.register(healthRoutes(deps));
  void app.register(openApiRoutes());
  const entitlementCache = deps.entitlementCache ?? createEntitlementCache({ ledger: deps.ledger });
  if (!deps.entitlementCache) app.addHook('onClose', async () => entitlementCache.close());
  void app.register(entitlementRoutes({ ledger: deps.ledger, entitlementCache }));
  void app.register(seatRoutes(deps));
  void app.register(auditRoutes(deps));
  const { orders, payments, stripeWebhookSecret } = deps;
  if (orders) {
    void app.register(orderRoutes({ orders }));
    void app.register(opsRoutes({ orders }));
    void app.register(consoleRoutes({ ...deps, orders }));
    if (payments && stripeWebhookSecret) {
      void app.register(
        stripeWebhookRoutes({ orders, payments, webhookSecret: stripeWebhookSecret }),
      );
    }
  }
  return app;
}
