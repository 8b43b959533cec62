import Stripe from 'stripe';
import type {
  EmulatedCharge,
  EmulatedCustomer,
  EmulatedEvent,
  EmulatedPaymentIntent,
  EmulatedPaymentMethod,
  EmulatedRefund,
  EmulatedWebhookEndpoint,
} from './emulated-objects';
import { EmulatorStats } from './emulator-stats';
import { newId, nowSeconds } from './ids';

/** The request an effect came from, recorded on the events it emits as Stripe does. */
export interface RequestContext {
  requestId: string | null;
  idempotencyKey: string | null;
}

export const NO_REQUEST: RequestContext = { requestId: null, idempotencyKey: null };

export interface RegisteredEndpoint {
  endpoint: EmulatedWebhookEndpoint;
  secret: string;
}

/** Everything the emulator holds, in memory: one process, one test account. */
export class EmulatorState {
  readonly customers = new Map<string, EmulatedCustomer>();
  readonly paymentMethods = new Map<string, EmulatedPaymentMethod>();
  /** The card number behind each payment method, which decides its outcome. */
  readonly cardNumbers = new Map<string, string>();
  /** Detached payment methods: Stripe never lets one be used or attached again. */
  readonly retiredPaymentMethods = new Set<string>();
  /** Payment methods set up for off-session use by a payment with setup_future_usage. */
  readonly offSessionReady = new Set<string>();
  readonly paymentIntents = new Map<string, EmulatedPaymentIntent>();
  readonly charges = new Map<string, EmulatedCharge>();
  readonly refunds = new Map<string, EmulatedRefund>();
  readonly events: EmulatedEvent[] = [];
  readonly webhookEndpoints = new Map<string, RegisteredEndpoint>();
  readonly stats = new EmulatorStats();

  constructor(private readonly onEvent: (event: EmulatedEvent) => void) {}

  /** Records an event with a snapshot of the object as it is now, and hands it on. */
  emit(type: string, object: unknown, request: RequestContext): EmulatedEvent {
    const event: EmulatedEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: nowSeconds(),
      type,
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: this.endpointsFor(type).length,
      request: { id: request.requestId, idempotency_key: request.idempotencyKey },
    };
    this.events.push(event);
    this.stats.count('events');
    this.onEvent(event);
    return event;
  }

  endpointsFor(type: string): RegisteredEndpoint[] {
    return [...this.webhookEndpoints.values()].filter(({ endpoint }) =>
      endpoint.enabled_events.some((pattern) => pattern === '*' || pattern === type),
    );
  }
}
