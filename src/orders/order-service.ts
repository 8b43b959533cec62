import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ORDER_KIND, ORDER_STATE, TENANT_ID } from '../domain/search-attributes';
import { CURRENT_CATALOG_VERSION } from '../catalog';
import type { Purchase } from '../domain/purchase';
import { planOrder } from './order-plan';
import {
  checkoutUpdate,
  opsDecisionUpdate,
  orderStatusQuery,
  paymentEventSignal,
} from '../../workflows/messages';
import {
  orderWorkflowId,
  type Attention,
  type CheckoutResult,
  type OpsDecision,
  type OrderPolicy,
  type OrderStatus,
  type PaymentEvent,
} from '../../workflows/order-types';
import type { purchaseWorkflow } from '../../workflows/purchase-workflow';

/** Errors the API maps to 404 / 409; the CLI prints them. Codes are stable. */
export class OrderError extends Error {
  constructor(
    readonly code: 'ORDER.NOT_FOUND' | 'ORDER.CONFLICT' | 'ORDER.DECISION_REJECTED',
    message: string,
  ) {
    super(message);
    this.name = 'OrderError';
  }
}

export interface OrderServiceOptions {
  client: Client;
  taskQueue: string;
  policy: OrderPolicy;
}

/**
 * The use cases behind the checkout and ops edges (HTTP API and CLI alike). Each one is
 * a start, update, signal or query of the order's workflow: Temporal is the order store.
 */
