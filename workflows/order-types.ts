/**
 * The order's contract with everything outside the workflow: the API and CLI start
 * orders with an `OrderInput` and read an `OrderStatus`. Plain JSON, no classes, so it
 * crosses Temporal's payload converter and the HTTP API unchanged.
 */
import type { GrantSpec, Price } from '../src/catalog';
import type { BillingPeriod } from '../src/domain/billing-period';
import type { Purchase } from '../src/catalog/purchase';
import type { CalendarSyncSetup } from '../src/domain/calendar-sync-settings';

export const STEPS = [
  'validate',
  'price',
  'authorize',
  'grant',
  'provision',
  'capture',
  'record',
] as const;
export type StepName = (typeof STEPS)[number];

export type OrderState =
  | 'received'
  | 'authorizing'
  | 'awaiting-authentication'
  | 'granting'
  | 'provisioning'
  | 'capturing'
  | 'recording'
  | 'needs-attention'
  | 'compensating'
  | 'completed'
  | 'declined'
  | 'compensated';

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
}

/** What failed in one step of a workflow, as its status and ops show it. */
export interface StepError {
  step: string;
  type: string;
  message: string;
}

export interface Attention {
  phase: 'forward' | 'compensation';
  step: string;
  error: StepError;
  since: string;
  /** When the order aborts by itself (forward) or retries by itself (compensation). */
  deadline: string;
}

export interface OrderStatus {
  orderId: string;
  tenantId: string;
  kind: 'plan' | 'addon';
  product: string;
  subscriptionId: string;
  catalogVersion: number;
  state: OrderState;
  step?: StepName;
  stepsDone: StepName[];
  compensationsDone: string[];
  amount?: { currency: string; total: number };
  payment?: {
    paymentIntentId: string;
    clientSecret?: string;
    captured: boolean;
    refunded: boolean;
  };
  declineReason?: string;
  error?: StepError;
  attention?: Attention;
  decisions: OpsDecisionRecord[];
}

export type OpsAction = 'retry' | 'abort';

export interface OpsDecision {
  action: OpsAction;
  by: string;
  reason?: string;
}

export interface OpsDecisionRecord extends OpsDecision {
  at: string;
  step: string;
}

/** What checkout learns once the payment is authorized, needs the customer, or failed. */
export interface CheckoutResult {
  orderId: string;
  /** What the order is for: a repeated order id must name the same purchase. */
  tenantId: string;
  kind: 'plan' | 'addon';
  product: string;
  state: OrderState;
  amount?: { currency: string; total: number };
  /** Present when the customer must complete 3-D Secure in the browser. */
  clientSecret?: string;
  declineReason?: string;
}

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
