/**
 * The API's contract, written once: every order, subscription and ops request and
 * answer as a zod schema. Routes declare them (`schema: { params, querystring, body,
 * response }`), so fastify validates requests and serializes answers with them, and the
 * OpenAPI document is generated from them. Workflows import the inferred types only
 * (`import type`): their input and status cross Temporal as plain JSON.
 *
 * A schema with `meta({ id })` is a named component of the document.
 */
import { z } from 'zod';
import { idParam, subscriptionIdParam, workflowIdParam } from '../domain/ids';
import { purchaseSchema } from '../catalog/purchase';
import {
  grantHistoryEntrySchema,
  planSeatUsageSchema,
  reconcileRunPageSchema,
  reconcileRunSchema,
  subscriptionChangeSchema,
  tenantEntitlementsSchema,
  userEntitlementsSchema,
} from '../ledger';
import { changeIdSchema, changeRequestSchema } from './change-requests';
import { subscriptionViewSchema } from './subscription-view';

// ---------------------------------------------------------------- errors

/** Every refusal: a stable code, a message, and for a 400 each failing field. */
export const apiErrorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ examples: ['INVALID_INPUT', 'LEDGER.TENANT_NOT_FOUND'] }),
      message: z.string(),
      fields: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe('Every failing field of a 400, by its path in the request.'),
    }),
  })
  .meta({ id: 'Error' });
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

/** The error answers routes share, each with what it means. */
export const badRequest = apiErrorSchema.describe(
  'Invalid input: `INVALID_INPUT` naming each failing field in `fields`, or a body that is ' +
    'not JSON (`INVALID_JSON`).',
);
export const notFound = apiErrorSchema.describe(
  'The tenant, order, subscription or change does not exist, or is outside the API key.',
);
export const conflict = apiErrorSchema.describe(
  "The request conflicts with the order's or the subscription's state.",
);

/**
 * The codes of refusals the framework makes before a route runs, in the same shape as
 * every other error.
 */
export const FRAMEWORK_ERROR_CODES = {
  /** A request's params, query or body fails its schema; `fields` names each field. */
  invalidInput: 'INVALID_INPUT',
  /** The body is not JSON, or JSON that would set `__proto__`. */
  invalidJson: 'INVALID_JSON',
  /** A body of another media type than `application/json`. */
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  /** A body above the route's limit. */
  bodyTooLarge: 'BODY_TOO_LARGE',
  /** No such route. */
  notFound: 'NOT_FOUND',
} as const;

// ---------------------------------------------------------------- ids in paths and queries

/** The id parsers are the ids' own (src/domain/ids), part of the contract's paths and queries. */
export { idParam, subscriptionIdParam, workflowIdParam };

export const tenantParams = z.object({ tenantId: idParam });
export const tenantUserParams = z.object({ tenantId: idParam, userId: idParam });
export const orderParams = z.object({ orderId: idParam });
export const workflowParams = z.object({ workflowId: workflowIdParam });
export const subscriptionParams = tenantParams.extend({ subscriptionId: subscriptionIdParam });
export const changeParams = subscriptionParams.extend({ changeId: changeIdSchema });
export const opsChangeParams = z.object({
  subscriptionId: subscriptionIdParam,
  changeId: changeIdSchema,
});

// ---------------------------------------------------------------- orders

/** Every state an order can be in. */
export const orderStateSchema = z
  .enum([
    'received',
    'authorizing',
    'awaiting-authentication',
    'granting',
    'provisioning',
    'capturing',
    'recording',
    'needs-attention',
    'compensating',
    'completed',
    'declined',
    'compensated',
  ])
  .meta({ id: 'OrderState' });
export type OrderState = z.infer<typeof orderStateSchema>;
export const ORDER_STATES = orderStateSchema.options;

/** The steps of an order, in the order it takes them. */
export const stepSchema = z
  .enum(['validate', 'price', 'authorize', 'grant', 'provision', 'capture', 'record'])
  .meta({ id: 'Step' });
export type StepName = z.infer<typeof stepSchema>;
export const STEPS = stepSchema.options;

export const moneySchema = z
  .object({ currency: z.string(), total: z.number().int() })
  .meta({ id: 'Money', description: "In the currency's smallest unit (cents)." });
export type Money = z.infer<typeof moneySchema>;

const purchaseKind = z.enum(['plan', 'addon']);

export const stepErrorSchema = z.object({
  step: z.string(),
  type: z.string().describe('A stable code, such as PROVISIONING.UNAVAILABLE.'),
  message: z.string(),
});
/** What failed in one step of a workflow, as its status and ops show it. */
export type StepError = z.infer<typeof stepErrorSchema>;

export const attentionSchema = z.object({
  phase: z.enum(['forward', 'compensation']),
  step: z.string(),
  error: stepErrorSchema,
  since: z.string().meta({ format: 'date-time' }),
  /** When the order aborts by itself (forward) or retries by itself (compensation). */
  deadline: z.string().meta({ format: 'date-time' }),
});
export type Attention = z.infer<typeof attentionSchema>;

