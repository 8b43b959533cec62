import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from '../error-handler';
import { assetRoutes } from './asset-routes';
import { attentionRoutes } from './attention-routes';
import type { ConsoleDeps } from './console-deps';
import { isCrossSite, principalOfRequest } from './console-session';
import { loginRoutes, renderLogin } from './login-routes';
import { orderPageRoutes } from './order-page-routes';
import { tenantPageRoutes } from './tenant-page-routes';
import { isHtmx, registerViews, renderPage } from './views';

/**
 * The ops console: server-rendered pages under /console for the people who decide on
 * parked orders. It reads and acts through the same order service and ledger functions
 * as the ops API; it has no data path of its own.
 *
 * Its routes declare `access: 'public'` to the API's bearer-only auth, because a browser
 * sends the key in a cookie; every route but sign-in and the static assets is registered
 * inside the guarded context below, whose hook checks the key's role in the same key
 * registry and admits ops keys only. Fastify's encapsulation applies that hook to every
 * route registered there, so no page can be added without it.
 */
export function consoleRoutes(deps: ConsoleDeps): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyCookie);
    await app.register(fastifyFormbody);
    await registerViews(app);
    app.addHook('onSend', async (_request, reply, payload) => {
      setPageHeaders(reply);
      return payload;
    });
    app.setErrorHandler(renderError);

    await app.register(assetRoutes());
    await app.register(loginRoutes(deps));
    await app.register(async (guarded: FastifyInstance) => {
      guarded.addHook('onRequest', async (request, reply) => requireOpsKey(deps, request, reply));
      await guarded.register(attentionRoutes(deps));
      await guarded.register(orderPageRoutes(deps));
      await guarded.register(tenantPageRoutes(deps));
    });
  };
}

/** Pages of an ops tool: never cached, never framed, scripts and styles only from here. */
function setPageHeaders(reply: FastifyReply): void {
  if (reply.getHeader('cache-control') === undefined)
    void reply.header('cache-control', 'no-store');
  void reply.headers({
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
}

async function requireOpsKey(deps: ConsoleDeps, request: FastifyRequest, reply: FastifyReply) {
  const principal = principalOfRequest(request, deps.apiKeys);
  const role = principal?.role;
  if (principal && role === 'ops') {
    if (request.method !== 'GET' && request.method !== 'HEAD' && isCrossSite(request)) {
      return reply.code(403).type('text/plain; charset=utf-8').send('cross-site request refused');
    }
    request.apiKey = principal;
    return;
  }
  const status = role ? 403 : 401;
  const error = role
    ? `A key with role '${role}' may not use the console. Sign in with an ops key.`
    : 'Sign in with an ops key to use the console.';
  if (isHtmx(request)) {
    // htmx follows HX-Redirect whatever the status: the page goes to sign-in.
    return reply
      .code(status)
      .header('hx-redirect', '/console/login')
      .type('text/plain; charset=utf-8')
      .send(error);
  }
  if (request.method !== 'GET') {
    return reply.code(status).type('text/plain; charset=utf-8').send(error);
  }
  const html = await renderLogin(request, reply.code(status), { error });
  return reply.send(html);
}

/** The API's error mapping, shown as a page; server errors say nothing of their cause. */
async function renderError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toErrorResponse(error);
  if (status >= 500) request.log.error({ err: error }, 'console request failed');
  reply.code(status);
  if (isHtmx(request)) {
    return reply.type('text/plain; charset=utf-8').send(body.error.message);
  }
  return renderPage(
    request,
    reply,
    'error.hbs',
    {
      title: status === 404 ? 'Not found' : 'Something went wrong',
      status,
      code: body.error.code,
      message: body.error.message,
    },
    { signedIn: request.apiKey?.role === 'ops' },
  );
}
