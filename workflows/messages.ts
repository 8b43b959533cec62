import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CheckoutResult, OpsDecision, OrderStatus, PaymentEvent } from './order-types';
import type { RenewalStatus } from './renewal-types';

/** Checkout's view: resolves once the authorization outcome is known (update-with-start). */
export const checkoutUpdate = defineUpdate<CheckoutResult>('checkout');

/** A Stripe webhook about this order's PaymentIntent, routed by the API. */
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');

/** Ops decides for an order that needs attention: retry the failed step, or abort. */
export const opsDecisionUpdate = defineUpdate<OrderStatus, [OpsDecision]>('opsDecision');

export const orderStatusQuery = defineQuery<OrderStatus>('orderStatus');

/**
 * The customer saved a new payment method: a renewal that is past due retries its
 * charge at once instead of waiting for the next dunning day.
 */
export const paymentMethodUpdatedSignal = defineSignal('paymentMethodUpdated');

/** A renewal's progress: its plan, each charge attempt, the dunning clock. */
export const renewalStatusQuery = defineQuery<RenewalStatus>('renewalStatus');
