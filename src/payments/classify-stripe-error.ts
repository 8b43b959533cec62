import Stripe from 'stripe';
import {
  PaymentInputError,
  PaymentResponseError,
  WebhookVerificationError,
} from './payment-errors';

/**
 * Stable failure types for payments. The type decides whether a retry can help:
 * refusals that will refuse again are not retried, faults of the moment are.
 */
export const PAYMENT_ERROR_TYPES = [
  /** A card error (402): a decline, an expired card, authentication required off session. */
  'PAYMENT.CARD_DECLINED',
  /** Stripe refused the request (400/404), or our own input check did. */
  'PAYMENT.INVALID_REQUEST',
  /** The same idempotency key was sent with other parameters: a bug, never retried. */
  'PAYMENT.IDEMPOTENCY',
  /** The API key is wrong or lacks permission (401/403). */
  'PAYMENT.AUTHENTICATION',
  /** Connection failures, 5xx, 409 (a concurrent request holds the key) and 429. */
  'PAYMENT.TRANSIENT',
  /** Stripe answered with a body we cannot read. */
  'PAYMENT.UNEXPECTED_RESPONSE',
  /** A webhook that is not signed by Stripe with our secret. */
  'PAYMENT.WEBHOOK_SIGNATURE',
  /** Not a payments error at all. */
  'PAYMENT.UNKNOWN',
] as const;
export type PaymentErrorType = (typeof PAYMENT_ERROR_TYPES)[number];

export interface PaymentErrorClass {
  /** False when the error did not come from Stripe or this client: the caller decides. */
  known: boolean;
  retryable: boolean;
  type: PaymentErrorType;
  message: string;
  /** Stripe's error code, when it gave one (`card_declined`, `resource_missing`, …). */
  code?: string;
  declineCode?: string;
  /** The parameter or input field that was refused. */
  field?: string;
  statusCode?: number;
}

const { errors } = Stripe;

export function classifyStripeError(error: unknown): PaymentErrorClass {
  if (error instanceof PaymentInputError) {
    return refusal('PAYMENT.INVALID_REQUEST', error.message, { field: error.field });
  }
  if (error instanceof PaymentResponseError) {
    return refusal('PAYMENT.UNEXPECTED_RESPONSE', error.message);
  }
  if (error instanceof WebhookVerificationError) {
    return refusal('PAYMENT.WEBHOOK_SIGNATURE', error.message);
  }
  if (!(error instanceof errors.StripeError)) {
    const message = error instanceof Error ? error.message : String(error);
    return { known: false, retryable: true, type: 'PAYMENT.UNKNOWN', message };
  }
  const details = {
    code: error.code,
    declineCode: error.decline_code,
    field: error.param,
    statusCode: error.statusCode,
  };
  const status = error.statusCode ?? 0;
  if (error instanceof errors.StripeCardError) {
    return refusal('PAYMENT.CARD_DECLINED', error.message, details);
  }
  if (
    error instanceof errors.StripeConnectionError ||
    error instanceof errors.StripeRateLimitError
  ) {
    return transient(error.message, details);
  }
  // The SDK maps a 409 to StripeAPIError even when its type is idempotency_error: the
  // first request with this key is still running, so a later retry gets its answer.
  if (status === 409 || status === 429 || status >= 500) return transient(error.message, details);
  if (error instanceof errors.StripeIdempotencyError) {
    return refusal('PAYMENT.IDEMPOTENCY', error.message, details);
  }
  if (
    error instanceof errors.StripeAuthenticationError ||
    error instanceof errors.StripePermissionError
  ) {
    return refusal('PAYMENT.AUTHENTICATION', error.message, details);
  }
  if (error instanceof errors.StripeInvalidRequestError) {
    return refusal('PAYMENT.INVALID_REQUEST', error.message, details);
  }
  // An API error without a status is a response the SDK could not read: a fault of the
  // moment, like a truncated body.
  return transient(error.message, details);
}

type Details = Omit<PaymentErrorClass, 'known' | 'retryable' | 'type' | 'message'>;

function refusal(
  type: PaymentErrorType,
  message: string,
  details: Details = {},
): PaymentErrorClass {
  return { known: true, retryable: false, type, message, ...definedOnly(details) };
}

function transient(message: string, details: Details): PaymentErrorClass {
  return {
    known: true,
    retryable: true,
    type: 'PAYMENT.TRANSIENT',
    message,
    ...definedOnly(details),
  };
}

function definedOnly(details: Details): Details {
  return Object.fromEntries(Object.entries(details).filter(([, value]) => value !== undefined));
}