export function createOrderService({ client, taskQueue, policy }: OrderServiceOptions) {
  const handleFor = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));

  return {
    /**
     * Starts the order's workflow, or attaches to it when the same order was placed
     * before (the workflow id is the order id's), and waits for the authorization
     * outcome. Sending the same checkout twice, even at once, yields one workflow.
     */
    async placeOrder(purchase: Purchase): Promise<CheckoutResult> {
      const plan = planOrder(purchase, CURRENT_CATALOG_VERSION, Date.now());
      const start = new WithStartWorkflowOperation<typeof purchaseWorkflow>('purchaseWorkflow', {
        workflowId: orderWorkflowId(purchase.orderId),
        taskQueue,
        args: [{ purchase, catalogVersion: CURRENT_CATALOG_VERSION, plan, policy }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [
          { key: TENANT_ID, value: purchase.tenantId },
          { key: ORDER_KIND, value: purchase.kind },
        ],
      });
      const result = await client.workflow.executeUpdateWithStart(checkoutUpdate, {
        startWorkflowOperation: start,
        updateId: `checkout-${purchase.orderId}`,
      });
      assertSameOrder(result, purchase);
      return result;
    },

    async getOrder(orderId: string): Promise<OrderStatus> {
      try {
        return await handleFor(orderId).query(orderStatusQuery);
      } catch (error: unknown) {
        if (error instanceof WorkflowNotFoundError) {
          throw new OrderError('ORDER.NOT_FOUND', `order ${orderId} does not exist`);
        }
        throw error;
      }
    },

    /** Ops: retry the failed step, or abort (compensate) an order that needs attention. */
    async decide(orderId: string, decision: OpsDecision): Promise<OrderStatus> {
      const current = await this.getOrder(orderId);
      try {
        return await handleFor(orderId).executeUpdate(opsDecisionUpdate, { args: [decision] });
      } catch (error: unknown) {
        if (error instanceof WorkflowUpdateFailedError) {
          const cause = error.cause instanceof Error ? error.cause.message : error.message;
          throw new OrderError('ORDER.DECISION_REJECTED', cause);
        }
        // The order answered the query above, so "not found" here means its workflow has
        // finished: Temporal refuses updates to closed workflows. Nothing is left to decide.
        if (error instanceof WorkflowNotFoundError) {
          throw new OrderError(
            'ORDER.DECISION_REJECTED',
            `order ${orderId} does not need attention (state ${current.state})`,
          );
        }
        throw error;
      }
    },

    /**
     * Ops' decision for any attended workflow by its id (an order's, or a renewal's as
     * `ops list` shows it): both take the same `opsDecision` update.
     */
    async decideWorkflow(workflowId: string, decision: OpsDecision): Promise<unknown> {
      try {
        return await client.workflow
          .getHandle(workflowId)
          .executeUpdate(opsDecisionUpdate, { args: [decision] });
      } catch (error: unknown) {
        if (error instanceof WorkflowUpdateFailedError) {
          const cause = error.cause instanceof Error ? error.cause.message : error.message;
          throw new OrderError('ORDER.DECISION_REJECTED', cause);
        }
        if (error instanceof WorkflowNotFoundError) {
          throw new OrderError(
            'ORDER.DECISION_REJECTED',
            `${workflowId} is not running: nothing needs a decision`,
          );
        }
        throw error;
      }
    },

    /** Routes a verified Stripe event to its order; unknown orders are ignored. */
    async deliverPaymentEvent(orderId: string, event: PaymentEvent): Promise<boolean> {
      try {
        await handleFor(orderId).signal(paymentEventSignal, event);
        return true;
      } catch (error: unknown) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    },

    /**
     * Orders by state from Temporal's visibility store alone (search attributes and the
     * memo the workflow keeps), so listing never waits on a workflow's worker. Ids and
     * states are validated at the edges ([A-Za-z0-9_-]), so they are safe in the query.
     */
    async listOrders(filter: {
      needsAttention?: boolean;
      tenantId?: string;
      state?: string;
    }): Promise<OrderSummary[]> {
      // Renewals park for ops exactly as orders do, so ops see both in one list.
      const clauses = ["WorkflowType IN ('purchaseWorkflow', 'renewalWorkflow')"];
      if (filter.needsAttention !== undefined) {
        clauses.push(`NeedsAttention = ${filter.needsAttention}`);
      }
      if (filter.tenantId) clauses.push(`TenantId = '${filter.tenantId}'`);
      if (filter.state) clauses.push(`OrderState = '${filter.state}'`);
      const orders: OrderSummary[] = [];
      for await (const execution of client.workflow.list({ query: clauses.join(' AND ') })) {
        const attributes = execution.typedSearchAttributes;
        const renewal = execution.type === 'renewalWorkflow';
        orders.push({
          orderId: renewal ? execution.workflowId : execution.workflowId.replace(/^order-/, ''),
          workflowId: execution.workflowId,
          tenantId: attributes.get(TENANT_ID) ?? '',
          kind: renewal ? 'renewal' : (attributes.get(ORDER_KIND) ?? ''),
          state: attributes.get(ORDER_STATE) ?? 'received',
          attention: (execution.memo?.attention as Attention | null | undefined) ?? undefined,
          startedAt: execution.startTime.toISOString(),
        });
      }
      return orders;
    },
  };
}

/** One order as ops lists it: where it stands and, when it waits, why. */
export interface OrderSummary {
  /** For a renewal, its workflow id. */
  orderId: string;
  /** Decide on it by this id (`ops retry --workflow`, `/v1/ops/workflows/:workflowId/...`). */
  workflowId: string;
  tenantId: string;
  /** `plan` or `addon` for an order; `renewal` for a renewal. */
  kind: string;
  state: string;
  attention?: Attention;
  startedAt: string;
}

export type OrderService = ReturnType<typeof createOrderService>;

/** An order id reused for a different purchase is a client bug, not a repeat. */
function assertSameOrder(status: CheckoutResult, purchase: Purchase): void {
  const product = purchase.kind === 'plan' ? purchase.plan : purchase.addon;
  if (
    status.tenantId !== purchase.tenantId ||
    status.kind !== purchase.kind ||
    status.product !== product
  ) {
    throw new OrderError(
      'ORDER.CONFLICT',
      `order ${purchase.orderId} was placed before for ${status.kind} ${status.product} of tenant ${status.tenantId}`,
    );
  }
}
