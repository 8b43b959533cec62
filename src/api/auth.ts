import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';
import type { ApiKeys, ApiPrincipal, ApiRole } from './api-keys';

/** Who may call a route: the roles it accepts, or 'public' (health checks). */
export type RouteAccess = readonly ApiRole[] | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The caller's API key (name, role, tenants); undefined on public routes. */
    apiKey?: ApiPrincipal;
  }
}

/** Every read route: any key may read. */
export const READ_ACCESS: RouteAccess = ['read', 'ops', 'checkout'];

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Authenticates every request against the route's declared roles. A route without a
 * declaration cannot be registered, so nothing becomes public by omission.
 */
export function installAuth(app: FastifyInstance, apiKeys: ApiKeys): void {
  app.decorateRequest('apiKey', undefined);

  app.addHook('onRoute', (route) => {
    if (!route.config?.access) {
      throw new Error(`route ${route.method.toString()} ${route.url} must declare config.access`);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    // Unknown routes answer 404 whoever asks; they reveal nothing.
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === 'public') return;
    const token = bearerToken(request);
    const principal = token ? apiKeys.identify(token) : undefined;
    if (!principal) {
      void reply.header('www-authenticate', 'Bearer');
      throw new ApiError(
        401,
        'UNAUTHENTICATED',
        'a valid API key is required (Authorization: Bearer <key>)',
      );
    }
    if (!access?.includes(principal.role)) {
      throw new ApiError(
        403,
        'FORBIDDEN',
        `an API key with role '${principal.role}' may not call this route`,
      );
    }
    request.apiKey = principal;
  });
}
