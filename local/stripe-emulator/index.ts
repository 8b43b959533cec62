/** The local Stripe emulator: tests and `npm start` run it instead of Stripe. */
export {
  startStripeEmulator,
  stripeEmulatorOptionsSchema,
  type StripeEmulator,
  type StripeEmulatorOptions,
  type WebhookControls,
} from './stripe-emulator';
export { faultRuleSchema, FaultInjector, type FaultRule, type FaultRuleInput } from './fault-rules';
export {
  EmulatorStats,
  EMULATOR_COUNTERS,
  type EmulatorCounter,
  type IntentCounts,
  type StatsSnapshot,
} from './emulator-stats';
export type { DeliveryAttempt, WebhookModes, WebhookRetryOptions } from './webhook-dispatcher';
export type { WebhookEndpointSpec } from './webhook-endpoints';
export { signWebhookPayload } from './webhook-signature';
export { TEST_PAYMENT_METHODS } from './test-cards';
