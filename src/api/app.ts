import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Ledger } from '../ledger';
import type { ApiKeys } from './api-keys';
import { installAuth } from './auth';
import { installErrorHandling } from './error-handler';
import { auditRoutes } from './routes/audit';
import { entitlementRoutes } from './routes/entitlements';
import { healthRoutes } from './routes/health';
import { seatRoutes } from './routes/seats';

/**
 * What the API's routes need. Each resource's plugin takes the part it uses; a new
 * resource adds its dependency here and one `register` line below.
 */
export interface ApiDeps {
  ledger: Ledger;
  apiKeys: ApiKeys;
  /** Fastify's logger (pino options, or false); off by default. */
  logger?: FastifyServerOptions['logger'];
}

export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({ logger: deps.logger ?? false });
  installErrorHandling(app);
  installAuth(app, deps.apiKeys);

  void app.register(healthRoutes(deps));
  void app.register(entitlementRoutes(deps));
  void app.register(seatRoutes(deps));
  void app.register(auditRoutes(deps));
  return app;
}
