/**
 * The order's contract with everything outside the workflow: the API and CLI start
 * orders with an `OrderInput` and read an `OrderStatus`. Plain JSON, no classes, so it
 * crosses Temporal's payload converter and the HTTP API unchanged.
 */
import type { GrantSpec, Price } from '../src/catalog';
import type { BillingPeriod } from '../src/domain/billing-period';
import type { Purchase } from '../src/catalog/purchase';
import type { CalendarSyncSetup } from '../src/domain/calendar-sync-settings';
import type { CheckoutResult, OrderState, OrderStatus } from '../src/contract';

// The status, states and steps that leave the workflow are the API's contract
// (src/contract), defined there once as schemas.
export type {
  Attention,
  CheckoutResult,
  OpsAction,
  OpsDecision,
  OpsDecisionRecord,
  OrderState,
  OrderStatus,
  StepError,
  StepName,
} from '../src/contract';

/** States in which the workflow has finished: money and licenses match at rest. */
export const FINAL_STATES: readonly OrderState[] = ['completed', 'declined', 'compensated'];

/** Retry and deadline tuning, fixed at checkout from configuration (see README). */
export interface OrderPolicy {
  /** Attempts of a step before the order needs attention. */
  stepAttempts: number;
  stepInitialIntervalMs: number;
  /** How long one attempt of a step may take before Temporal retries it elsewhere. */
  stepTimeoutMs: number;
  /** How long checkout's customer has to complete 3-D Secure before the order is cancelled. */
  authenticationTimeoutMs: number;
  /** How long an order waits for an ops decision before it aborts (and compensates) by itself. */
  attentionDeadlineMs: number;
}

export type ProvisioningRequest =
  | {
      kind: 'calendar-sync-connection';
      externalId: string;
      tenantId: string;
      setup: CalendarSyncSetup;
    }
  | { kind: 'cep-portal'; externalId: string; tenantId: string; languages: string[] };

export interface SubscriptionRecord {
  id: string;
  tenantId: string;
  kind: 'plan' | 'addon';
  productKey: string;
  seats: number | null;
  period: BillingPeriod;
  catalogVersion: number;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  settings: Record<string, unknown>;
  orderId: string;
}

/** Everything the order will do, decided up front from the input and the catalog. */
export interface OrderPlan {
  price: Price;
  description: string;
  /**
   * Orders placed before the grant step computed its grants carry them here; later
   * orders leave them to the activity, so thousands of seats stay out of the history.
   */
  grants?: GrantSpec[];
  seats?: { plan: string; userIds: string[] };
  provisioning?: ProvisioningRequest;
  subscription: SubscriptionRecord;
}

export interface OrderInput {
  purchase: Purchase;
  /** The catalog version the order is sold under; the subscription keeps it until renewal. */
  catalogVersion: number;
  /** Validated and priced at checkout (src/orders/order-plan.ts). */
  plan: OrderPlan;
  policy: OrderPolicy;
  /**
   * What the order workflow's changes so far are decided by. Checkout sets
   * ORDER_REVISION: each change then applies by this number, with no patch marker (every
   * marker costs the order a history event and a search-attribute write on the server).
   * Orders started before checkout set it lack it, and replay through their markers.
   */
  revision?: number;
}

/**
 * The revision checkout starts orders at. 1: both patches of purchaseWorkflow apply.
 * 2: the order is started listed as `received` and writes `OrderState` only where the
 * list cannot derive it (see purchaseWorkflow). 3: every forward step but the grant runs
 * as a local activity (see purchaseWorkflow).
 */
export const ORDER_REVISION = 3;

/** What checkout answers for an order in `status`: the client secret only while it is needed. */
export function checkoutResultOf(status: OrderStatus): CheckoutResult {
  return {
    orderId: status.orderId,
    tenantId: status.tenantId,
    kind: status.kind,
    product: status.product,
    state: status.state,
    amount: status.amount,
    clientSecret:
      status.state === 'awaiting-authentication' ? status.payment?.clientSecret : undefined,
    declineReason: status.declineReason,
  };
}

export interface PaymentEvent {
  eventId: string;
  type: string;
  paymentIntentId: string;
}

/** Business ids, derived, never random: repeated checkouts map to the same workflow. */
export const orderWorkflowId = (orderId: string) => `order-${orderId}`;
export const subscriptionIdFor = (orderId: string) => `sub-${orderId}`;
