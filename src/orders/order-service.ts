import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ORDER_KIND, TENANT_ID } from '../domain/search-attributes';
import { CURRENT_CATALOG_VERSION } from '../catalog';
import type { Purchase } from '../domain/purchase';
import { listOrders, type OrderListFilter, type OrderListPage } from './order-list';
import { planOrder } from './order-plan';
import {
  checkoutUpdate,
  opsDecisionUpdate,
  orderStatusQuery,
  paymentEventSignal,
} from '../../workflows/messages';
import {
  orderWorkflowId,
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

    /** One page of orders by state, tenant or attention (see ./order-list.ts). */
    listOrders: (filter: OrderListFilter, page?: OrderListPage) => listOrders(client, filter, page),
  };
}

export type { OrderSummary } from './order-list';

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
