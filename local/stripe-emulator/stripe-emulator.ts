import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { z } from 'zod';
import { createStripeClient } from '../../src/payments/stripe-client';
import { findRoute, type ApiRoute, type ApiResponse } from './api-route';
import { CONTROL_PREFIX, handleControlRequest } from './control-routes';
import { customerRoutes } from './customer-routes';
import type { EmulatedPaymentIntent } from './emulated-objects';
import { EmulatorState, type RequestContext } from './emulator-state';
import type { EmulatorStats } from './emulator-stats';
import { eventRoutes } from './event-routes';
import { FaultInjector, type FaultDecision } from './fault-rules';
import { FormSyntaxError, parseFormParams, type FormParams } from './form-params';
import { readBody } from '../read-body';
import { writeJson } from './http-io';
import { IdempotencyStore, requestFingerprint, type StoredResponse } from './idempotency-store';
import { newId } from './ids';
import { authenticateIntent } from './payment-intent-rules';
import { paymentIntentRoutes } from './payment-intent-routes';
import { paymentMethodRoutes } from './payment-method-routes';
import { refundRoutes } from './refund-routes';
import { EmulatedStripeError, stripeErrors } from './stripe-error';
import {
  WebhookDispatcher,
  webhookRetrySchema,
  type DeliveryAttempt,
  type WebhookModes,
} from './webhook-dispatcher';
import { registerWebhookEndpoint, type WebhookEndpointSpec } from './webhook-endpoints';

export const stripeEmulatorOptionsSchema = z.strictObject({
  /** 0 (the default) lets the system pick a free port, so tests run side by side. */
  port: z.int().min(0).max(65_535).default(0),
  secretKey: z
    .string()
    .regex(/^sk_test_[A-Za-z0-9_]+$/, 'must be a test secret key (sk_test_…)')
    .default('sk_test_provisioner_emulator'),
  /** Endpoints that receive events from the start; more can be created over the API. */
  webhooks: z
    .array(
      z.strictObject({
        url: z.url({ protocol: /^https?$/ }),
        secret: z.string().startsWith('whsec_', 'must start with "whsec_"'),
        enabledEvents: z.array(z.string().min(1)).min(1).optional(),
      }),
    )
    .default([]),
  webhookRetry: webhookRetrySchema.optional(),
});
export type StripeEmulatorOptions = z.input<typeof stripeEmulatorOptionsSchema>;

export interface WebhookControls {
  addEndpoint(spec: WebhookEndpointSpec): { id: string; secret: string };
  setModes(modes: Partial<WebhookModes>): WebhookModes;
  /** Sends what was held: `reverse` delivers it newest first (out of order). */
  release(order?: 'sent' | 'reverse'): number;
  heldCount(): number;
  attempts(): DeliveryAttempt[];
  /** Resolves when every delivery not held has succeeded or run out of attempts. */
  idle(): Promise<void>;
}

export interface StripeEmulator {
  /** e.g. http://127.0.0.1:41234, for `createStripeClient({ baseUrl })` or STRIPE_API_BASE. */
  url: string;
  port: number;
  secretKey: string;
  /** A `stripe` SDK client pointed at the emulator, configured as production's is. */
  createClient(): Stripe;
  faults: FaultInjector;
  stats: EmulatorStats;
  webhooks: WebhookControls;
  /** Plays the customer at the 3-D Secure prompt. */
  authenticate(paymentIntentId: string, outcome: 'succeed' | 'fail'): EmulatedPaymentIntent;
  close(): Promise<void>;
}

