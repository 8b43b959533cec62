import { z } from 'zod';
import { tenantIdSchema, userIdSchema } from './ids';

/**
 * What a tenant holds, by source: the plans it has seats of (assigned or not), the plans
 * each user holds, its add-ons and the system licenses it bought outright. Every license
 * is derived from this, so comparing two holdings tells exactly what to grant and revoke.
 */
export const holdingsSchema = z.object({
  tenantId: tenantIdSchema,
  /** Plans with at least one seat subscribed; their system licenses hold even unassigned. */
  tenantPlans: z.array(z.string()),
  userPlans: z.record(userIdSchema, z.array(z.string())),
  addons: z.array(z.string()),
  systemLicenses: z.array(z.string()),
});

export type Holdings = z.infer<typeof holdingsSchema>;

export function emptyHoldings(tenantId: string): Holdings {
  return { tenantId, tenantPlans: [], userPlans: {}, addons: [], systemLicenses: [] };
}
