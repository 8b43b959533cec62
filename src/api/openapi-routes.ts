import {
  grantHistoryEntrySchema,
  planSeatUsageSchema,
  tenantEntitlementsSchema,
  userEntitlementsSchema,
} from '../ledger';
import { codecBody } from './routes/codec';
import { decisionBody } from './routes/ops';
import { READ_ACCESS, type RouteAccess } from './auth';
import { jsonSchemaOf, purchaseRequestSchema, type JsonSchema } from './openapi-schemas';
import { idParam } from '../domain/ids';
import { orderListQuery } from '../orders/order-list';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export type Response =
  | { description: string; headers?: Record<string, { schema: JsonSchema }>; content?: JsonContent }
  | { $ref: string };
export type JsonContent = { 'application/json': { schema: JsonSchema } };

/** One route as the document describes it; a test holds this list to fastify's routes. */
export interface RouteDoc {
  method: 'get' | 'post' | 'options';
  /** As fastify registers it: each `:name` is a path parameter, an id. */
  path: string;
  access: RouteAccess;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  query?: Parameter[];
  headers?: Parameter[];
  body?: { schema: JsonSchema };
  responses: Record<string, Response>;
}

export const json = (schema: JsonSchema): JsonContent => ({ 'application/json': { schema } });
export const answer = (description: string, schema: JsonSchema): Response => ({
  description,
  content: json(schema),
});
export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const error = (name: string): Response => ({ $ref: `#/components/responses/${name}` });

/** Error answers the routes share, under `#/components/responses`. */
export const errorResponses: Record<string, Response> = {
  BadRequest: {
    description: 'Invalid input; `fields` names each failing field.',
    content: json(ref('Error')),
  },
  Unauthorized: {
    description: 'No API key, or an unknown one.',
    headers: { 'WWW-Authenticate': { schema: { type: 'string', const: 'Bearer' } } },
    content: json(ref('Error')),
  },
  Forbidden: {
    description: "The API key's role may not call this route.",
    content: json(ref('Error')),
  },
  NotFound: {
    description: 'The tenant, order, subscription or change does not exist.',
    content: json(ref('Error')),
  },
  Conflict: {
    description: "The request conflicts with the order's or the subscription's state.",
    content: json(ref('Error')),
  },
};

const tenantErrors = { '400': error('BadRequest'), '404': error('NotFound') };

function opsDecision(action: 'retry' | 'abort', summary: string): RouteDoc {
  return {
    method: 'post',
    path: `/v1/ops/orders/:orderId/${action}`,
    access: ['ops'],
    operationId: `${action}Order`,
    tag: 'ops',
    summary,
    description: 'Only for an order that needs attention; any other state answers 409.',
    body: { schema: jsonSchemaOf(decisionBody, 'input') },
    responses: {
      '200': answer('The order after the decision.', ref('OrderStatus')),
      '202': answer(
        'Sent; not applied within CHECKOUT_ANSWER_TIMEOUT_MS (the order as it is now).',
        ref('OrderStatus'),
      ),
      '400': error('BadRequest'),
      '404': error('NotFound'),
      '409': error('Conflict'),
    },
  };
}

const payloads: JsonSchema = {
  type: 'object',
  properties: {
    payloads: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          metadata: {
            type: 'object',
            additionalProperties: { type: 'string', contentEncoding: 'base64' },
          },
          data: { type: 'string', contentEncoding: 'base64' },
        },
      },
    },
  },
  required: ['payloads'],
};

function codecRoutes(action: 'encode' | 'decode'): RouteDoc[] {
  const path = `/codec/${action}`;
  return [
    {
      method: 'post',
      path,
      access: ['ops'],
      operationId: `codec${action === 'encode' ? 'Encode' : 'Decode'}`,
      tag: 'codec',
      summary: `${action === 'encode' ? 'Encrypt' : 'Decrypt'} Temporal payloads (codec server)`,
      description:
        "Temporal's codec-server protocol, for the Temporal UI and CLI. Needs an ops key of " +
        'every tenant (`*`). CORS allows the origin of `TEMPORAL_UI_ORIGIN`.',
      headers: [{ name: 'x-namespace', in: 'header', required: false, schema: { type: 'string' } }],
      body: { schema: jsonSchemaOf(codecBody, 'input') },
      responses: {
        '200': answer('The payloads, in the same order.', payloads),
        '400': error('BadRequest'),
      },
    },
    {
      method: 'options',
      path,
      access: 'public',
      operationId: `codec${action === 'encode' ? 'Encode' : 'Decode'}Preflight`,
      tag: 'codec',
      summary: 'CORS preflight of the Temporal UI',
      responses: { '204': { description: 'What the UI may send.' } },
    },
  ];
}

