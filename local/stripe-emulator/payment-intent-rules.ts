import type {
  EmulatedCharge,
  EmulatedPaymentError,
  EmulatedPaymentIntent,
  EmulatedPaymentMethod,
} from './emulated-objects';
import { NO_REQUEST, type EmulatorState, type RequestContext } from './emulator-state';
import { newId, nowSeconds } from './ids';
import { cardNumberOf } from './payment-method-rules';
import { EmulatedStripeError, stripeErrors } from './stripe-error';
import { testCard, type CardDecline } from './test-cards';

/**
 * PaymentIntent transitions as Stripe makes them:
 * requires_payment_method → requires_confirmation → (requires_action) → requires_capture
 * → succeeded, or canceled from any state before succeeded. A failed attempt returns the
 * intent to requires_payment_method with `last_payment_error`.
 */
const CANCELABLE = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
] as const;
const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation'] as const;

export interface ConfirmOptions {
  offSession: boolean;
}

export function confirmIntent(
  state: EmulatorState,
  request: RequestContext,
  intent: EmulatedPaymentIntent,
  options: ConfirmOptions,
): void {
  if (!(CONFIRMABLE as readonly string[]).includes(intent.status)) {
    throw stripeErrors.unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${intent.status}.`,
      intent,
    );
  }
  const methodId = intent.payment_method;
  if (methodId === null) {
    // Stripe never falls back to the customer's default payment method here: the caller
    // passes the saved method it means to charge.
    const hint = intent.customer
      ? `To confirm the PaymentIntent with ${intent.customer}, specify a payment method attached to this customer along with the customer ID.`
      : 'To confirm the PaymentIntent, provide a payment_method.';
    throw stripeErrors.invalid(
      `You cannot confirm this PaymentIntent because it's missing a payment method. ${hint}`,
      { code: 'payment_intent_unexpected_state', param: 'payment_method' },
    );
  }
  const method = state.paymentMethods.get(methodId);
  if (!method) throw stripeErrors.noSuch('PaymentMethod', methodId, 'payment_method');
  const { behaviour } = testCard(cardNumberOf(state, methodId));
  switch (behaviour.kind) {
    case 'succeed':
      return completePayment(state, request, intent, method);
    case 'decline':
    case 'decline_charges':
      return failPayment(state, request, intent, method, behaviour.decline);
    case 'authenticate_unless_set_up':
      // Set up for off-session use by an earlier authenticated payment: renewals pass.
      if (options.offSession && state.offSessionReady.has(method.id)) {
        return completePayment(state, request, intent, method);
      }
      return requireAuthentication(state, request, intent, method, options);
    case 'authenticate':
      return requireAuthentication(state, request, intent, method, options);
  }
}

/** 3-D Secure: on session the customer is asked; off session Stripe declines instead. */
function requireAuthentication(
  state: EmulatorState,
  request: RequestContext,
  intent: EmulatedPaymentIntent,
  method: EmulatedPaymentMethod,
  options: ConfirmOptions,
): void {
  if (options.offSession) {
    return failPayment(state, request, intent, method, {
      code: 'authentication_required',
      declineCode: 'authentication_required',
      message: 'Your card was declined. This transaction requires authentication.',
    });
  }
  intent.status = 'requires_action';
  intent.next_action = {
    type: 'use_stripe_sdk',
    use_stripe_sdk: {
      type: 'three_d_secure_redirect',
      stripe_js: `https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=${intent.id}`,
      source: newId('src'),
    },
  };
  state.emit('payment_intent.requires_action', intent, request);
}

/** The customer's side of 3-D Secure, which at Stripe happens in the browser. */
export function authenticateIntent(
  state: EmulatorState,
  intent: EmulatedPaymentIntent,
  outcome: 'succeed' | 'fail',
): void {
  if (intent.status !== 'requires_action') {
    throw stripeErrors.unexpectedState(
      `This PaymentIntent does not await authentication: it has a status of ${intent.status}.`,
      intent,
    );
  }
  // The customer acts in the browser, not through an API request of ours.
  const request = NO_REQUEST;
  const method = intent.payment_method
    ? state.paymentMethods.get(intent.payment_method)
    : undefined;
  if (!method)
    throw stripeErrors.noSuch('PaymentMethod', String(intent.payment_method), 'payment_method');
  intent.next_action = null;
  if (outcome === 'succeed') {
    completePayment(state, request, intent, method);
    return;
  }
  recordFailure(state, request, intent, {
    type: 'invalid_request_error',
    code: 'payment_intent_authentication_failure',
    message:
      'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.',
    payment_method: structuredClone(method),
  });
}

export function captureIntent(
  state: EmulatorState,
  request: RequestContext,
  intent: EmulatedPaymentIntent,
  amountToCapture: number | undefined,
): void {
  if (intent.status !== 'requires_capture') {
    throw stripeErrors.unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      intent,
    );
  }
  const amount = amountToCapture ?? intent.amount_capturable;
  if (amount < 1 || amount > intent.amount_capturable) {
    throw stripeErrors.invalid(
      `The amount_to_capture (${amount}) must be positive and at most the amount_capturable (${intent.amount_capturable}).`,
      { code: 'amount_too_large', param: 'amount_to_capture' },
    );
  }
  const charge = latestCharge(state, intent);
  charge.captured = true;
  charge.amount_captured = amount;
  intent.status = 'succeeded';
  intent.amount_received = amount;
  intent.amount_capturable = 0;
  state.stats.count('captures', intent.id);
  state.emit('charge.captured', charge, request);
  state.emit('payment_intent.succeeded', intent, request);
}