/** A stateful Stripe API on 127.0.0.1 that the real `stripe` SDK talks to. */
export async function startStripeEmulator(
  options: StripeEmulatorOptions = {},
): Promise<StripeEmulator> {
  const parsed = stripeEmulatorOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(
      `invalid Stripe emulator options: ${issue?.path.join('.') || 'options'}: ${issue?.message ?? ''}`,
    );
  }
  const { port, secretKey, webhooks, webhookRetry } = parsed.data;
  const dispatcher = new WebhookDispatcher(webhookRetry ?? {}, (attempt) => {
    state.stats.count(attempt.delivered ? 'webhookDeliveries' : 'webhookFailures');
  });
  const state: EmulatorState = new EmulatorState((event) =>
    dispatcher.dispatch(event, state.endpointsFor(event.type)),
  );
  for (const webhook of webhooks) registerWebhookEndpoint(state, webhook);
  const routes: ApiRoute[] = [
    ...customerRoutes(state),
    ...paymentMethodRoutes(state),
    ...paymentIntentRoutes(state),
    ...refundRoutes(state),
    ...eventRoutes(state),
  ];
  const faults = new FaultInjector();
  const idempotency = new IdempotencyStore();
  const timers = new Set<() => void>();

  const authenticate = (paymentIntentId: string, outcome: 'succeed' | 'fail') => {
    const intent = state.paymentIntents.get(paymentIntentId);
    if (!intent) throw stripeErrors.noSuch('payment_intent', paymentIntentId);
    authenticateIntent(state, intent, outcome);
    return structuredClone(intent);
  };
  const addEndpoint = (spec: WebhookEndpointSpec) => {
    const { endpoint, secret } = registerWebhookEndpoint(state, spec);
    return { id: endpoint.id, secret };
  };

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        timers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timers.add(done);
    });

  const handleApi = async (
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    url: URL,
    body: string,
  ): Promise<void> => {
    state.stats.count('requests');
    const requestId = newId('req', 14);
    const stripeVersion = header(request, 'stripe-version');
    const idempotencyKey = method === 'POST' ? header(request, 'idempotency-key') : undefined;
    const baseHeaders: Record<string, string> = {
      'request-id': requestId,
      ...(stripeVersion ? { 'stripe-version': stripeVersion } : {}),
      ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    };
    const send = (answer: StoredResponse, extra: Record<string, string> = {}) =>
      writeJson(response, answer.status, answer.body, { ...baseHeaders, ...extra });
    const sendError = (error: EmulatedStripeError) => send(errorResponse(error));

    if (!authorized(request, secretKey))
      return sendError(stripeErrors.invalidApiKey(presentedKey(request)));

    const fault: FaultDecision = faults.decide(method, url.pathname);
    const outcome = fault.outcome;
    if (outcome) state.stats.count('injectedFaults');
    if (outcome?.type === 'drop-before-write') return void request.socket.destroy();
    if (outcome?.type === 'error-before-write') return send(injectedError(outcome.status));
    if (outcome?.type === 'rate-limit') return sendError(stripeErrors.rateLimited());

    let params: FormParams;
    try {
      params = parseFormParams(method === 'GET' ? url.search.slice(1) : body);
    } catch (error: unknown) {
      if (error instanceof FormSyntaxError) {
        return sendError(stripeErrors.invalid(error.message, { param: error.param }));
      }
      throw error;
    }
    const found = findRoute(routes, method, url.pathname);
    if (!found) return sendError(stripeErrors.noRoute(method, url.pathname));

    if (idempotencyKey !== undefined) {
      const lookup = idempotency.begin(
        idempotencyKey,
        requestFingerprint(method, url.pathname, params),
      );
      if (lookup.kind === 'in_flight') return sendError(stripeErrors.idempotencyInFlight());
      if (lookup.kind === 'mismatch')
        return sendError(stripeErrors.idempotencyMismatch(idempotencyKey));
      if (lookup.kind === 'replay') {
        state.stats.count('replays');
        return finish(lookup.response, { 'idempotent-replayed': 'true' });
      }
    }
    if (fault.delayMs > 0) await delay(fault.delayMs);

    const context: RequestContext = { requestId, idempotencyKey: idempotencyKey ?? null };
    let answer: StoredResponse;
    try {
      answer = serialize(found.route.handle({ params, context, args: found.args }));
    } catch (error: unknown) {
      if (!(error instanceof EmulatedStripeError)) {
        if (idempotencyKey !== undefined) idempotency.abandon(idempotencyKey);
        throw error;
      }
      answer = errorResponse(error);
    }
    if (idempotencyKey !== undefined) idempotency.complete(idempotencyKey, answer);
    return finish(answer);

    function finish(stored: StoredResponse, extra: Record<string, string> = {}): void {
      if (outcome?.type === 'drop-after-write') return void request.socket.destroy();
      if (outcome?.type === 'error-after-write') return send(injectedError(outcome.status));
      send(stored, extra);
    }
  };

  const server = createServer((request, response) => {
    void (async () => {
      const method = request.method ?? 'GET';
      const url = new URL(request.url ?? '/', 'http://emulator');
      const body = await readBody(request);
      if (body === undefined) {
        return writeJson(
          response,
          413,
          JSON.stringify(errorBody(stripeErrors.invalid('Request too large.'))),
        );
      }
      if (url.pathname.startsWith(CONTROL_PREFIX)) {
        const answer = handleControlRequest(
          {
            faults,
            stats: state.stats,
            webhooks: dispatcher,
            authenticate,
            addWebhookEndpoint: addEndpoint,
          },
          { method, path: url.pathname, body },
        );
        if (answer.body === undefined) return void response.writeHead(answer.status).end();
        return writeJson(response, answer.status, JSON.stringify(answer.body, null, 2));
      }
      await handleApi(request, response, method, url, body);
    })().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (response.headersSent) return;
      writeJson(
        response,
        500,
        JSON.stringify({ error: { type: 'api_error', message: `emulator failure: ${message}` } }),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const boundPort = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${boundPort}`;

  return {
    url,
    port: boundPort,
    secretKey,
    createClient: () => createStripeClient({ secretKey, baseUrl: url }),
    faults,
    stats: state.stats,
    webhooks: {
      addEndpoint,
      setModes: (modes) => dispatcher.setModes(modes),
      release: (order) => dispatcher.release(order),
      heldCount: () => dispatcher.heldCount(),
      attempts: () => dispatcher.attempts(),
      idle: () => dispatcher.idle(),
    },
    authenticate,
    close: async () => {
      dispatcher.close();
      // Delayed requests are let go into sockets that are about to close, so no timer
      // outlives the emulator.
      for (const release of [...timers]) release();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function serialize(response: ApiResponse): StoredResponse {
  return { status: response.status, body: JSON.stringify(response.body, null, 2) };
}

function errorBody(error: EmulatedStripeError): { error: unknown } {
  return { error: error.body };
}

function errorResponse(error: EmulatedStripeError): StoredResponse {
  return { status: error.status, body: JSON.stringify(errorBody(error), null, 2) };
}

function injectedError(status: number): StoredResponse {
  return errorResponse(
    new EmulatedStripeError(status, {
      ...stripeErrors.internal().body,
      message: 'Injected fault.',
    }),
  );
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The key from `Authorization: Bearer sk_…` or Basic `sk_…:` (curl -u), as Stripe accepts. */
function presentedKey(request: IncomingMessage): string | undefined {
  const authorization = header(request, 'authorization') ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(authorization);
  if (basic?.[1]) return Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0];
  return undefined;
}

function authorized(request: IncomingMessage, secretKey: string): boolean {
  return presentedKey(request) === secretKey;
}
