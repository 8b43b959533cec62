import { z } from 'zod';
import { getCatalog } from '../catalog';
import { addonPurchaseSchema, planPurchaseSchema } from '../catalog/purchase';
import { isoTimestamp, rowId } from '../ledger/ids';
import { STEPS } from '../../workflows/order-types';
import { ORDER_STATES } from '../orders/order-list';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = z.core.JSONSchema.JSONSchema;

/**
 * JSON Schema of a zod schema, as OpenAPI 3.1 embeds it. Refinements (catalog keys,
 * cross-field rules) have no JSON Schema form and are dropped by zod; callers that
 * need them say so in a description or add the constraint by hand.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const embedded: JsonSchema = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      // The ledger's transforms normalise what each database engine returns: their
      // output is what leaves the API, which zod cannot see through a transform.
      if (zodSchema === isoTimestamp && io === 'output') {
        replace(jsonSchema, { type: 'string', format: 'date-time' });
      } else if (zodSchema === rowId && io === 'output') {
        replace(jsonSchema, { type: 'string' });
      } else if (
        jsonSchema.minimum === Number.MIN_SAFE_INTEGER &&
        jsonSchema.maximum === Number.MAX_SAFE_INTEGER
      ) {
        // z.int()'s safe-integer bounds say nothing to a reader.
        delete jsonSchema.minimum;
        delete jsonSchema.maximum;
      }
    },
  });
  // The document's dialect is OpenAPI 3.1's own: embedded schemas name none.
  delete embedded.$schema;
  return embedded;
}

function replace(target: JsonSchema, source: JsonSchema): void {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, source);
}

function property(variant: JsonSchema, name: string): JsonSchema {
  const found = variant.properties?.[name];
  if (typeof found !== 'object') throw new Error(`the purchase schema has no "${name}"`);
  return found;
}

/**
 * The two checkout bodies: the zod purchase schemas, with the rules zod expresses as
 * refinements restated for clients (catalog keys as enums, the customer's contact).
 */
function purchaseSchemas(): { PlanPurchase: JsonSchema; AddonPurchase: JsonSchema } {
  const catalog = getCatalog();

  const plan = jsonSchemaOf(planPurchaseSchema, 'input');
  property(plan, 'plan').enum = catalog.plans.map((p) => p.key);
  Object.assign(property(plan, 'assignTo'), {
    uniqueItems: true,
    description: 'Users to seat at once; no more than `seats`.',
  });

  const addon = jsonSchemaOf(addonPurchaseSchema, 'input');
  property(addon, 'addon').enum = catalog.addons.map((a) => a.key);
  const calendarSync = catalog.addons.filter((a) => a.settings === 'calendar-sync');
  property(addon, 'settings').description =
    `Required for the add-ons ${calendarSync.map((a) => a.key).join(', ')}; ` +
    'refused for every other add-on.';

  for (const variant of [plan, addon]) {
    property(variant, 'customer').description =
      "The billing email, set on the tenant's Stripe customer when it has none.";
  }
  return { PlanPurchase: plan, AddonPurchase: addon };
}

/** POST /v1/orders: `purchaseSchema`, a union of both purchases by their `kind`. */
export const purchaseRequestSchema: JsonSchema = {
  oneOf: [
    { $ref: '#/components/schemas/PlanPurchase' },
    { $ref: '#/components/schemas/AddonPurchase' },
  ],
  discriminator: {
    propertyName: 'kind',
    mapping: {
      plan: '#/components/schemas/PlanPurchase',
      addon: '#/components/schemas/AddonPurchase',
    },
  },
};

const money: JsonSchema = {
  type: 'object',
  properties: { currency: { type: 'string' }, total: { type: 'integer' } },
  required: ['currency', 'total'],
  description: "In the currency's smallest unit (cents).",
};

const orderError: JsonSchema = {
  type: 'object',
  properties: {
    step: { type: 'string' },
    type: { type: 'string', description: 'A stable code, such as PROVISIONING.UNAVAILABLE.' },
    message: { type: 'string', description: 'Internal text: present for ops keys only.' },
  },
  required: ['step', 'type'],
};

