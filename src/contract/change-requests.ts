import { z } from 'zod';
import { getCatalog, type Catalog } from '../catalog';
import { billingPeriodSchema } from '../domain/billing-period';
import { businessIdSchema, userIdSchema } from '../domain/ids';
import { MAX_SEATS } from '../catalog/purchase';
import { paymentMethodIdSchema } from '../payments/payment-inputs';

/** The client's id of a change: the same id with the same request is the same change. */
export const changeIdSchema = businessIdSchema;

const users = z
  .array(userIdSchema)
  .max(MAX_SEATS)
  .refine((ids) => new Set(ids).size === ids.length, 'must not list a user twice');

/**
 * What a client may ask of a subscription, one schema per change, by `kind`. Catalog
 * keys are checked against the catalog; whether a change is an upgrade, fits the seats
 * bought or names enough users is decided against the subscription (change-plan.ts).
 */
export function changeRequestSchemasFor(catalog: Catalog) {
  const plans = catalog.plans.map((p) => p.key);
  const plan = z
    .string()
    .refine((p) => plans.includes(p), { error: (i) => `unknown plan "${String(i.input)}"` });
  const seats = z.number().int().min(1).max(MAX_SEATS);

  const upgrade = z.strictObject({
    kind: z.literal('upgrade'),
    changeId: changeIdSchema,
    plan: plan.optional(),
    seats: seats.optional(),
    period: billingPeriodSchema.optional(),
    /** Pays the prorated difference; without it, the subscription's saved method. */
    paymentMethod: paymentMethodIdSchema.optional(),
  });
  const downgrade = z.strictObject({
    kind: z.literal('downgrade'),
    changeId: changeIdSchema,
    plan: plan.optional(),
    seats: seats.optional(),
    period: billingPeriodSchema.optional(),
    /** Users whose seats go at the period end, when more are assigned than the new count. */
    unassign: users.optional(),
  });
  const cancel = z.strictObject({
    kind: z.literal('cancel'),
    changeId: changeIdSchema,
    /** End now and refund the unused part, instead of at the period end. */
    immediately: z.boolean().optional(),
  });
  const seatChange = z
    .strictObject({
      kind: z.literal('seats'),
      changeId: changeIdSchema,
      assign: users.optional(),
      unassign: users.optional(),
    })
    .superRefine((request, ctx) => {
      if (!request.assign?.length && !request.unassign?.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['assign'],
          message: 'name users to assign or unassign',
        });
      }
      const unassigned = new Set(request.unassign ?? []);
      const both = (request.assign ?? []).filter((user) => unassigned.has(user));
      if (both.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['unassign'],
          message: `both assigns and unassigns ${both.join(', ')}`,
        });
      }
    });
  const paymentMethod = z.strictObject({
    kind: z.literal('payment-method'),
    changeId: changeIdSchema,
    paymentMethod: paymentMethodIdSchema,
  });
  const withdraw = z.strictObject({
    kind: z.literal('withdraw'),
    changeId: changeIdSchema,
    /** The scheduled change (downgrade or cancellation) to take back. */
    target: changeIdSchema,
  });

  return {
    upgrade,
    downgrade,
    cancel,
    seats: seatChange,
    paymentMethod,
    withdraw,
    changeRequestSchema: z.discriminatedUnion('kind', [
      upgrade,
      downgrade,
      cancel,
      seatChange,
      paymentMethod,
      withdraw,
    ]),
  };
}

export const changeRequestSchemas = changeRequestSchemasFor(getCatalog());
export const { changeRequestSchema } = changeRequestSchemas;
export type ChangeRequest = z.infer<typeof changeRequestSchema>;