export const opsActionSchema = z.enum(['retry', 'abort']);
export type OpsAction = z.infer<typeof opsActionSchema>;

export const opsDecisionSchema = z.object({
  action: opsActionSchema,
  by: z.string(),
  reason: z.string().optional(),
});
export type OpsDecision = z.infer<typeof opsDecisionSchema>;

export const opsDecisionRecordSchema = opsDecisionSchema.extend({
  at: z.string().meta({ format: 'date-time' }),
  step: z.string(),
});
export type OpsDecisionRecord = z.infer<typeof opsDecisionRecordSchema>;

const paymentSchema = z.object({
  paymentIntentId: z.string(),
  captured: z.boolean(),
  refunded: z.boolean(),
});

/** An order as its workflow reports it. */
export const orderStatusSchema = z.object({
  orderId: z.string(),
  tenantId: z.string(),
  kind: purchaseKind,
  product: z.string(),
  subscriptionId: z.string(),
  catalogVersion: z.number().int(),
  state: orderStateSchema,
  step: stepSchema.optional(),
  stepsDone: z.array(stepSchema),
  compensationsDone: z.array(z.string()),
  amount: moneySchema.optional(),
  payment: paymentSchema.extend({ clientSecret: z.string().optional() }).optional(),
  declineReason: z.string().optional(),
  error: stepErrorSchema.optional(),
  attention: attentionSchema.optional(),
  decisions: z.array(opsDecisionRecordSchema),
});
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** An error as the API shows it: its text is internal, for ops keys only. */
const stepErrorView = stepErrorSchema
  .extend({ message: z.string().optional().describe('Internal text: present for ops keys only.') })
  .meta({ id: 'StepError' });

/**
 * An order as the API answers it: never the 3-D Secure client secret (only checkout's
 * own answer carries it), an error's text for ops only.
 */
export const orderViewSchema = orderStatusSchema
  .extend({
    payment: paymentSchema.optional(),
    error: stepErrorView.optional(),
    attention: attentionSchema
      .extend({ error: stepErrorView })
      .meta({
        id: 'Attention',
        description: 'Why it waits for ops, and when it decides by itself.',
      })
      .optional(),
  })
  .meta({ id: 'OrderStatus' });
export type OrderView = z.infer<typeof orderViewSchema>;

/** What checkout answers once the payment is authorized, needs the customer, or failed. */
export const checkoutResultSchema = z
  .object({
    orderId: z.string(),
    tenantId: z.string(),
    kind: purchaseKind,
    product: z.string(),
    state: orderStateSchema,
    amount: moneySchema.optional(),
    clientSecret: z
      .string()
      .optional()
      .describe('Present when the customer must complete 3-D Secure in the browser.'),
    declineReason: z.string().optional(),
  })
  .meta({ id: 'CheckoutResult' });
export type CheckoutResult = z.infer<typeof checkoutResultSchema>;

/** POST /v1/orders: a plan or an add-on purchase, by `kind`. */
export const placeOrderBody = purchaseSchema;

// ---------------------------------------------------------------- ops

/**
 * An ops decision's body. Who decided is the calling key's name, never a claim of the
 * body: a `by` sent by older clients is ignored. No body is an empty one.
 */
export const decisionBody = z
  .object({ reason: z.string().max(1000).optional().describe("Why, for the order's record.") })
  .default({});

/**
 * What ops may list orders by, for the API's query and the CLI's flags alike. Values go
 * into a visibility query, so each is held to an id or a known state before it gets there.
 */
export const orderListQuery = z.object({
  tenantId: idParam.optional(),
  state: z
    .enum(ORDER_STATES, { error: `must be one of ${ORDER_STATES.join(', ')}` })
    .optional()
    .describe('An order state; without it, the orders that need attention.'),
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(100)
    .describe('Orders per page, 1-500.'),
  nextPageToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,4096}$/, 'must be the nextPageToken of a previous page')
    .optional()
    .describe('The `nextPageToken` of the previous page.'),
});

/** One order (or renewal) as ops list it: where it stands and, when it waits, why. */
export const orderSummarySchema = z
  .object({
    orderId: z.string().describe("A renewal's is its workflow id."),
    workflowId: z
      .string()
      .describe('Decide on it by this id at /v1/ops/workflows/{workflowId}/retry|abort.'),
    tenantId: z.string(),
    kind: z.string().describe('`plan` or `addon` for an order; `renewal`.'),
    state: z.string(),
    attention: attentionSchema.optional(),
    startedAt: z.string().meta({ format: 'date-time' }),
  })
  .meta({ id: 'OrderSummary' });
export type OrderSummary = z.infer<typeof orderSummarySchema>;

export const orderListSchema = z.object({
  orders: z.array(orderSummarySchema),
  nextPageToken: z.string().optional().describe('Present while more orders match.'),
});
export type OrderList = z.infer<typeof orderListSchema>;

