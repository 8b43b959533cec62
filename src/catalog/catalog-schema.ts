import { z } from 'zod';

/** Keys are the public vocabulary (ledger rows, API, CLI): lowercase kebab-case. */
export const catalogKeySchema = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'must be a lowercase kebab-case key');

const nameSchema = z.string().min(1);
const keysSchema = z.array(catalogKeySchema);

export const featureSchema = z.object({ key: catalogKeySchema, name: nameSchema });

export const systemLicenseSchema = z.object({
  key: catalogKeySchema,
  name: nameSchema,
  description: nameSchema,
});

export const planSchema = z.object({
  key: catalogKeySchema,
  name: nameSchema,
  solution: z.enum(['sales', 'service', 'marketing']),
  tier: z.enum(['essentials', 'premium']),
  /** Premium is Essentials plus extras: the plan inherits every feature of `extends`. */
  extends: catalogKeySchema.optional(),
  features: keysSchema,
});

export const provisioningKindSchema = z.enum(['none', 'calendar-sync-connection', 'cep-portal']);
export const addonSettingsKindSchema = z.enum(['none', 'calendar-sync']);

export const addonSchema = z.object({
  key: catalogKeySchema,
  name: nameSchema,
  features: keysSchema,
  /** What must exist outside the ledger before the add-on works (and be removed on revoke). */
  provisioning: provisioningKindSchema,
  /** Which settings schema a purchase of this add-on must carry. */
  settings: addonSettingsKindSchema,
});

export const systemLicenseRuleSchema = z.object({
  feature: catalogKeySchema,
  requires: catalogKeySchema,
  /** Why the rule holds: the seed does not state these, they are our assumptions. */
  assumption: nameSchema,
});

const minorUnitsSchema = z.number().int().positive();
const periodPricesSchema = z.object({ month: minorUnitsSchema, year: minorUnitsSchema });

export const pricesSchema = z.object({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .default('EUR'),
  /** True while the amounts are placeholders, not a price list anyone agreed to. */
  sample: z.boolean(),
  note: z.string().optional(),
  /** Per seat and period, in minor units. */
  plans: z.record(z.string(), periodPricesSchema),
  /** Per tenant and period, in minor units. */
  addons: z.record(z.string(), periodPricesSchema),
});

export const catalogSchema = z.object({
  id: z.string().regex(/^\d{4}-\d{2}$/, 'must look like 2026-01'),
  version: z.number().int().positive(),
  baseFeatures: keysSchema,
  features: z.array(featureSchema),
  systemLicenses: z.array(systemLicenseSchema),
  plans: z.array(planSchema),
  addons: z.array(addonSchema),
  rules: z.array(systemLicenseRuleSchema),
  prices: pricesSchema,
});

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogInput = z.input<typeof catalogSchema>;
export type Feature = z.infer<typeof featureSchema>;
export type SystemLicense = z.infer<typeof systemLicenseSchema>;
export type Plan = z.infer<typeof planSchema>;
export type Addon = z.infer<typeof addonSchema>;
export type SystemLicenseRule = z.infer<typeof systemLicenseRuleSchema>;
export type Prices = z.infer<typeof pricesSchema>;
export type ProvisioningKind = z.infer<typeof provisioningKindSchema>;