const attention: JsonSchema = {
  type: 'object',
  description: 'Why the order waits for ops, and when it decides by itself.',
  properties: {
    phase: { enum: ['forward', 'compensation'] },
    step: { type: 'string' },
    error: { $ref: '#/components/schemas/OrderError' },
    since: { type: 'string', format: 'date-time' },
    deadline: { type: 'string', format: 'date-time' },
  },
  required: ['phase', 'step', 'error', 'since', 'deadline'],
};

const orderState: JsonSchema = { type: 'string', enum: [...ORDER_STATES] };
const step: JsonSchema = { type: 'string', enum: [...STEPS] };

/** What every order answer names: the order and the purchase it is for. */
const orderIdentity: Record<string, JsonSchema> = {
  orderId: { type: 'string' },
  tenantId: { type: 'string' },
  kind: { enum: ['plan', 'addon'] },
  product: { type: 'string' },
};

const checkoutResult: JsonSchema = {
  type: 'object',
  properties: {
    ...orderIdentity,
    state: { $ref: '#/components/schemas/OrderState' },
    amount: { $ref: '#/components/schemas/Money' },
    clientSecret: {
      type: 'string',
      description: 'Present when the customer must complete 3-D Secure in the browser.',
    },
    declineReason: { type: 'string' },
  },
  required: ['orderId', 'tenantId', 'kind', 'product', 'state'],
};

const orderStatus: JsonSchema = {
  type: 'object',
  properties: {
    ...orderIdentity,
    subscriptionId: { type: 'string' },
    catalogVersion: { type: 'integer' },
    state: { $ref: '#/components/schemas/OrderState' },
    step: { $ref: '#/components/schemas/Step' },
    stepsDone: { type: 'array', items: { $ref: '#/components/schemas/Step' } },
    compensationsDone: { type: 'array', items: { type: 'string' } },
    amount: { $ref: '#/components/schemas/Money' },
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
    error: { $ref: '#/components/schemas/OrderError' },
    attention: { $ref: '#/components/schemas/Attention' },
    decisions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          action: { enum: ['retry', 'abort'] },
          by: { type: 'string' },
          reason: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
          step: { type: 'string' },
        },
        required: ['action', 'by', 'at', 'step'],
      },
    },
  },
  required: [
    'orderId',
    'tenantId',
    'kind',
    'product',
    'subscriptionId',
    'catalogVersion',
    'state',
    'stepsDone',
    'compensationsDone',
    'decisions',
  ],
};

const orderSummary: JsonSchema = {
  type: 'object',
  properties: {
    orderId: { type: 'string', description: "A renewal's is its workflow id." },
    workflowId: {
      type: 'string',
      description: 'Decide on it by this id at /v1/ops/workflows/{workflowId}/retry|abort.',
    },
    tenantId: { type: 'string' },
    kind: { type: 'string', description: '`plan` or `addon` for an order; `renewal`.' },
    state: { type: 'string' },
    attention: { $ref: '#/components/schemas/Attention' },
    startedAt: { type: 'string', format: 'date-time' },
  },
  required: ['orderId', 'workflowId', 'tenantId', 'kind', 'state', 'startedAt'],
};

const apiError: JsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', examples: ['INVALID_INPUT', 'LEDGER.TENANT_NOT_FOUND'] },
        message: { type: 'string' },
        fields: {
          type: 'array',
          description: 'Every failing field of a 400, by its path in the request.',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
            required: ['path', 'message'],
          },
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

/** Schemas the responses share, under `#/components/schemas`. */
export const componentSchemas: Record<string, JsonSchema> = {
  ...purchaseSchemas(),
  Error: apiError,
  Money: money,
  OrderState: orderState,
  Step: step,
  OrderError: orderError,
  Attention: attention,
  CheckoutResult: checkoutResult,
  OrderStatus: orderStatus,
  OrderSummary: orderSummary,
};
