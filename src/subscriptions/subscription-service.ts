import { createHash } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { NEEDS_ATTENTION, ORDER_KIND, ORDER_STATE, TENANT_ID } from '../domain/search-attributes';
import { LedgerError, type Ledger, type Subscription, type SubscriptionChange } from '../ledger';
import type { Attention, OpsDecision, OrderPolicy } from '../../workflows/order-types';
import {
  changeOutcomeUpdate,
  changeStatusQuery,
  type ChangeInput,
  type ChangeState,
  type ChangeStatus,
} from '../../workflows/subscription-change-contract';
import type { subscriptionChangeWorkflow } from '../../workflows/subscription-change-workflow';
import { subscriptionChangeWorkflowId } from '../../workflows/subscription-types';
import type { ChangeRecord, ChangeSummary } from '../contract';
import { ChangeError } from './change-errors';
import { planChange, type ChangeContext } from './change-plan';
import type { ChangeRequest } from '../contract/change-requests';
import { subscriptionView, type SubscriptionView } from '../contract/subscription-view';

export interface SubscriptionServiceOptions {
  client: Client;
  ledger: Ledger;
  taskQueue: string;
  policy: OrderPolicy;
  /** The clock upgrades are prorated by (tests pass their own). */
  now?: () => number;
}

/**
 * The use cases behind the subscription edges (HTTP API and CLI alike): read
 * subscriptions, and ask for a change. A change is checked and planned here, recorded in
 * the ledger by its change id (the durable idempotency: the same id and request is the
 * same change after any retention, another request a 409), then carried out by its
 * workflow, whose id comes from the subscription and the change id.
 */
