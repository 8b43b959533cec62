import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ApiKeys } from '../api-keys';
import { ApiError } from '../api-error';
import { endSession, isCrossSite, roleOfRequest, startSession } from './console-session';
import { renderPage } from './views';

const loginBody = z.object({
  key: z.string().trim().min(1).max(500),
  operator: z.string().trim().min(1).max(200),
});

/** Sign-in with an ops key; the only console pages a visitor without one may see. */
export function loginRoutes(deps: { apiKeys: ApiKeys }): FastifyPluginAsync {
  return async (app) => {
    app.get('/console/login', { config: { access: 'public' } }, async (request, reply) => {
      if (roleOfRequest(request, deps.apiKeys) === 'ops') return reply.redirect('/console', 303);
      return renderLogin(request, reply, {});
    });

    app.post('/console/login', { config: { access: 'public' } }, async (request, reply) => {
      if (isCrossSite(request)) throw new ApiError(403, 'FORBIDDEN', 'cross-site sign-in refused');
      const body = (request.body ?? {}) as Record<string, unknown>;
      const parsed = loginBody.safeParse(body);
      if (!parsed.success) {
        return renderLogin(request, reply.code(400), {
          error: 'Enter your name and an ops key.',
          operator: typeof body.operator === 'string' ? body.operator.slice(0, 200) : '',
        });
      }
      if (deps.apiKeys.roleOf(parsed.data.key) !== 'ops') {
        // The same answer for an unknown key and a key of another role.
        return renderLogin(request, reply.code(401), {
          error: 'That is not an ops key. The console accepts ops keys only.',
          operator: parsed.data.operator,
        });
      }
      startSession(request, reply, parsed.data.key, parsed.data.operator);
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
  data: { error?: string; operator?: string },
) {
  return renderPage(
    request,
    reply,
    'login.hbs',
    { title: 'Sign in', ...data },
    { signedIn: false },
  );
}
