/**
 * The renewal's and the sweep's contract: plain JSON, like the order's. A renewal is one
 * workflow per subscription and period (`renewalWorkflowId`); the sweep starts them.
 */
import type { AttendedStatus } from './attended-steps';
import type { StepError, OrderPolicy } from './order-types';
import type { SubscriptionPolicy } from './subscription-types';

/** How hard each activity of a renewal is tried before it parks for ops (as an order's). */
export type StepPolicy = Pick<
  OrderPolicy,
  'stepAttempts' | 'stepInitialIntervalMs' | 'stepTimeoutMs' | 'attentionDeadlineMs'
>;

export interface RenewalInput {
  subscriptionId: string;
  /** The period this renews from: the subscription's current period start when due. */
  periodStart: string;
  policy: SubscriptionPolicy;
  steps: StepPolicy;
  /** When the sweep found it due (the sweep's workflow time). */
  asOf: string;
  /**
   * Set by the sweeps that start renewals since the coarse listing: the start carries the
   * search attribute `OrderState = planning`, and the renewal writes only the states ops
   * list by (not planning, charging, recording: each write is a visibility update on the
   * server), so a renewal in progress lists as planning. Renewals started before it lack
   * it and replay as they ran.
   */
  coarseListing?: boolean;
}

/** The states a renewal with `coarseListing` keeps in its status only. */
export const UNLISTED_RENEWAL_STATES: readonly string[] = ['planning', 'charging', 'recording'];

/** A resource a subscription provisioned, by the external id derived from it. */
export interface ProvisionedResource {
  kind: 'calendar-sync-connection' | 'cep-portal';
  externalId: string;
}

/** What the next period is sold as: under the current catalog, after a period-end change. */
export interface NextPeriod {
  productKey: string;
  seats: number | null;
  period: 'month' | 'year';
  catalogVersion: number;
  periodStart: string;
  periodEnd: string;
  amount: number;
  currency: string;
  description: string;
}

/** Decided once, by an activity, from the ledger and the catalog; then fixed in history. */
export type RenewalPlan =
  | { action: 'none'; reason: string }
  | {
      action: 'cancel';
      tenantId: string;
      periodEnd: string;
      resources: ProvisionedResource[];
    }
  | {
      action: 'renew';
      tenantId: string;
      periodEnd: string;
      status: string;
      /** The catalog version it was sold under until now. */
      catalogVersion: number;
      resources: ProvisionedResource[];
      /** A downgrade to apply before charging, by its change id. */
      downgrade?: { changeId: string };
      next: NextPeriod;
    };

export type RenewalState =
  | 'planning'
  | 'waiting-for-period-end'
  | 'changing'
  | 'charging'
  | 'recording'
  | 'past-due'
  | 'suspending'
  | 'suspended'
  | 'reactivating'
  | 'ending'
  | 'compensating'
  | 'renewed'
  | 'ended'
  | 'skipped'
  | 'aborted';

export type RenewalStep =
  | 'plan'
  | 'apply-change'
  | 'charge'
  | 'mark-past-due'
  | 'suspend'
  | 'record'
  | 'reactivate'
  | 'end';

export interface ChargeAttempt {
  attempt: number;
  at: string;
  outcome: 'succeeded' | 'declined';
  paymentIntentId?: string;
  /** Stripe's code (`card_declined`, `authentication_required`) or `no_payment_method`. */
  code?: string;
  declineCode?: string;
}

export interface RenewalStatus extends AttendedStatus<RenewalState, RenewalStep> {
  kind: 'renewal';
  subscriptionId: string;
  tenantId?: string;
  periodStart: string;
  plan?: RenewalPlan;
  charges: ChargeAttempt[];
  pastDueSince?: string;
  suspendedAt?: string;
  endedBecause?: string;
  /** Why ops aborted it, when they did. */
  error?: StepError;
}

/** The jobs a sweep runs; both start the same renewal ids, so running both is harmless. */
export type SweepJob = 'renewals' | 'period-end-changes';

export interface SweepInput {
  job: SweepJob;
  pageSize: number;
  /** How many renewal starts are in flight at once. */
  concurrency: number;
  policy: SubscriptionPolicy;
  steps: StepPolicy;
  /** Fixed by the first run from its own workflow time, carried across continue-as-new. */
  asOf?: string;
  after?: { periodEnd: string; id: string };
  totals?: SweepTotals;
}

export interface SweepTotals {
  pages: number;
  due: number;
  started: number;
  /** Already running or done under the same id: another sweep, or an earlier run of this one. */
  alreadyStarted: number;
}