export function createSubscriptionService(options: SubscriptionServiceOptions) {
  const { client, ledger, taskQueue, policy } = options;
  const now = options.now ?? Date.now;
  const handleFor = (subscriptionId: string, changeId: string) =>
    client.workflow.getHandle(subscriptionChangeWorkflowId(subscriptionId, changeId));

  async function ownSubscription(tenantId: string, subscriptionId: string) {
    const subscription = await ledger.getSubscription(subscriptionId);
    // Another tenant's subscription reads as unknown: tenants never learn of each other.
    if (!subscription || subscription.tenantId !== tenantId) {
      throw new LedgerError(
        'LEDGER.SUBSCRIPTION_NOT_FOUND',
        `subscription ${subscriptionId} is unknown`,
        'subscriptionId',
      );
    }
    return subscription;
  }

  async function contextFor(
    subscription: Subscription,
    request: ChangeRequest,
  ): Promise<ChangeContext> {
    const seated = subscription.kind === 'plan' ? await ledger.seatedUsers(subscription.id) : [];
    const heldElsewhere: string[] = [];
    if (request.kind === 'seats') {
      for (const user of request.assign ?? []) {
        if (seated.includes(user)) continue;
        const held = await ledger.userEntitlements(subscription.tenantId, user);
        if (held.plans.includes(subscription.productKey)) heldElsewhere.push(user);
      }
    }
    const periodPayments = (await ledger.listChanges(subscription.id))
      .filter(
        (c) =>
          c.kind === 'upgrade' &&
          c.status === 'applied' &&
          c.paymentIntentId !== null &&
          (c.amount ?? 0) > 0 &&
          c.updatedAt >= subscription.currentPeriodStart,
      )
      .reverse()
      .map((c) => ({ paymentIntentId: c.paymentIntentId!, amount: c.amount! }));
    return { subscription, seated, heldElsewhere, periodPayments, now: now() };
  }

  /** Starts the change's workflow, or joins it, and waits until it settles or parks. */
  async function carryOut(input: ChangeInput): Promise<ChangeStatus> {
    const start = new WithStartWorkflowOperation<typeof subscriptionChangeWorkflow>(
      'subscriptionChangeWorkflow',
      {
        workflowId: subscriptionChangeWorkflowId(input.subscriptionId, input.changeId),
        taskQueue,
        args: [input],
        // Two requests at once join one workflow; a finished one is never run again.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: TENANT_ID, value: input.tenantId },
          { key: ORDER_KIND, value: `subscription-${input.kind}` },
        ],
        // Ops list stuck changes from visibility alone: the memo names the change.
        memo: { subscriptionId: input.subscriptionId, changeId: input.changeId },
      },
    );
    try {
      return await client.workflow.executeUpdateWithStart(changeOutcomeUpdate, {
        startWorkflowOperation: start,
      });
    } catch (error: unknown) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        return handleFor(input.subscriptionId, input.changeId).query(changeStatusQuery);
      }
      throw error;
    }
  }

  /** The answer to a change asked for before: from its workflow, else from the ledger. */
  async function answerFor(change: SubscriptionChange): Promise<ChangeStatus | undefined> {
    const handle = handleFor(change.subscriptionId, change.changeId);
    try {
      if (change.status === 'requested') return await handle.executeUpdate(changeOutcomeUpdate);
      return withLedgerOutcome(await handle.query(changeStatusQuery), change);
    } catch (error: unknown) {
      if (error instanceof WorkflowNotFoundError) {
        return change.status === 'requested' ? undefined : statusFromLedger(change);
      }
      throw error;
    }
  }

  return {
    async getSubscription(tenantId: string, subscriptionId: string): Promise<SubscriptionView> {
      const subscription = await ownSubscription(tenantId, subscriptionId);
      return subscriptionView(subscription, await ledger.seatedUsers(subscription.id));
    },

    async listSubscriptions(tenantId: string): Promise<SubscriptionView[]> {
      const subscriptions = await ledger.listSubscriptions(tenantId);
      // An unknown tenant is a 404, not an empty list.
      if (subscriptions.length === 0) await ledger.seatUsage(tenantId);
      return Promise.all(
        subscriptions.map(async (s) => subscriptionView(s, await ledger.seatedUsers(s.id))),
      );
    },

    /**
     * Asks for a change. The same change id with the same request answers what the first
     * one did, even at once (one workflow, one charge); with another request, a 409
     * naming the fields that differ. A change that cannot be made is refused before
     * anything is recorded or started.
     */
    async requestChange(
      tenantId: string,
      subscriptionId: string,
      request: ChangeRequest,
    ): Promise<ChangeStatus> {
      const { changeId, kind, ...details } = request;
      const recordCall = { subscriptionId, tenantId, changeId, kind, request: details };
      const earlier = await ledger.getChange(subscriptionId, changeId);
      if (earlier) {
        const { change } = await ledger.requestChange(recordCall);
        const answer = await answerFor(change);
        if (answer) return answer;
      }
      const subscription = await ownSubscription(tenantId, subscriptionId);
      const plan = planChange(request, await contextFor(subscription, request));
      await ledger.requestChange(recordCall);
      return carryOut({
        tenantId,
        subscriptionId,
        changeId,
        kind,
        changeRef: changeRefOf(subscriptionId, changeId),
        policy,
        plan,
      });
    },

    async getChange(
      tenantId: string,
      subscriptionId: string,
      changeId: string,
    ): Promise<ChangeRecord> {
      await ownSubscription(tenantId, subscriptionId);
      const change = await ledger.getChange(subscriptionId, changeId);
      if (!change) {
        throw new ChangeError(
          'CHANGE.NOT_FOUND',
          'changeId',
          `change ${changeId} of subscription ${subscriptionId} is unknown`,
        );
      }
      try {
        const status = await handleFor(subscriptionId, changeId).query(changeStatusQuery);
        return { change, status: withLedgerOutcome(status, change) };
      } catch (error: unknown) {
        if (error instanceof WorkflowNotFoundError) return { change };
        throw error;
      }
    },

    /**
     * Ops: the changes that wait for a decision, and why, from Temporal's visibility store
     * (search attributes and memo), like the orders that need attention. The tenant id
     * is validated at the edges ([A-Za-z0-9_-]), so it is safe in the query.
     */
    async listChangesNeedingAttention(filter: { tenantId?: string }): Promise<ChangeSummary[]> {
      const clauses = [
        "WorkflowType = 'subscriptionChangeWorkflow'",
        `${NEEDS_ATTENTION.name} = true`,
      ];
      if (filter.tenantId) clauses.push(`${TENANT_ID.name} = '${filter.tenantId}'`);
      const changes: ChangeSummary[] = [];
      for await (const execution of client.workflow.list({ query: clauses.join(' AND ') })) {
        const attributes = execution.typedSearchAttributes;
        const memo = execution.memo ?? {};
        changes.push({
          subscriptionId: typeof memo.subscriptionId === 'string' ? memo.subscriptionId : '',
          changeId: typeof memo.changeId === 'string' ? memo.changeId : '',
          tenantId: attributes.get(TENANT_ID) ?? '',
          kind: (attributes.get(ORDER_KIND) ?? '').replace(/^subscription-/, ''),
          state: attributes.get(ORDER_STATE) ?? 'received',
          attention: (memo.attention as Attention | null | undefined) ?? undefined,
          startedAt: execution.startTime.toISOString(),
        });
      }
      return changes;
    },

    /** The tenant a subscription belongs to, or null when the ledger does not know it. */
    async tenantOf(subscriptionId: string): Promise<string | null> {
      return (await ledger.getSubscription(subscriptionId))?.tenantId ?? null;
    },

    /** Ops: retry the step a change is stuck on, or abort it (undo what it did). */
    async decide(
      subscriptionId: string,
      changeId: string,
      decision: OpsDecision,
    ): Promise<ChangeStatus> {
      const handle = handleFor(subscriptionId, changeId);
      try {
        return await handle.executeUpdate<ChangeStatus, [OpsDecision]>('opsDecision', {
          args: [decision],
        });
      } catch (error: unknown) {
        if (error instanceof WorkflowUpdateFailedError) {
          const cause = error.cause instanceof Error ? error.cause.message : error.message;
          throw new ChangeError('CHANGE.DECISION_REJECTED', 'changeId', cause);
        }
        if (error instanceof WorkflowNotFoundError) {
          throw new ChangeError(
            'CHANGE.DECISION_REJECTED',
            'changeId',
            `change ${changeId} of subscription ${subscriptionId} does not need attention`,
          );
        }
        throw error;
      }
    },
  };
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;
export type { ChangeRecord, ChangeSummary };

