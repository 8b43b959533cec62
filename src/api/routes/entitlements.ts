import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ledger } from '../../ledger';
import { READ_ACCESS } from '../auth';
import { toAnswer, type CachedAnswer, type EntitlementCache } from '../entitlement-cache';
import { assertTenantAccess } from '../tenant-access';
import { tenantParams, tenantUserParams } from '../params';
import { parseRequest } from '../validation';

/** The whole-tenant read, by pages of users; the token is opaque to clients. */
export const tenantEntitlementsQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(1000).default(200),
  pageToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a nextPageToken from a previous page')
    .optional(),
});

const encodeToken = (after: string) => Buffer.from(after, 'utf8').toString('base64url');
const decodeToken = (token: string) => Buffer.from(token, 'base64url').toString('utf8');

/**
 * Sends a JSON body with its entity tag, or 304 when the client holds that one already,
 * so a client that polls entitlements skips bodies that did not change.
 */
function sendTagged(request: FastifyRequest, reply: FastifyReply, answer: CachedAnswer) {
  void reply.header('etag', answer.etag).header('cache-control', 'private, no-cache');
  const held = request.headers['if-none-match'];
  if (held && held.split(',').some((tag) => tag.trim() === answer.etag)) {
    return reply.code(304).send();
  }
  return reply.type('application/json; charset=utf-8').send(answer.body);
}

/** Which features a tenant and its users hold, and why (the subscriptions and orders). */
export function entitlementRoutes(deps: {
  ledger: Ledger;
  entitlementCache: EntitlementCache;
}): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/v1/tenants/:tenantId/entitlements',
      { config: { access: READ_ACCESS } },
      async (request, reply) => {
        const { tenantId } = parseRequest(tenantParams, request.params);
        assertTenantAccess(request, tenantId);
        const query = parseRequest(tenantEntitlementsQuery, request.query);
        const key = `${query.pageSize}:${query.pageToken ?? ''}`;
        const answer = await deps.entitlementCache.pageAnswer(tenantId, key, async () => {
          const { nextAfter, ...page } = await deps.ledger.tenantEntitlementsPage(tenantId, {
            limit: query.pageSize,
            after: query.pageToken === undefined ? undefined : decodeToken(query.pageToken),
          });
          const nextPageToken = nextAfter === null ? null : encodeToken(nextAfter);
          return toAnswer({ ...page, nextPageToken });
        });
        return sendTagged(request, reply, answer);
      },
    );

    app.get(
      '/v1/tenants/:tenantId/users/:userId/entitlements',
      { config: { access: READ_ACCESS } },
      async (request, reply) => {
        const { tenantId, userId } = parseRequest(tenantUserParams, request.params);
        assertTenantAccess(request, tenantId);
        return sendTagged(request, reply, await deps.entitlementCache.userAnswer(tenantId, userId));
      },
    );
  };
}