function workflowDecision(action: 'retry' | 'abort', summary: string): RouteDoc {
  return {
    method: 'post',
    path: `/v1/ops/workflows/:workflowId/${action}`,
    access: ['ops'],
    operationId: `${action}Workflow`,
    tag: 'ops',
    summary,
    description:
      'By the workflowId that GET /v1/ops/orders lists (an order or a renewal); only while it needs attention, else 409.',
    body: { schema: jsonSchemaOf(decisionBody, 'input') },
    responses: {
      '200': answer('Its status after the decision.', { type: 'object' }),
      '400': error('BadRequest'),
      '409': error('Conflict'),
    },
  };
}

/** Every route the API can serve, whichever of them a deployment registers. */
export const ROUTES: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/healthz',
    access: 'public',
    operationId: 'health',
    tag: 'health',
    summary: 'Liveness and readiness',
    responses: {
      '200': answer('The ledger answers.', {
        type: 'object',
        properties: { status: { const: 'ok' } },
      }),
      '503': answer('The ledger is unreachable.', {
        type: 'object',
        properties: { status: { const: 'unavailable' } },
      }),
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    access: 'public',
    operationId: 'openApiDocument',
    tag: 'health',
    summary: 'This document',
    responses: { '200': answer('The OpenAPI 3.1 document of the API.', { type: 'object' }) },
  },
  {
    method: 'get',
    path: '/metrics',
    access: 'public',
    operationId: 'metrics',
    tag: 'health',
    summary: "The API process's Prometheus metrics",
    responses: {
      '200': {
        description:
          'Prometheus text format: HTTP requests by route, method and status class, and process metrics.',
      },
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/:tenantId/entitlements',
    access: READ_ACCESS,
    operationId: 'getTenantEntitlements',
    tag: 'entitlements',
    summary: "Tenant flags and every user's features, with their sources",
    responses: {
      '200': answer("The tenant's entitlements.", jsonSchemaOf(tenantEntitlementsSchema, 'output')),
      ...tenantErrors,
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/:tenantId/users/:userId/entitlements',
    access: READ_ACCESS,
    operationId: 'getUserEntitlements',
    tag: 'entitlements',
    summary: "A user's plans and features and the tenant flags, with their sources",
    responses: {
      '200': answer("The user's entitlements.", jsonSchemaOf(userEntitlementsSchema, 'output')),
      ...tenantErrors,
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/:tenantId/seats',
    access: READ_ACCESS,
    operationId: 'getSeats',
    tag: 'seats',
    summary: 'Seats per plan: bought, assigned, free',
    responses: {
      '200': answer('Seat usage per plan.', {
        type: 'object',
        properties: {
          tenantId: { type: 'string' },
          plans: { type: 'array', items: jsonSchemaOf(planSeatUsageSchema, 'output') },
        },
        required: ['tenantId', 'plans'],
      }),
      ...tenantErrors,
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/:tenantId/audit',
    access: READ_ACCESS,
    operationId: 'getAudit',
    tag: 'audit',
    summary: 'Grants and revocations with the orders that caused them, by pages',
    query: [
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      },
      {
        name: 'after',
        in: 'query',
        required: false,
        description: 'The `nextCursor` of the previous page.',
        schema: { type: 'string', pattern: '^[0-9]{1,18}$' },
      },
    ],
    responses: {
      '200': answer('One page of the audit trail.', {
        type: 'object',
        properties: {
          tenantId: { type: 'string' },
          entries: { type: 'array', items: jsonSchemaOf(grantHistoryEntrySchema, 'output') },
          nextCursor: { type: ['string', 'null'], description: 'Null on the last page.' },
        },
        required: ['tenantId', 'entries', 'nextCursor'],
      }),
      ...tenantErrors,
    },
  },
  {
    method: 'post',
    path: '/v1/orders',
    access: ['checkout', 'ops'],
    operationId: 'placeOrder',
    tag: 'orders',
    summary: 'Place an order (idempotent by its order id)',
    description:
      'Answers once the payment is authorized, needs the customer (3-D Secure: the ' +
      'client secret is in the answer), or was declined. The same order sent again, ' +
      'even at once and after any time, is the same order, answered as it is now.',
    body: { schema: purchaseRequestSchema },
    responses: {
      '201': answer('Authorized, or awaiting 3-D Secure (`clientSecret`).', ref('CheckoutResult')),
      '202': answer(
        'Accepted; no outcome within CHECKOUT_ANSWER_TIMEOUT_MS (the order as it is now).',
        ref('CheckoutResult'),
      ),
      '400': error('BadRequest'),
      '402': answer('The payment was declined (`declineReason`).', ref('CheckoutResult')),
      '409': answer(
        'The order id was used before with another request (the differing fields are named), or a user already holds the plan.',
        ref('Error'),
      ),
    },
  },
  {
    method: 'get',
    path: '/v1/orders/:orderId',
    access: READ_ACCESS,
    operationId: 'getOrder',
    tag: 'orders',
    summary: 'Where an order stands',
    responses: {
      '200': answer('The order.', ref('OrderStatus')),
      '400': error('BadRequest'),
      '404': error('NotFound'),
    },
  },
  {
    method: 'get',
    path: '/v1/ops/orders',
    access: ['ops'],
    operationId: 'listOrders',
    tag: 'ops',
    summary: 'Orders that need attention, or in a given state, by pages',
    description: "Only the tenants of the caller's key.",
    query: [
      { name: 'tenantId', in: 'query', required: false, schema: jsonSchemaOf(idParam, 'input') },
      {
        name: 'state',
        in: 'query',
        required: false,
        description: 'An order state; without it, the orders that need attention.',
        schema: jsonSchemaOf(orderListQuery.shape.state, 'input'),
      },
      {
        name: 'pageSize',
        in: 'query',
        required: false,
        description: 'Orders per page, 1-500 (default 100).',
        schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
      },
      {
        name: 'nextPageToken',
        in: 'query',
        required: false,
        description: 'The `nextPageToken` of the previous page.',
        schema: jsonSchemaOf(orderListQuery.shape.nextPageToken, 'input'),
      },
    ],
    responses: {
      '200': answer('One page of orders; `nextPageToken` when more match.', {
        type: 'object',
        properties: {
          orders: { type: 'array', items: ref('OrderSummary') },
          nextPageToken: { type: 'string' },
        },
        required: ['orders'],
      }),
      '400': error('BadRequest'),
    },
  },
  opsDecision('retry', 'Retry the step an order is stuck on'),
  opsDecision('abort', 'Abort an order: compensate what it did'),
  workflowDecision('retry', 'Retry the step an order or a renewal is stuck on'),
  workflowDecision('abort', 'Abort an order or a renewal: compensate, end an unpaid renewal'),
  {
    method: 'post',
    path: '/v1/webhooks/stripe',
    access: 'public',
    operationId: 'stripeWebhook',
    tag: 'webhooks',
    summary: "Stripe's webhook endpoint",
    description:
      'Authenticated by the Stripe-Signature over the raw body, not by an API key. ' +
      "PaymentIntent events go to their order by the intent's `metadata.order_id`.",
    headers: [
      { name: 'stripe-signature', in: 'header', required: true, schema: { type: 'string' } },
    ],
    body: {
      schema: {
        type: 'object',
        description: 'A Stripe event.',
        properties: { id: { type: 'string' }, type: { type: 'string' }, data: { type: 'object' } },
        required: ['id', 'type', 'data'],
      },
    },
    responses: {
      '200': answer('Received; `routed` says whether an order took it.', {
        type: 'object',
        properties: { received: { const: true }, routed: { type: 'boolean' } },
        required: ['received', 'routed'],
      }),
      '400': answer('The signature does not match the body.', ref('Error')),
    },
  },
  ...codecRoutes('encode'),
  ...codecRoutes('decode'),
];
