import { z } from 'zod';
import { route, ok, type ApiRoute } from './api-route';
import type { EmulatedEvent } from './emulated-objects';
import type { EmulatorState } from './emulator-state';
import { form, parseForm } from './form-schema';
import { stripeErrors } from './stripe-error';
import { listResponse, listShape } from './list-response';
import { registerWebhookEndpoint } from './webhook-endpoints';

const listParams = z.strictObject({
  ...listShape,
  /** An exact type, or a prefix with a wildcard: `payment_intent.*`. */
  type: form.string().optional(),
  types: z.array(form.string()).optional(),
});
const retrieveParams = z.strictObject({ expand: form.expand() });

const createEndpointParams = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  enabled_events: z.array(form.string()).min(1),
  description: z.string().max(5000).optional(),
  metadata: form.metadata().optional(),
  api_version: form.string().optional(),
  expand: form.expand(),
});

/** Events (as `GET /v1/events` lists them, newest first) and webhook endpoints. */
export function eventRoutes(state: EmulatorState): ApiRoute[] {
  return [
    route('GET', '/v1/events/:id', ({ params, args: [id = ''] }) => {
      parseForm(retrieveParams, params);
      const event = state.events.find((candidate) => candidate.id === id);
      if (!event) throw stripeErrors.noSuch('event', id);
      return ok(event);
    }),

    route('GET', '/v1/events', ({ params }) => {
      const p = parseForm(listParams, params);
      const patterns = [...(p.type ? [p.type] : []), ...(p.types ?? [])];
      const events = state.events.filter(
        (event) => patterns.length === 0 || patterns.some((t) => typeMatches(t, event)),
      );
      return ok(listResponse('/v1/events', events, p));
    }),

    route('POST', '/v1/webhook_endpoints', ({ params }) => {
      const p = parseForm(createEndpointParams, params);
      const { endpoint, secret } = registerWebhookEndpoint(state, {
        url: p.url,
        enabledEvents: p.enabled_events,
        metadata: p.metadata,
      });
      // The secret is shown once, in the answer to the create.
      return ok({ ...endpoint, secret });
    }),

    route('GET', '/v1/webhook_endpoints/:id', ({ params, args: [id = ''] }) => {
      parseForm(retrieveParams, params);
      const registered = state.webhookEndpoints.get(id);
      if (!registered) throw stripeErrors.noSuch('webhook_endpoint', id);
      return ok(registered.endpoint);
    }),

    route('DELETE', '/v1/webhook_endpoints/:id', ({ args: [id = ''] }) => {
      if (!state.webhookEndpoints.delete(id)) throw stripeErrors.noSuch('webhook_endpoint', id);
      return ok({ id, object: 'webhook_endpoint', deleted: true });
    }),
  ];
}

function typeMatches(pattern: string, event: EmulatedEvent): boolean {
  return pattern.endsWith('*')
    ? event.type.startsWith(pattern.slice(0, -1))
    : event.type === pattern;
}