/** `GET /v1/ops/reconcile-runs`: the kept reconciliation reports, newest first. */
export const reconcileRunsQuery = z.object({
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .describe('Runs per page, 1-500 (default 50).'),
  nextPageToken: reconcileRunPageSchema.shape.nextPageToken.describe(
    'The `nextPageToken` of the previous page.',
  ),
});

export const reconcileRunListSchema = z.object({
  runs: z.array(reconcileRunSchema),
  nextPageToken: z.string().optional().describe('Present while older runs exist.'),
});

/** What every attended workflow (order, renewal, change) shows after a decision. */
export const attendedStatusSchema = z
  .looseObject({
    state: z.string(),
    step: z.string().optional(),
    stepsDone: z.array(z.string()),
    compensationsDone: z.array(z.string()),
    attention: attentionSchema.optional(),
    decisions: z.array(opsDecisionRecordSchema),
  })
  .meta({ id: 'AttendedStatus' });

// ---------------------------------------------------------------- subscriptions

export const changeKindSchema = z.enum([
  'upgrade',
  'downgrade',
  'cancel',
  'seats',
  'payment-method',
  'withdraw',
]);
export type ChangeKind = z.infer<typeof changeKindSchema>;
export const CHANGE_KINDS = changeKindSchema.options;

export const changeStepSchema = z.enum([
  'authorize',
  'grant',
  'capture',
  'schedule',
  'unassign',
  'assign',
  'suspend',
  'deprovision',
  'refund',
  'end',
  'save-method',
  'signal-renewal',
  'withdraw',
  'record',
]);
export type ChangeStep = z.infer<typeof changeStepSchema>;

export const changeStateSchema = z.enum([
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
  // A scheduled change taken back before the period end (known from the ledger).
  'withdrawn',
]);
export type ChangeState = z.infer<typeof changeStateSchema>;

/** Where a change's workflow stands. */
export const changeStatusSchema = z
  .object({
    tenantId: z.string(),
    subscriptionId: z.string(),
    changeId: z.string(),
    kind: changeKindSchema,
    state: changeStateSchema,
    step: changeStepSchema.optional(),
    stepsDone: z.array(changeStepSchema),
    compensationsDone: z.array(z.string()),
    amount: moneySchema.optional().describe('Charged (upgrade) or refunded (immediate cancel).'),
    payment: paymentSchema.optional(),
    declineReason: z.string().optional(),
    renewalSignalled: z
      .boolean()
      .optional()
      .describe('Payment method changes: whether a renewal of the current period took it.'),
    error: stepErrorSchema.optional(),
    attention: attentionSchema.optional(),
    decisions: z.array(opsDecisionRecordSchema),
  })
  .meta({ id: 'ChangeStatus' });
export type ChangeStatus = z.infer<typeof changeStatusSchema>;

/** POST …/changes: one of the change requests, by `kind`. */
export const changeRequestBody = changeRequestSchema;

export const subscriptionSchema = subscriptionViewSchema.meta({ id: 'Subscription' });

export const subscriptionListSchema = z.object({
  tenantId: z.string(),
  subscriptions: z.array(subscriptionSchema),
});

/** A change's record in the ledger, and where its workflow stands while Temporal keeps it. */
export const changeRecordSchema = z.object({
  change: subscriptionChangeSchema.meta({ id: 'SubscriptionChange' }),
  status: changeStatusSchema.optional(),
});
export type ChangeRecord = z.infer<typeof changeRecordSchema>;

/** One change as ops list it: where it stands and, when it waits, why. */
export const changeSummarySchema = z.object({
  subscriptionId: z.string(),
  changeId: z.string(),
  tenantId: z.string(),
  kind: z.string(),
  state: z.string(),
  attention: attentionSchema.optional(),
  startedAt: z.string().meta({ format: 'date-time' }),
});
export type ChangeSummary = z.infer<typeof changeSummarySchema>;

export const opsChangeListQuery = z.object({ tenantId: idParam.optional() });
export const changeListSchema = z.object({ changes: z.array(changeSummarySchema) });

// ---------------------------------------------------------------- reads

/** The whole-tenant read, by pages of users; the token is opaque to clients. */
export const tenantEntitlementsQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(1000).default(200),
  pageToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, 'must be a nextPageToken from a previous page')
    .optional(),
});

export const tenantEntitlementsPageSchema = tenantEntitlementsSchema.extend({
  nextPageToken: z.string().nullable().describe('Null on the last page.'),
});
export const userEntitlementsAnswer = userEntitlementsSchema;

export const seatsSchema = z.object({ tenantId: z.string(), plans: z.array(planSeatUsageSchema) });

export const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z
    .string()
    .regex(/^[0-9]{1,18}$/, 'must be the nextCursor of a previous page')
    .optional()
    .describe('The `nextCursor` of the previous page.'),
});

export const auditPageSchema = z.object({
  tenantId: z.string(),
  entries: z.array(grantHistoryEntrySchema),
  nextCursor: z.string().nullable().describe('Null on the last page.'),
});

export const healthSchema = z.object({ status: z.literal('ok') });
export const unavailableSchema = z.object({ status: z.literal('unavailable') });
