import { getCatalog } from '../catalog';
import { subscriptionChangeSchema } from '../ledger';
import { changeRequestSchemas } from '../subscriptions/change-requests';
import { subscriptionViewSchema } from '../subscriptions/subscription-view';
import {
  CHANGE_KINDS,
  CHANGE_STEPS,
  type ChangeState,
} from '../../workflows/subscription-change-contract';
import { READ_ACCESS } from './auth';
import { answer, error, ref, type RouteDoc } from './openapi-routes';
import { jsonSchemaOf, type JsonSchema } from './openapi-schemas';
import { decisionBody } from './routes/ops';
import { idParam } from '../domain/ids';

/**
 * The subscription routes' part of the OpenAPI document: each change request as a named
 * schema (the body is a union of them by `kind`), the subscription as it is read, and a
 * change's status.
 */
const CHANGE_STATES = [
  'received',
  'authorizing',
  'applying',
  'capturing',
  'scheduling',
  'refunding',
  'recording',
  'needs-attention',
  'compensating',
  'applied',
  'scheduled',
  'declined',
  'compensated',
  'withdrawn',
] as const satisfies readonly ChangeState[];
// Fails to compile when the workflow gains a state the document does not list.
type UnlistedState = Exclude<ChangeState, (typeof CHANGE_STATES)[number]>;
const everyStateListed: [UnlistedState] extends [never] ? true : false = true;
void everyStateListed;

const REQUESTS = {
  UpgradeRequest: changeRequestSchemas.upgrade,
  DowngradeRequest: changeRequestSchemas.downgrade,
  CancelRequest: changeRequestSchemas.cancel,
  SeatsRequest: changeRequestSchemas.seats,
  PaymentMethodRequest: changeRequestSchemas.paymentMethod,
  WithdrawRequest: changeRequestSchemas.withdraw,
} as const;

const DESCRIPTIONS: Record<keyof typeof REQUESTS, string> = {
  UpgradeRequest:
    'Now: a higher tier of the same solution, more seats, or month → year. The prorated ' +
    'difference is charged once (saved or named payment method); the features count at once; ' +
    'the period start stays (a month made a year ends a year after its start).',
  DowngradeRequest:
    'At the period end: a lower tier, fewer seats, or year → month, applied by the renewal. ' +
    '`unassign` must name enough users when more are assigned than the new count (else 409).',
  CancelRequest:
    'At the period end by default (the renewal ends it); `immediately: true` ends it now, ' +
    'revokes every license, removes what was provisioned and refunds the unused part.',
  SeatsRequest:
    'Now: seats named users within the seats bought (409 beyond them, or for a user who holds ' +
    'the plan through another subscription) and frees others; the features follow.',
  PaymentMethodRequest:
    'Now: the method renewals charge; a past-due renewal of the current period retries at once.',
  WithdrawRequest: 'Takes back the scheduled downgrade or cancellation `target`.',
};

function requestSchemas(): Record<string, JsonSchema> {
  const plans = getCatalog().plans.map((p) => p.key);
  return Object.fromEntries(
    Object.entries(REQUESTS).map(([name, schema]) => {
      const json = jsonSchemaOf(schema, 'input');
      const plan = json.properties?.plan;
      if (typeof plan === 'object') plan.enum = plans;
      json.description = DESCRIPTIONS[name as keyof typeof REQUESTS];
      return [name, json];
    }),
  );
}

/** POST …/changes: one of the change requests, by `kind`. */
export const changeRequestBody: JsonSchema = {
  oneOf: Object.keys(REQUESTS).map((name) => ({ $ref: `#/components/schemas/${name}` })),
  discriminator: {
    propertyName: 'kind',
    mapping: Object.fromEntries(
      Object.entries(REQUESTS).map(([name, schema]) => [
        schema.shape.kind.value,
        `#/components/schemas/${name}`,
      ]),
    ),
  },
};

const changeStatus: JsonSchema = {
  type: 'object',
  description: "Where a change's workflow stands.",
  properties: {
    tenantId: { type: 'string' },
    subscriptionId: { type: 'string' },
    changeId: { type: 'string' },
    kind: { enum: [...CHANGE_KINDS] },
    state: { enum: [...CHANGE_STATES] },
    step: { enum: [...CHANGE_STEPS] },
    stepsDone: { type: 'array', items: { enum: [...CHANGE_STEPS] } },
    compensationsDone: { type: 'array', items: { type: 'string' } },
    amount: {
      $ref: '#/components/schemas/Money',
      description: 'Charged (upgrade) or refunded (immediate cancel).',
    },
    payment: {
      type: 'object',
      properties: {
        paymentIntentId: { type: 'string' },
        captured: { type: 'boolean' },
        refunded: { type: 'boolean' },
      },
      required: ['paymentIntentId', 'captured', 'refunded'],
    },
    declineReason: { type: 'string' },
    renewalSignalled: {
      type: 'boolean',
      description: 'Payment method changes: whether a renewal of the current period took it.',
    },
    error: { $ref: '#/components/schemas/OrderError' },
    attention: { $ref: '#/components/schemas/Attention' },
    decisions: { type: 'array', items: { type: 'object' } },
  },
  required: [
    'tenantId',
    'subscriptionId',
    'changeId',
    'kind',
    'state',
    'stepsDone',
    'compensationsDone',
    'decisions',
  ],
};

