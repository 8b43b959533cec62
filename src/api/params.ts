import { z } from 'zod';
import { PROTOTYPE_KEYS } from '../domain/ids';
import type { OrderState } from '../../workflows/order-types';

/** Ids in URLs: what checkout and the catalog accept for tenants, users and orders. */
export const idParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters among A-Z a-z 0-9 _ -')
  .refine((id) => !PROTOTYPE_KEYS.has(id), 'must not be a reserved name');

export const tenantParams = z.object({ tenantId: idParam });
export const tenantUserParams = z.object({ tenantId: idParam, userId: idParam });

/** Subscription ids are derived from order ids (`sub-<orderId>`), so they run longer. */
export const subscriptionIdParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 characters among A-Z a-z 0-9 _ -');
/** Every state an order can be in: what ops may list by. */
export const ORDER_STATES = [
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
] as const satisfies readonly OrderState[];
// Fails to compile when the workflow gains a state the document does not list.
type UnlistedState = Exclude<OrderState, (typeof ORDER_STATES)[number]>;
const everyStateListed: [UnlistedState] extends [never] ? true : false = true;
void everyStateListed;

/**
 * What ops may list orders by, for the API's query and the CLI's flags alike. Values go
 * into a visibility query, so each is held to an id or a known state before it gets there.
 */
export const orderListQuery = z.object({
  tenantId: idParam.optional(),
  state: z.enum(ORDER_STATES, { error: `must be one of ${ORDER_STATES.join(', ')}` }).optional(),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
  nextPageToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,4096}$/, 'must be the nextPageToken of a previous page')
    .optional(),
});
/** An attended workflow's id, as ops list it: an order's or a renewal's. */
export const workflowIdParam = z
  .string()
  .regex(
    /^(order|renewal)-[A-Za-z0-9_.:-]{1,240}$/,
    'must be an order-… or renewal-… workflow id as ops list shows it',
  );
