import type { PaymentIntentStatus } from '../../src/payments/stripe-objects';

/**
 * The emulator's objects, shaped as Stripe serializes them (the fields the SDK and our
 * client read, and the ones a person comparing with Stripe's API reference expects).
 */
type Metadata = Record<string, string>;

export interface EmulatedCustomer {
  id: string;
  object: 'customer';
  created: number;
  description: string | null;
  email: string | null;
  name: string | null;
  /** Only the default payment method is emulated; the other settings stay null. */
  invoice_settings: {
    custom_fields: null;
    default_payment_method: string | null;
    footer: null;
    rendering_options: null;
  };
  metadata: Metadata;
  livemode: false;
}

export interface EmulatedPaymentMethod {
  id: string;
  object: 'payment_method';
  type: 'card';
  card: {
    brand: string;
    last4: string;
    exp_month: number;
    exp_year: number;
    funding: 'credit';
    country: 'US';
  };
  customer: string | null;
  created: number;
  metadata: Metadata;
  livemode: false;
}

export interface EmulatedPaymentError {
  type: 'card_error' | 'invalid_request_error';
  code: string;
  decline_code?: string;
  message: string;
  param?: string;
  charge?: string;
  payment_method?: EmulatedPaymentMethod;
  doc_url?: string;
}

export interface EmulatedNextAction {
  type: 'use_stripe_sdk';
  use_stripe_sdk: { type: 'three_d_secure_redirect'; stripe_js: string; source: string };
}

export interface EmulatedPaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  customer: string | null;
  payment_method: string | null;
  payment_method_types: string[];
  automatic_payment_methods: { enabled: boolean; allow_redirects: 'always' | 'never' } | null;
  status: PaymentIntentStatus;
  capture_method: 'automatic' | 'automatic_async' | 'manual';
  confirmation_method: 'automatic';
  client_secret: string;
  created: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  description: string | null;
  metadata: Metadata;
  last_payment_error: EmulatedPaymentError | null;
  latest_charge: string | null;
  next_action: EmulatedNextAction | null;
  setup_future_usage: 'on_session' | 'off_session' | null;
  livemode: false;
}

export interface EmulatedCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  refunded: boolean;
  paid: boolean;
  status: 'succeeded' | 'failed';
  currency: string;
  customer: string | null;
  payment_intent: string;
  payment_method: string;
  failure_code: string | null;
  failure_message: string | null;
  outcome: {
    type: 'authorized' | 'issuer_declined';
    network_status: string;
    reason: string | null;
  };
  created: number;
  metadata: Metadata;
  livemode: false;
}

export interface EmulatedRefund {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  payment_intent: string;
  currency: string;
  reason: string | null;
  status: 'succeeded';
  metadata: Metadata;
  created: number;
}

export interface EmulatedEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  type: string;
  data: { object: unknown };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}

export interface EmulatedWebhookEndpoint {
  id: string;
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  status: 'enabled';
  created: number;
  metadata: Metadata;
  livemode: false;
}