export const subscriptionComponentSchemas: Record<string, JsonSchema> = {
  ...requestSchemas(),
  Subscription: jsonSchemaOf(subscriptionViewSchema, 'output'),
  SubscriptionChange: jsonSchemaOf(subscriptionChangeSchema, 'output'),
  ChangeStatus: changeStatus,
};

const subscriptionErrors = { '400': error('BadRequest'), '404': error('NotFound') };

function opsChangeDecision(action: 'retry' | 'abort', summary: string): RouteDoc {
  return {
    method: 'post',
    path: `/v1/ops/subscriptions/:subscriptionId/changes/:changeId/${action}`,
    access: ['ops'],
    operationId: `${action}SubscriptionChange`,
    tag: 'ops',
    summary,
    description: 'Only for a change that needs attention; any other state answers 409.',
    body: { schema: jsonSchemaOf(decisionBody, 'input') },
    responses: {
      '200': answer('The change after the decision.', ref('ChangeStatus')),
      ...subscriptionErrors,
      '409': error('Conflict'),
    },
  };
}

/** The subscription routes, as the document describes them. */
export const SUBSCRIPTION_ROUTES: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/tenants/:tenantId/subscriptions',
    access: READ_ACCESS,
    operationId: 'listSubscriptions',
    tag: 'subscriptions',
    summary: "A tenant's subscriptions",
    responses: {
      '200': answer('Every subscription of the tenant, oldest first.', {
        type: 'object',
        properties: {
          tenantId: { type: 'string' },
          subscriptions: { type: 'array', items: ref('Subscription') },
        },
        required: ['tenantId', 'subscriptions'],
      }),
      ...subscriptionErrors,
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/:tenantId/subscriptions/:subscriptionId',
    access: READ_ACCESS,
    operationId: 'getSubscription',
    tag: 'subscriptions',
    summary: 'A subscription: status, period, seats, assigned users, pending change',
    responses: { '200': answer('The subscription.', ref('Subscription')), ...subscriptionErrors },
  },
  {
    method: 'post',
    path: '/v1/tenants/:tenantId/subscriptions/:subscriptionId/changes',
    access: ['checkout', 'ops'],
    operationId: 'changeSubscription',
    tag: 'subscriptions',
    summary: 'Change a subscription (idempotent by its change id)',
    description:
      'Upgrade (now, prorated), downgrade or cancel (at the period end, or cancel now with ' +
      'a refund of the unused part), assign seats, update the payment method, or withdraw a ' +
      'scheduled change. The same change id with the same request is the same change, even ' +
      'sent at once; with another request, a 409 naming the fields that differ. Answers once ' +
      'the change is applied, scheduled, declined or undone, or waits for ops (202).',
    body: { schema: changeRequestBody },
    responses: {
      '200': answer('Applied, scheduled for the period end, or undone.', ref('ChangeStatus')),
      '202': answer('A step keeps failing: the change waits for ops.', ref('ChangeStatus')),
      ...subscriptionErrors,
      '402': answer('The payment was declined (`declineReason`).', ref('ChangeStatus')),
      '409': answer(
        'The change id was used for another request, the subscription cannot take the change ' +
          '(ended, a change already scheduled), seats beyond those bought, or users to unassign ' +
          'are missing.',
        ref('Error'),
      ),
    },
  },
  {
    method: 'get',
    path: '/v1/tenants/:tenantId/subscriptions/:subscriptionId/changes/:changeId',
    access: READ_ACCESS,
    operationId: 'getSubscriptionChange',
    tag: 'subscriptions',
    summary: "A change: the ledger's record and, while Temporal keeps it, its workflow's status",
    responses: {
      '200': answer('The change.', {
        type: 'object',
        properties: { change: ref('SubscriptionChange'), status: ref('ChangeStatus') },
        required: ['change'],
      }),
      ...subscriptionErrors,
    },
  },
  {
    method: 'get',
    path: '/v1/ops/subscription-changes',
    access: ['ops'],
    operationId: 'listSubscriptionChangesNeedingAttention',
    tag: 'ops',
    summary: 'Subscription changes that need attention, with why',
    query: [
      { name: 'tenantId', in: 'query', required: false, schema: jsonSchemaOf(idParam, 'input') },
    ],
    responses: {
      '200': answer('The changes.', {
        type: 'object',
        properties: {
          changes: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                subscriptionId: { type: 'string' },
                changeId: { type: 'string' },
                tenantId: { type: 'string' },
                kind: { enum: [...CHANGE_KINDS] },
                state: { type: 'string' },
                attention: { $ref: '#/components/schemas/Attention' },
                startedAt: { type: 'string', format: 'date-time' },
              },
              required: ['subscriptionId', 'changeId', 'tenantId', 'kind', 'state', 'startedAt'],
            },
          },
        },
        required: ['changes'],
      }),
      '400': error('BadRequest'),
    },
  },
  opsChangeDecision('retry', 'Retry the step a subscription change is stuck on'),
  opsChangeDecision('abort', 'Abort a subscription change: undo what it did'),
];