/**
 * The change's business id in the ledger and in Stripe's idempotency keys (at most 100
 * characters there): readable when short enough, else a digest of the same two ids.
 */
export function changeRefOf(subscriptionId: string, changeId: string): string {
  const readable = `${subscriptionId}.${changeId}`;
  if (readable.length <= 90 && /^[A-Za-z0-9]/.test(readable)) return readable;
  const digest = createHash('sha256').update(`${subscriptionId}\n${changeId}`).digest('hex');
  return `chg-${digest.slice(0, 40)}`;
}

/**
 * A scheduled change lives on after its workflow: the renewal applies it, or the customer
 * withdraws it. The ledger knows which; the workflow's last word was `scheduled`.
 */
function withLedgerOutcome(status: ChangeStatus, change: SubscriptionChange): ChangeStatus {
  if (status.state !== 'scheduled') return status;
  if (change.status === 'withdrawn') return { ...status, state: 'withdrawn' };
  if (change.status === 'applied') return { ...status, state: 'applied' };
  return status;
}

/** After Temporal's retention, the ledger's record is the answer. */
function statusFromLedger(change: SubscriptionChange): ChangeStatus {
  const state: ChangeState =
    change.status === 'applied'
      ? 'applied'
      : change.status === 'refused'
        ? change.statusReason?.startsWith('declined')
          ? 'declined'
          : 'compensated'
        : change.status === 'withdrawn'
          ? 'withdrawn'
          : 'scheduled';
  return {
    tenantId: change.tenantId,
    subscriptionId: change.subscriptionId,
    changeId: change.changeId,
    kind: change.kind as ChangeStatus['kind'],
    state,
    stepsDone: [],
    compensationsDone: [],
    decisions: [],
  };
}
