import { randomUUID } from 'node:crypto';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { isLedgerError } from '../../../src/ledger';
import { signWebhookPayload } from '../../../local/stripe-emulator';
import { startLocalStack, type LocalStack } from '../../../local/stack/local-stack';
import { FINAL_STATES, type OrderStatus } from '../../../workflows/order-types';

export const CHECKOUT_KEY = 'test-checkout';
export const OPS_KEY = 'test-ops';
export const READ_KEY = 'test-read';
/** The ops key's name: ops decisions are recorded under it. */
export const OPS_KEY_NAME = 'ops-team';
/** Keys of every tenant, in the NAME:ROLE:TENANTS:KEY form of API_KEYS. */
export const STACK_API_KEYS = [
  `shop:checkout:*:${CHECKOUT_KEY}`,
  `${OPS_KEY_NAME}:ops:*:${OPS_KEY}`,
  `reports:read:*:${READ_KEY}`,
].join(',');

/**
 * The real product for one test file: the shared dev server, a task queue of its own,
 * the worker, the HTTP API, an in-memory PGlite ledger, the Stripe emulator and the
 * provisioning simulators. Retries and deadlines are short so failures surface in seconds.
 */
export async function startOrderStack(
  env: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<OrderStack> {
  const stack = await startLocalStack({
    ephemeralPorts: true,
    worker: options.worker,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: `orders-${randomUUID()}`,
      PGLITE_DATA_DIR: 'memory://',
      LOG_LEVEL: 'silent',
      API_KEYS: STACK_API_KEYS,
      ORDER_STEP_ATTEMPTS: '2',
      ORDER_STEP_INITIAL_INTERVAL_MS: '100',
      ORDER_STEP_TIMEOUT_MS: '5000',
      ORDER_AUTHENTICATION_TIMEOUT_MS: '60000',
      ORDER_ATTENTION_DEADLINE_MS: '600000',
      ...env,
    },
  });
  return Object.assign(stack, { http: httpClient(stack.api.url) });
}

export type OrderStack = LocalStack & { http: ReturnType<typeof httpClient> };

export interface HttpResponse<T = unknown> {
  status: number;
  body: T;
}

/** One JSON request to the API at `baseUrl` with a bearer key, and its JSON answer. */
export async function callApi<T>(
  baseUrl: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<HttpResponse<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

function httpClient(baseUrl: string) {
  const call = <T>(method: string, path: string, key: string, body?: unknown) =>
    callApi<T>(baseUrl, method, path, key, body);
  return {
    call,
    placeOrder: <T = Record<string, unknown>>(order: unknown) =>
      call<T>('POST', '/v1/orders', CHECKOUT_KEY, order),
    // As ops read it: with the error text other keys do not see.
    order: (orderId: string) => call<OrderStatus>('GET', `/v1/orders/${orderId}`, OPS_KEY),
    ops: (action: 'retry' | 'abort', orderId: string) =>
      call<OrderStatus>('POST', `/v1/ops/orders/${orderId}/${action}`, OPS_KEY, {
        by: 'ops@example.com',
        reason: `test ${action}`,
      }),
    attention: () => call<{ orders: OrderStatus[] }>('GET', '/v1/ops/orders', OPS_KEY),
  };
}

/** Polls the order until `done` holds (workflows run asynchronously to the API). */
export async function waitForOrder(
  stack: OrderStack,
  orderId: string,
  done: (status: OrderStatus) => boolean,
  timeoutMs = 30_000,
): Promise<OrderStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await stack.http.order(orderId);
    if (status === 200 && done(body)) return body;
    if (Date.now() > deadline) {
      throw new Error(`order ${orderId} did not reach the expected state: ${JSON.stringify(body)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Lists workflow executions matching a visibility query until `done` holds of them:
 * search attributes reach Temporal's visibility store a moment after the workflow sets them.
 */
export async function waitForVisibility(
  stack: OrderStack,
  query: string,
  done: (executions: WorkflowExecutionInfo[]) => boolean,
  timeoutMs = 15_000,
): Promise<WorkflowExecutionInfo[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const executions: WorkflowExecutionInfo[] = [];
    for await (const execution of stack.client.workflow.list({ query })) {
      executions.push(execution);
    }
    if (done(executions)) return executions;
    if (Date.now() > deadline) {
      const seen = executions.map((e) => `${e.workflowId}:${e.status.name}`).join(', ');
      throw new Error(`visibility query ${query} did not list what was expected: [${seen}]`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Every feature and flag the tenant holds, as `subject:feature`; none for an unknown tenant. */
export async function heldLicenses(stack: OrderStack, tenantId: string): Promise<string[]> {
  const entitlements = await stack.services.ledger
    .tenantEntitlements(tenantId)
    .catch((error: unknown) => {
      if (isLedgerError(error) && error.code === 'LEDGER.TENANT_NOT_FOUND') return undefined;
      throw error;
    });
  if (!entitlements) return [];
  return [
    ...entitlements.tenantFlags.map((f) => `tenant:${f.feature}`),
    ...entitlements.users.flatMap((u) => u.features.map((f) => `${u.userId}:${f.feature}`)),
  ].sort();
}

/** Posts `event` to the stack's webhook endpoint, signed as Stripe signs it. */
export async function postSignedWebhook<T = unknown>(
  stack: LocalStack,
  event: unknown,
): Promise<HttpResponse<T>> {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  const response = await fetch(`${stack.api.url}/v1/webhooks/stripe`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signWebhookPayload(payload, stack.config.STRIPE_WEBHOOK_SECRET!),
    },
    body: payload,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export const isFinal = (status: OrderStatus) => FINAL_STATES.includes(status.state);

let sequence = 0;
/** Ids unique across runs against the same dev server and database. */
export function uniqueId(prefix: string): string {
  sequence += 1;
  return `${prefix}-${randomUUID().slice(0, 8)}-${sequence}`;
}

export function planOrder(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'plan',
    orderId: uniqueId('order'),
    tenantId: uniqueId('tenant'),
    plan: 'sales-essentials',
    seats: 2,
    period: 'month',
    assignTo: ['alice'],
    customer: { email: 'billing@example.com' },
    paymentMethod: 'pm_card_visa',
    ...overrides,
  };
}

export function addonOrder(addon: string, overrides: Record<string, unknown> = {}) {
  const settings =
    addon === 'calendar-sync'
      ? { settings: { provider: 'm365', settings: { tenantDomain: 'contoso.com' } } }
      : {};
  return {
    kind: 'addon',
    orderId: uniqueId('order'),
    tenantId: uniqueId('tenant'),
    addon,
    period: 'year',
    customer: { email: 'billing@example.com' },
    paymentMethod: 'pm_card_visa',
    ...settings,
    ...overrides,
  };
}
