import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ORDER_KIND, ORDER_STATE, TENANT_ID } from '../domain/search-attributes';
import { CURRENT_CATALOG_VERSION } from '../catalog';
import type { Purchase } from '../catalog/purchase';
import { isLedgerError, type Ledger, type NewOrder } from '../ledger';
import { listOrders, type OrderListFilter, type OrderListPage } from './order-list';
import { planOrder } from './order-plan';
import { isFinalState, normalizedRequest, statusFromLedger } from './order-record';
import {
  checkoutUpdate,
  opsDecisionUpdate,
  orderStatusQuery,
  paymentEventSignal,
} from '../../workflows/messages';
import {
  checkoutResultOf,
  orderWorkflowId,
  ORDER_REVISION,
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
    /** The request field at fault, when one is. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'OrderError';
  }
}

export interface OrderServiceOptions {
  client: Client;
  taskQueue: string;
  policy: OrderPolicy;
  /** The system of record of orders: written before the workflow starts, read after retention. */
  ledger: Ledger;
  /** How long checkout and ops wait for the workflow before answering with the order as it is. */
  answerTimeoutMs: number;
}

/** An answer: the workflow's, in time (`settled`), or the order as it stood when time ran out. */
export interface Answer<T> {
  value: T;
  settled: boolean;
}

const TIMED_OUT = Symbol('timed out');

/**
 * The use cases behind the checkout and ops edges (HTTP API and CLI alike). The ledger
 * keeps every order forever (its request's fingerprint and its state); Temporal runs it.
 */
export function createOrderService({
  client,
  taskQueue,
  policy,
  ledger,
  answerTimeoutMs,
}: OrderServiceOptions) {
  const handleFor = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));

  /** Runs a Temporal call for at most the answer time; a worker that is down never hangs an edge. */
  const inAnswerTime = async <T>(call: () => Promise<T>): Promise<T | typeof TIMED_OUT> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), answerTimeoutMs);
    try {
      return await client.withAbortSignal(controller.signal, call);
    } catch (error: unknown) {
      if (controller.signal.aborted) return TIMED_OUT;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  /** The order as the ledger has it: after Temporal's retention, or while no worker answers. */
  const ledgerStatus = async (orderId: string): Promise<OrderStatus> => {
    const row = await ledger.getOrder(orderId);
    if (!row) throw new OrderError('ORDER.NOT_FOUND', `order ${orderId} does not exist`);
    return statusFromLedger(row);
  };

  const getOrder = async (orderId: string): Promise<OrderStatus> => {
    try {
      const status = await inAnswerTime(() => handleFor(orderId).query(orderStatusQuery));
      return status === TIMED_OUT ? await ledgerStatus(orderId) : status;
    } catch (error: unknown) {
      if (error instanceof WorkflowNotFoundError) return ledgerStatus(orderId);
      throw error;
    }
  };

  /**
   * The order in the ledger; its id placed before with another request is ORDER.CONFLICT,
   * and so is a user it would seat who holds the plan already (refused before any card is
   * held, as seating them would be refused after it).
   */
  const recordOrder = async (order: NewOrder) => {
    try {
      return await ledger.recordOrder(order);
    } catch (error: unknown) {
      if (
        isLedgerError(error) &&
        (error.code === 'LEDGER.ORDER_CONFLICT' || error.code === 'LEDGER.PLAN_ALREADY_ASSIGNED')
      ) {
        throw new OrderError('ORDER.CONFLICT', error.message, error.field);
      }
      throw error;
    }
  };

  return {
    /**
     * Records the order in the ledger (the same id with another request is refused,
     * naming the fields), then starts its workflow or attaches to the running one and
     * waits for the authorization outcome. A finished order is answered from the ledger
     * and never runs again; an order that does not answer in time is answered as it is.
     */
    async placeOrder(purchase: Purchase): Promise<Answer<CheckoutResult>> {
      const plan = planOrder(purchase, CURRENT_CATALOG_VERSION, Date.now());
      const { order } = await recordOrder({
        orderId: purchase.orderId,
        tenantId: purchase.tenantId,
        kind: purchase.kind,
        productKey: plan.subscription.productKey,
        amount: plan.price.amount,
        currency: plan.price.currency,
        subscriptionId: plan.subscription.id,
        request: normalizedRequest(purchase),
        assigns:
          purchase.kind === 'plan' && purchase.assignTo?.length
            ? { plan: purchase.plan, userIds: purchase.assignTo }
            : undefined,
      });
      if (isFinalState(order.state)) {
        return { value: checkoutResultOf(statusFromLedger(order)), settled: true };
      }
      const start = new WithStartWorkflowOperation<typeof purchaseWorkflow>('purchaseWorkflow', {
        workflowId: orderWorkflowId(purchase.orderId),
        taskQueue,
        args: [
          {
            purchase,
            catalogVersion: CURRENT_CATALOG_VERSION,
            plan,
            policy,
            revision: ORDER_REVISION,
          },
        ],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A finished run is never started again; the ledger answers for it.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: TENANT_ID, value: purchase.tenantId },
          { key: ORDER_KIND, value: purchase.kind },
          // Revision 2 lists every step in flight, and completion, as this (see
          // purchaseWorkflow): written with the start, it costs no visibility write.
          { key: ORDER_STATE, value: 'received' },
        ],
      });
      try {
        // No update id: each checkout is its own update, so it answers the order as it
        // is now rather than the first checkout's stored answer.
        const result = await inAnswerTime(() =>
          client.workflow.executeUpdateWithStart(checkoutUpdate, {
            startWorkflowOperation: start,
          }),
        );
        if (result !== TIMED_OUT) return { value: result, settled: true };
        return { value: checkoutResultOf(await ledgerStatus(purchase.orderId)), settled: false };
      } catch (error: unknown) {
        // The run finished between the ledger read and the update: it mirrored its end.
        const now = await ledger.getOrder(purchase.orderId);
        if (now && isFinalState(now.state)) {
          return { value: checkoutResultOf(statusFromLedger(now)), settled: true };
        }
        throw error;
      }
    },

    getOrder,

    /**
     * Ops: retry the failed step, or abort (compensate) an order that needs attention.
     * Without an answer in time (no worker), the decision stays with the order and the
     * answer is the order as it is.
     */
    async decide(orderId: string, decision: OpsDecision): Promise<Answer<OrderStatus>> {
      const current = await getOrder(orderId);
      try {
        const decided = await inAnswerTime(() =>
          handleFor(orderId).executeUpdate(opsDecisionUpdate, { args: [decision] }),
        );
        if (decided === TIMED_OUT) return { value: current, settled: false };
        return { value: decided, settled: true };
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
    /** The tenant an attended workflow (order or renewal) acts for, from its search attributes. */
    async tenantOfWorkflow(workflowId: string): Promise<string | null> {
      try {
        const described = await client.workflow.getHandle(workflowId).describe();
        return described.typedSearchAttributes.get(TENANT_ID) ?? null;
      } catch (error: unknown) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },

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

    /**
     * Signals a verified Stripe event to its order (the route decides which events wake
     * one: ./payment-event-routing.ts); unknown orders are ignored. False when no order
     * was woken.
     */
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
