import { z } from 'zod';
import type { EmulatedPaymentIntent } from './emulated-objects';
import { faultRuleSchema, type FaultInjector } from './fault-rules';
import type { EmulatorStats } from './emulator-stats';
import { EmulatedStripeError, stripeErrors } from './stripe-error';
import type { WebhookDispatcher } from './webhook-dispatcher';
import type { WebhookEndpointSpec } from './webhook-endpoints';

export const CONTROL_PREFIX = '/_emulator/';

export interface ControlContext {
  faults: FaultInjector;
  stats: EmulatorStats;
  webhooks: WebhookDispatcher;
  authenticate(paymentIntentId: string, outcome: 'succeed' | 'fail'): EmulatedPaymentIntent;
  addWebhookEndpoint(spec: WebhookEndpointSpec): { id: string; secret: string };
}

export interface ControlResponse {
  status: number;
  body?: unknown;
}

const authenticateBody = z.strictObject({ outcome: z.enum(['succeed', 'fail']) });
const modesBody = z.strictObject({
  duplicate: z.boolean().optional(),
  hold: z.boolean().optional(),
});
const releaseBody = z.strictObject({ order: z.enum(['sent', 'reverse']).default('sent') });
const endpointBody = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().startsWith('whsec_').optional(),
  enabledEvents: z.array(z.string().min(1)).min(1).optional(),
});

/**
 * The emulator's own endpoints, JSON in and out, so that another process (a person with
 * curl, `npm start`, an integration test) can play the customer and break things. They
 * need no key and ignore faults: the emulator listens on loopback only.
 */
export function handleControlRequest(
  context: ControlContext,
  request: { method: string; path: string; body: string },
): ControlResponse {
  try {
    return route(context, request);
  } catch (error: unknown) {
    if (error instanceof EmulatedStripeError)
      return { status: error.status, body: { error: error.body } };
    throw error;
  }
}

function route(context: ControlContext, request: { method: string; path: string; body: string }) {
  const { method, path } = request;
  const authenticate = /^\/_emulator\/payment_intents\/([^/]+)\/authenticate$/.exec(path);
  if (authenticate && method === 'POST') {
    const { outcome } = parseJson(authenticateBody, request.body);
    return ok(context.authenticate(decodeURIComponent(authenticate[1] ?? ''), outcome));
  }
  switch (`${method} ${path}`) {
    case 'GET /_emulator/stats':
      return ok(context.stats.snapshot());
    case 'GET /_emulator/faults':
      return ok({ faults: context.faults.list() });
    case 'POST /_emulator/faults': {
      context.faults.add(parseJson(faultRuleSchema, request.body));
      return { status: 201, body: { faults: context.faults.list() } };
    }
    case 'DELETE /_emulator/faults':
      context.faults.clear();
      return { status: 204 };
    case 'GET /_emulator/webhooks':
      return ok({
        modes: context.webhooks.getModes(),
        held: context.webhooks.heldCount(),
        attempts: context.webhooks.attempts(),
      });
    case 'POST /_emulator/webhooks/modes':
      return ok(context.webhooks.setModes(parseJson(modesBody, request.body)));
    case 'POST /_emulator/webhooks/release': {
      const { order } = parseJson(releaseBody, request.body);
      return ok({ released: context.webhooks.release(order) });
    }
    case 'POST /_emulator/webhooks/endpoints':
      return {
        status: 201,
        body: context.addWebhookEndpoint(parseJson(endpointBody, request.body)),
      };
    default:
      throw stripeErrors.noRoute(method, path);
  }
}

const ok = (body: unknown): ControlResponse => ({ status: 200, body });

function parseJson<S extends z.ZodType>(schema: S, text: string): z.output<S> {
  let json: unknown;
  try {
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw stripeErrors.invalid('The body is not JSON.', { param: 'body' });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? issue.path.map(String) : [];
  if (issue?.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const field = path.join('.') || 'body';
  throw stripeErrors.invalid(`${field}: ${issue?.message ?? 'is invalid'}`, { param: field });
}
