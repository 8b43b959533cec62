import { randomBytes } from 'node:crypto';
import type { EmulatorState, RegisteredEndpoint } from './emulator-state';
import { newId, nowSeconds } from './ids';

export interface WebhookEndpointSpec {
  url: string;
  /** `whsec_…`; made up when absent, as Stripe does for a created endpoint. */
  secret?: string;
  /** Event types, `*` for all (the default). */
  enabledEvents?: string[];
  metadata?: Record<string, string>;
}

export function registerWebhookEndpoint(
  state: EmulatorState,
  spec: WebhookEndpointSpec,
): RegisteredEndpoint {
  const registered: RegisteredEndpoint = {
    endpoint: {
      id: newId('we'),
      object: 'webhook_endpoint',
      url: spec.url,
      enabled_events: spec.enabledEvents ?? ['*'],
      status: 'enabled',
      created: nowSeconds(),
      metadata: spec.metadata ?? {},
      livemode: false,
    },
    secret: spec.secret ?? `whsec_${randomBytes(24).toString('hex')}`,
  };
  state.webhookEndpoints.set(registered.endpoint.id, registered);
  return registered;
}
