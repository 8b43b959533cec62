import { z } from 'zod';
import { grantKindSchema } from './grant-spec';
import { isoTimestamp } from './ids';

/** Why a feature is held: one subscription (and the order that granted it). */
export const grantSourceSchema = z.object({
  subscriptionId: z.string(),
  productKey: z.string(),
  orderId: z.string(),
  grantedAt: isoTimestamp,
});
export type GrantSource = z.infer<typeof grantSourceSchema>;

export const featureEntitlementSchema = z.object({
  feature: z.string(),
  kind: grantKindSchema,
  sources: z.array(grantSourceSchema),
});
export type FeatureEntitlement = z.infer<typeof featureEntitlementSchema>;

export const userEntitlementsSchema = z.object({
  tenantId: z.string(),
  userId: z.string(),
  /** Plans the user holds a seat of, on subscriptions in force. */
  plans: z.array(z.string()),
  features: z.array(featureEntitlementSchema),
  tenantFlags: z.array(featureEntitlementSchema),
});
export type UserEntitlements = z.infer<typeof userEntitlementsSchema>;

export const tenantEntitlementsSchema = z.object({
  tenantId: z.string(),
  /** System licenses and add-on features. */
  tenantFlags: z.array(featureEntitlementSchema),
  users: z.array(z.object({ userId: z.string(), features: z.array(featureEntitlementSchema) })),
});
export type TenantEntitlements = z.infer<typeof tenantEntitlementsSchema>;
