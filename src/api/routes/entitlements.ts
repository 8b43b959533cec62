import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Ledger } from '../../ledger';
import {
  badRequest,
  notFound,
  tenantEntitlementsPageSchema,
  tenantEntitlementsQuery,
  tenantParams,
  tenantUserParams,
  userEntitlementsAnswer,
} from '../../contract';
import { READ_ACCESS } from '../auth';
import { toAnswer, type CachedAnswer, type EntitlementCache } from '../entitlement-cache';
import { assertTenantAccess } from '../tenant-access';

/** Answers carry their entity tag; a client that sends it back gets 304 while it holds. */
const conditional = {
  headers: z.object({
    'if-none-match': z.string().optional().describe('The ETag of an earlier answer.'),
  }),
};
const notModified = z.undefined().describe('Unchanged since the ETag sent in If-None-Match.');

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
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/tenants/:tenantId/entitlements',
      {
        config: { access: READ_ACCESS },
        schema: {
          summary: "Tenant flags and every user's features, with their sources, by pages of users",
          tags: ['entitlements'],
          params: tenantParams,
          querystring: tenantEntitlementsQuery,
          ...conditional,
          response: {
            200: tenantEntitlementsPageSchema,
            304: notModified,
            400: badRequest,
            404: notFound,
          },
        },
      },
      async (request, reply) => {
        const { tenantId } = request.params;
        assertTenantAccess(request, tenantId);
        const query = request.query;
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
      {
        config: { access: READ_ACCESS },
        schema: {
          summary: "A user's plans and features and the tenant flags, with their sources",
          tags: ['entitlements'],
          params: tenantUserParams,
          ...conditional,
          response: {
            200: userEntitlementsAnswer,
            304: notModified,
            400: badRequest,
            404: notFound,
          },
        },
      },
      async (request, reply) => {
        const { tenantId, userId } = request.params;
        assertTenantAccess(request, tenantId);
        return sendTagged(request, reply, await deps.entitlementCache.userAnswer(tenantId, userId));
      },
    );
  };
}
