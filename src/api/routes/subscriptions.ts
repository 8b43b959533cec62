import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ChangeError } from '../../subscriptions/change-errors';
import type { SubscriptionService } from '../../subscriptions/subscription-service';
import {
  apiErrorSchema,
  badRequest,
  changeListSchema,
  changeParams,
  changeRecordSchema,
  changeRequestBody,
  changeStatusSchema,
  conflict,
  decisionBody,
  notFound,
  opsChangeListQuery,
  opsChangeParams,
  subscriptionListSchema,
  subscriptionParams,
  subscriptionSchema,
  tenantParams,
} from '../../contract';
import { READ_ACCESS } from '../auth';
import { coversTenant } from '../api-keys';
import { assertTenantAccess, tenantScopeOf } from '../tenant-access';

/** Answers a change by where it stands: declined 402, waiting for ops 202, else 200. */
const statusCodeOf = (state: string) =>
  state === 'declined' ? 402 : state === 'needs-attention' ? 202 : 200;

const tags = ['subscriptions'];
const missing = { 400: badRequest, 404: notFound };

/**
 * Subscriptions after checkout: read them, and ask for a change (upgrade, downgrade,
 * cancel, seats, payment method, withdrawal), idempotent by the client's change id.
 */
export function subscriptionRoutes(deps: {
  subscriptions: SubscriptionService;
}): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/v1/tenants/:tenantId/subscriptions',
      {
        config: { access: READ_ACCESS },
        schema: {
          summary: "A tenant's subscriptions, oldest first",
          tags,
          params: tenantParams,
          response: { 200: subscriptionListSchema, ...missing },
        },
      },
      async (request) => {
        const { tenantId } = request.params;
        assertTenantAccess(request, tenantId);
        return { tenantId, subscriptions: await deps.subscriptions.listSubscriptions(tenantId) };
      },
    );

    app.get(
      '/v1/tenants/:tenantId/subscriptions/:subscriptionId',
      {
        config: { access: READ_ACCESS },
        schema: {
          summary: 'A subscription: status, period, seats, assigned users, pending change',
          tags,
          params: subscriptionParams,
          response: { 200: subscriptionSchema, ...missing },
        },
      },
      async (request) => {
        const { tenantId, subscriptionId } = request.params;
        assertTenantAccess(request, tenantId);
        return deps.subscriptions.getSubscription(tenantId, subscriptionId);
      },
    );

    app.post(
      '/v1/tenants/:tenantId/subscriptions/:subscriptionId/changes',
      {
        config: { access: ['checkout', 'ops'] },
        schema: {
          summary: 'Change a subscription (idempotent by its change id)',
          description:
            'Upgrade (now, prorated), downgrade or cancel (at the period end, or cancel now ' +
            'with a refund of the unused part), assign seats, update the payment method, or ' +
            'withdraw a scheduled change. The same change id with the same request is the ' +
            'same change, even sent at once; with another request, a 409 naming the fields ' +
            'that differ. Answers once the change is applied, scheduled, declined or undone, ' +
            'or waits for ops (202).',
          tags,
          params: subscriptionParams,
          body: changeRequestBody,
          response: {
            200: changeStatusSchema.describe('Applied, scheduled for the period end, or undone.'),
            202: changeStatusSchema.describe('A step keeps failing: the change waits for ops.'),
            ...missing,
            402: changeStatusSchema.describe('The payment was declined (`declineReason`).'),
            409: apiErrorSchema.describe(
              'The change id was used for another request, the subscription cannot take the ' +
                'change (ended, a change already scheduled), seats beyond those bought, or ' +
                'users to unassign are missing.',
            ),
          },
        },
      },
      async (request, reply) => {
        const { tenantId, subscriptionId } = request.params;
        assertTenantAccess(request, tenantId);
        const change = request.body;
        const status = await deps.subscriptions.requestChange(tenantId, subscriptionId, change);
        return reply.code(statusCodeOf(status.state)).send(status);
      },
    );

    app.get(
      '/v1/tenants/:tenantId/subscriptions/:subscriptionId/changes/:changeId',
      {
        config: { access: READ_ACCESS },
        schema: {
          summary:
            "A change: the ledger's record and, while Temporal keeps it, its workflow's status",
          tags,
          params: changeParams,
          response: { 200: changeRecordSchema, ...missing },
        },
      },
      async (request) => {
        const { tenantId, subscriptionId, changeId } = request.params;
        assertTenantAccess(request, tenantId);
        return deps.subscriptions.getChange(tenantId, subscriptionId, changeId);
      },
    );

    app.get(
      '/v1/ops/subscription-changes',
      {
        config: { access: ['ops'] },
        schema: {
          summary: 'Subscription changes that need attention, with why',
          tags: ['ops'],
          querystring: opsChangeListQuery,
          response: { 200: changeListSchema, 400: badRequest },
        },
      },
      async (request) => {
        const { tenantId } = request.query;
        const scope = tenantScopeOf(request);
        // A tenant outside the key lists like a tenant without changes.
        if (tenantId && !coversTenant(scope, tenantId)) return { changes: [] };
        const changes = await deps.subscriptions.listChangesNeedingAttention({ tenantId });
        return { changes: changes.filter((change) => coversTenant(scope, change.tenantId)) };
      },
    );

    for (const action of ['retry', 'abort'] as const) {
      app.post(
        `/v1/ops/subscriptions/:subscriptionId/changes/:changeId/${action}`,
        {
          config: { access: ['ops'] },
          schema: {
            summary:
              action === 'retry'
                ? 'Retry the step a subscription change is stuck on'
                : 'Abort a subscription change: undo what it did',
            description: 'Only for a change that needs attention; any other state answers 409.',
            tags: ['ops'],
            params: opsChangeParams,
            body: decisionBody,
            response: {
              200: changeStatusSchema.describe('The change after the decision.'),
              ...missing,
              409: conflict,
            },
          },
        },
        async (request) => {
          const { subscriptionId, changeId } = request.params;
          const { reason } = request.body;
          // Another tenant's subscription answers as one that does not exist.
          const tenantId = await deps.subscriptions.tenantOf(subscriptionId);
          const notFound = () =>
            new ChangeError(
              'CHANGE.NOT_FOUND',
              'subscriptionId',
              `subscription ${subscriptionId} is unknown`,
            );
          if (tenantId === null) throw notFound();
          assertTenantAccess(request, tenantId, notFound);
          const by = request.apiKey!.name;
          request.log.info({ subscriptionId, changeId, action, by, reason }, 'ops decision');
          return deps.subscriptions.decide(subscriptionId, changeId, { action, by, reason });
        },
      );
    }
  };
}