export function cancelIntent(
  state: EmulatorState,
  request: RequestContext,
  intent: EmulatedPaymentIntent,
  reason: string | undefined,
): void {
  if (!(CANCELABLE as readonly string[]).includes(intent.status)) {
    throw stripeErrors.unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      intent,
    );
  }
  intent.status = 'canceled';
  intent.canceled_at = nowSeconds();
  intent.cancellation_reason = reason ?? null;
  intent.amount_capturable = 0;
  intent.next_action = null;
  state.stats.count('cancels', intent.id);
  state.emit('payment_intent.canceled', intent, request);
}

function completePayment(
  state: EmulatorState,
  request: RequestContext,
  intent: EmulatedPaymentIntent,
  method: EmulatedPaymentMethod,
): void {
  const automatic = intent.capture_method !== 'manual';
  const charge = newCharge(intent, method, { captured: automatic });
  state.charges.set(charge.id, charge);
  intent.latest_charge = charge.id;
  intent.last_payment_error = null;
  intent.next_action = null;
  // A payment method used with setup_future_usage is saved to the customer for later.
  // Paid with setup_future_usage=off_session (after any authentication): later payments
  // without the customer need no authentication for cards that ask only once.
  if (intent.setup_future_usage === 'off_session') state.offSessionReady.add(method.id);
  if (intent.setup_future_usage && intent.customer && method.customer === null) {
    method.customer = intent.customer;
    state.emit('payment_method.attached', method, request);
  }
  if (automatic) {
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    state.stats.count('charges', intent.id);
    state.emit('charge.succeeded', charge, request);
    state.emit('payment_intent.succeeded', intent, request);
  } else {
    intent.status = 'requires_capture';
    intent.amount_capturable = intent.amount;
    state.stats.count('authorizations', intent.id);
    state.emit('charge.succeeded', charge, request);
    state.emit('payment_intent.amount_capturable_updated', intent, request);
  }
}

/** A declined attempt: the intent keeps the error, and the request answers 402. */
function failPayment(
  state: EmulatorState,
  request: RequestContext,
  intent: EmulatedPaymentIntent,
  method: EmulatedPaymentMethod,
  decline: CardDecline,
): never {
  const charge = newCharge(intent, method, { captured: false, failure: decline });
  state.charges.set(charge.id, charge);
  intent.latest_charge = charge.id;
  const docUrl = `https://docs.stripe.com/error-codes/${decline.code.replaceAll('_', '-')}`;
  recordFailure(state, request, intent, {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.declineCode,
    message: decline.message,
    ...(decline.param ? { param: decline.param } : {}),
    charge: charge.id,
    payment_method: structuredClone(method),
    doc_url: docUrl,
  });
  state.emit('charge.failed', charge, request);
  throw new EmulatedStripeError(402, {
    type: 'card_error',
    code: decline.code,
    decline_code: decline.declineCode,
    message: decline.message,
    ...(decline.param ? { param: decline.param } : {}),
    charge: charge.id,
    doc_url: docUrl,
    payment_intent: structuredClone(intent),
  });
}

function recordFailure(
  state: EmulatorState,
  request: RequestContext,
  intent: EmulatedPaymentIntent,
  error: EmulatedPaymentError,
): void {
  intent.status = 'requires_payment_method';
  intent.last_payment_error = error;
  // Stripe detaches the failed method: a new attempt needs a payment method again.
  intent.payment_method = null;
  intent.next_action = null;
  state.stats.count('declines', intent.id);
  state.emit('payment_intent.payment_failed', intent, request);
}

export function latestCharge(state: EmulatorState, intent: EmulatedPaymentIntent): EmulatedCharge {
  const charge = intent.latest_charge ? state.charges.get(intent.latest_charge) : undefined;
  if (!charge) throw stripeErrors.invalid(`PaymentIntent ${intent.id} has no charge.`);
  return charge;
}

function newCharge(
  intent: EmulatedPaymentIntent,
  method: EmulatedPaymentMethod,
  options: { captured: boolean; failure?: CardDecline },
): EmulatedCharge {
  const failed = options.failure !== undefined;
  return {
    id: newId('ch'),
    object: 'charge',
    amount: intent.amount,
    amount_captured: options.captured ? intent.amount : 0,
    amount_refunded: 0,
    captured: options.captured,
    refunded: false,
    paid: !failed,
    status: failed ? 'failed' : 'succeeded',
    currency: intent.currency,
    customer: intent.customer,
    payment_intent: intent.id,
    payment_method: method.id,
    failure_code: options.failure?.code ?? null,
    failure_message: options.failure?.message ?? null,
    outcome: failed
      ? {
          type: 'issuer_declined',
          network_status: 'declined_by_network',
          reason: options.failure?.declineCode ?? null,
        }
      : { type: 'authorized', network_status: 'approved_by_network', reason: null },
    created: nowSeconds(),
    metadata: {},
    livemode: false,
  };
}
