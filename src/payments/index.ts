/** Payments through Stripe: the client the activities call, and its contracts. */
export { createPayments, type Payments, type PaymentsOptions } from './payments';
export { createStripeClient, type StripeClientOptions } from './stripe-client';
export {
  classifyStripeError,
  PAYMENT_ERROR_TYPES,
  type PaymentErrorClass,
  type PaymentErrorType,
} from './classify-stripe-error';
export { idempotencyKeys } from './idempotency-keys';
export {
  PaymentInputError,
  PaymentResponseError,
  WebhookVerificationError,
} from './payment-errors';
export * from './payment-inputs';
export * from './payment-outcomes';
export {
  verifyWebhook,
  paymentWebhookEventSchema,
  PAYMENT_INTENT_EVENT_TYPES,
  ORDER_WAKING_EVENT_TYPES,
  SUBSCRIBED_EVENT_TYPES,
  type PaymentWebhookEvent,
  type PaymentWebhookEventType,
  type VerifiedWebhook,
} from './webhook-events';
