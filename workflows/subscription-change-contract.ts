/**
 * The contract of a subscription change (upgrade, downgrade, cancellation, seats,
 * payment method, withdrawal of a scheduled change) between the API / CLI that plan it
 * and the workflow that carries it out. Plain JSON, like the order's contract: what a
 * change will do is decided at the edge, against the catalog and the ledger, and travels
 * in the input, so nothing in the workflow reads a clock or the catalog.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GrantSpec } from '../src/catalog';
import type { BillingPeriod } from '../src/domain/billing-period';
import type { PendingChange, SubscriptionStatus } from '../src/ledger/subscription-schemas';
import type { ChangeKind, ChangeState, ChangeStatus, ChangeStep, Money } from '../src/contract';
import type { OrderPolicy, ProvisioningRequest } from './order-types';

// A change's kinds, steps, states and status are the API's contract (src/contract).
export type { ChangeKind, ChangeState, ChangeStatus, ChangeStep, Money };

/** What an upgrade changes in place; the period start stays. */
export interface Holding {
  productKey: string;
  seats: number | null;
  period: BillingPeriod;
  currentPeriodEnd: string;
}

export type ChangePlan =
  | {
      kind: 'upgrade';
      /** The prorated difference; zero charges nothing. */
      amount: Money;
      description: string;
      paymentMethod: string;
      from: Holding;
      to: Holding;
      /** Everything the new holding implies; the ledger adds only what is missing. */
      grants: GrantSpec[];
    }
  | { kind: 'schedule'; pendingChange: PendingChange; effectiveAt: string }
  | {
      kind: 'cancel-now';
      /** The unused part of the period, refunded from the period's payments, newest first. */
      refunds: { paymentIntentId: string; amount: number }[];
      amount: Money;
      provisioning?: ProvisioningRequest;
      statusBefore: SubscriptionStatus;
    }
  | {
      kind: 'seats';
      plan: string;
      assign: string[];
      unassign: string[];
      /** The plan's features for the assigned users. */
      grants: GrantSpec[];
      /** The plan's features for the unassigned users, to give back if the change is undone. */
      regrants: GrantSpec[];
    }
  | {
      kind: 'payment-method';
      paymentMethod: string;
      previousPaymentMethod: string | null;
      /** The renewal of the current period: retried at once when it is past due. */
      renewalWorkflowId: string;
    }
  | { kind: 'withdraw'; target: string };

export interface ChangeInput {
  tenantId: string;
  subscriptionId: string;
  changeId: string;
  kind: ChangeKind;
  /**
   * The change's business id in the ledger (grants and seats it makes) and in Stripe's
   * idempotency keys: derived from the subscription and the change id, never random.
   */
  changeRef: string;
  policy: OrderPolicy;
  plan: ChangePlan;
}

/** Where a change rests: done, waiting for the period end, refused by the bank, or undone. */
export const FINAL_CHANGE_STATES: readonly ChangeState[] = [
  'applied',
  'scheduled',
  'declined',
  'compensated',
];

/** The API's answer: resolves once the change is settled or waits for ops. */
export const changeOutcomeUpdate = defineUpdate<ChangeStatus>('changeOutcome');
export const changeStatusQuery = defineQuery<ChangeStatus>('changeStatus');
