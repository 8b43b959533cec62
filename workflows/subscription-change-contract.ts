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
import type { AttendedStatus } from './attended-steps';
import type { OrderPolicy, ProvisioningRequest } from './order-types';

export const CHANGE_KINDS = [
  'upgrade',
  'downgrade',
  'cancel',
  'seats',
  'payment-method',
  'withdraw',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** What an upgrade changes in place; the period start stays. */
export interface Holding {
  productKey: string;
  seats: number | null;
  period: BillingPeriod;
  currentPeriodEnd: string;
}

export interface Money {
  currency: string;
  total: number;
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

export const CHANGE_STEPS = [
  'authorize',
  'grant',
  'capture',
  'schedule',
  'unassign',
  'assign',
  'suspend',
  'deprovision',
  'refund',
  'end',
  'save-method',
  'signal-renewal',
  'withdraw',
  'record',
] as const;
export type ChangeStep = (typeof CHANGE_STEPS)[number];

export type ChangeState =
  | 'received'
  | 'authorizing'
  | 'applying'
  | 'capturing'
  | 'scheduling'
  | 'refunding'
  | 'recording'
  | 'needs-attention'
  | 'compensating'
  | 'applied'
  | 'scheduled'
  | 'declined'
  | 'compensated'
  /** A scheduled change taken back before the period end (known from the ledger). */
  | 'withdrawn';

/** Where a change rests: done, waiting for the period end, refused by the bank, or undone. */
export const FINAL_CHANGE_STATES: readonly ChangeState[] = [
  'applied',
  'scheduled',
  'declined',
  'compensated',
];

export interface ChangeStatus extends AttendedStatus<ChangeState, ChangeStep> {
  tenantId: string;
  subscriptionId: string;
  changeId: string;
  kind: ChangeKind;
  /** Charged (upgrade) or refunded (immediate cancel). */
  amount?: Money;
  payment?: { paymentIntentId: string; captured: boolean; refunded: boolean };
  declineReason?: string;
  /** Payment-method changes: whether a renewal of the current period took the signal. */
  renewalSignalled?: boolean;
  error?: { step: string; type: string; message: string };
}

/** The API's answer: resolves once the change is settled or waits for ops. */
export const changeOutcomeUpdate = defineUpdate<ChangeStatus>('changeOutcome');
export const changeStatusQuery = defineQuery<ChangeStatus>('changeStatus');
