import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ApiKeys } from '../api-keys';
import { ApiError } from '../api-error';
import { endSession, isCrossSite, principalOfRequest, startSession } from './console-session';
import { renderPage } from './views';

const loginBody = z.object({
  key: z.string().trim().min(1).max(500),
});

/** Sign-in with an ops key; the only console pages a visitor without one may see. */
export function loginRoutes(deps: { apiKeys: ApiKeys }): FastifyPluginAsync {
  return async (app) => {
    app.get('/console/login', { config: { access: 'public' } }, async (request, reply) => {
      if (principalOfRequest(request, deps.apiKeys)?.role === 'ops')
        return reply.redirect('/console', 303);
      return renderLogin(request, reply, {});
    });

    app.post('/console/login', { config: { access: 'public' } }, async (request, reply) => {
      if (isCrossSite(request)) throw new ApiError(403, 'FORBIDDEN', 'cross-site sign-in refused');
      const body = (request.body ?? {}) as Record<string, unknown>;
      const parsed = loginBody.safeParse(body);
      if (!parsed.success) {
        return renderLogin(request, reply.code(400), {
          error: 'Enter an ops key.',
        });
      }
      if (deps.apiKeys.identify(parsed.data.key)?.role !== 'ops') {
        // The same answer for an unknown key and a key of another role.
        return renderLogin(request, reply.code(401), {
          error: 'That is not an ops key. The console accepts ops keys only.',
        });
      }
      startSession(request, reply, parsed.data.key);
      return reply.redirect('/console', 303);
    });

    app.post('/console/logout', { config: { access: 'public' } }, async (_request, reply) => {
      endSession(reply);
      return reply.redirect('/console/login', 303);
    });
  };
}

export function renderLogin(
  request: Parameters<typeof renderPage>[0],
  reply: Parameters<typeof renderPage>[1],
  data: { error?: string },
) {
  return renderPage(
    request,
    reply,
    'login.hbs',
    { title: 'Sign in', ...data },
    { signedIn: false },
  );
}
