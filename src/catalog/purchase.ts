import { z } from 'zod';
import { billingPeriodSchema } from '../domain/billing-period';
import { calendarSyncSetupSchema } from '../domain/calendar-sync-settings';
import { orderIdSchema, tenantIdSchema, userIdSchema } from '../domain/ids';
import type { Catalog } from './catalog-schema';
import { getCatalog } from './versions';

export const MAX_SEATS = 10_000;

/**
 * The billing contact. The tenant's Stripe customer is the one the ledger keeps (created
 * at its first order), never one a checkout names: a customer id from the request could
 * be another tenant's, so it is refused rather than trusted.
 */
const customerSchema = z.strictObject({
  email: z.email(),
});

/** What the payment layer accepts: a Stripe PaymentMethod id, confirmed server-side. */
const paymentMethodSchema = z
  .string()
  .max(255)
  .regex(/^pm_[A-Za-z0-9_]+$/, 'must be a Stripe PaymentMethod id (pm_…)');

/**
 * Purchase schemas check plan and add-on keys against one catalog version: the one the
 * purchase is sold under. The exported schemas use the current version.
 */
export function purchaseSchemasFor(catalog: Catalog) {
  const plans = catalog.plans.map((p) => p.key);
  const addons = new Map(catalog.addons.map((a) => [a.key, a]));

  const planPurchase = z
    .object({
      kind: z.literal('plan'),
      orderId: orderIdSchema,
      tenantId: tenantIdSchema,
      plan: z
        .string()
        .refine((p) => plans.includes(p), { error: (i) => `unknown plan "${String(i.input)}"` }),
      seats: z.number().int().min(1).max(MAX_SEATS),
      period: billingPeriodSchema,
      assignTo: z
        .array(userIdSchema)
        .refine((ids) => new Set(ids).size === ids.length, 'must not list a user twice')
        .optional(),
      customer: customerSchema,
      paymentMethod: paymentMethodSchema.optional(),
    })
    .refine(
      // Only against a valid seat count: a bad one is reported on `seats` alone.
      (p) => p.seats < 1 || (p.assignTo?.length ?? 0) <= p.seats,
      {
        path: ['assignTo'],
        message: 'assigns more users than seats',
      },
    );

  const addonPurchase = z
    .object({
      kind: z.literal('addon'),
      orderId: orderIdSchema,
      tenantId: tenantIdSchema,
      addon: z
        .string()
        .refine((a) => addons.has(a), { error: (i) => `unknown add-on "${String(i.input)}"` }),
      period: billingPeriodSchema,
      // The same schema the provisioning client sends, so checkout refuses what the
      // calendar sync service would refuse, naming the same field.
      settings: calendarSyncSetupSchema.optional(),
      customer: customerSchema,
      paymentMethod: paymentMethodSchema.optional(),
    })
    .superRefine((purchase, ctx) => {
      const takes = addons.get(purchase.addon)?.settings;
      if (takes === 'calendar-sync' && purchase.settings === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['settings'],
          message: `required for add-on "${purchase.addon}"`,
        });
      }
      if (takes === 'none' && purchase.settings !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['settings'],
          message: `add-on "${purchase.addon}" takes no settings`,
        });
      }
    });

  return {
    planPurchaseSchema: planPurchase,
    addonPurchaseSchema: addonPurchase,
    purchaseSchema: z.discriminatedUnion('kind', [planPurchase, addonPurchase]),
  };
}

export const { planPurchaseSchema, addonPurchaseSchema, purchaseSchema } =
  purchaseSchemasFor(getCatalog());

export type PlanPurchase = z.infer<typeof planPurchaseSchema>;
export type AddonPurchase = z.infer<typeof addonPurchaseSchema>;
export type Purchase = z.infer<typeof purchaseSchema>;
export type Customer = z.infer<typeof customerSchema>;
